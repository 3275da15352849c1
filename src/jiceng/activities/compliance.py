"""三会一课 compliance per branch per quarter, by the branch's structure.

The requirements come from 中国共产党支部工作条例(试行) (2018) and are rows of ComplianceRule (admins adjust the
period and minimum as data):

- 支部党员大会 quarterly (第十二条(一):党员大会一般每季度召开1次);
- 支委会 monthly (第十二条(一):支部委员会会议一般每月召开1次) — only where the branch has a committee: 第九条
  says a branch with 7 or more full members (正式党员) sets up a committee, one with fewer has a secretary (and
  perhaps a deputy) but no committee, so it is never asked for committee meetings;
- 党小组会 monthly (第十二条(一):党小组会一般每月召开1次) — only where the branch has party groups
  (第十一条: 党员人数较多的支部可划分若干党小组), and for each group: every group holds its own;
- 党课 quarterly (第十二条(一):党课一般每季度1次);
- 主题党日 monthly (第十二条(二):党支部每月相对固定1天开展主题党日);
- 组织生活会 and 民主评议党员 yearly (第十二条(三)(四):一般每年召开1次组织生活会、开展1次民主评议党员).

What counts: an activity of the rule's kind, not cancelled, and either marked held or with attendance recorded
(check-ins are the evidence; a meeting kept on paper is marked held by the organizer), organized by

- the branch itself or one of its party groups (a party group's own meetings count for that group only);
- for rules marked `counts_parent` (党课 and 主题党日 by default): the branch's parent 党委/总支 (or theirs),
  when members of the branch attended — a 党课 the park committee gives for all its branches counts for each
  branch whose members are on its attendance list, and for no other.

Monthly rules are checked for each month of the quarter, quarterly rules for the quarter, yearly rules on the
year to the quarter's end — a yearly rule is a gap only in the fourth quarter. A period that has not ended yet
is "open", not a gap. A requirement that does not apply to a branch is "not_applicable", with the reason.

The structure (full members, committee seats, party groups) is today's, read in the branch query; the counts
come from one grouped query over Activity(organization, kind, start) and one over the parent organizations'
attendance, whatever the number of branches, so a district or the whole city costs a bounded number of queries.
Decision 035 explains how applicability is derived.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.core.reuse import Reused, queryset_key
from jiceng.organizations.models import BRANCH_KINDS, CommitteeMember, Organization, OrgKind, committee_threshold

from .models import Activity, ActivityKind, ActivityStatus, Attendance, ComplianceRule, Period


class Status:
    MET = "met"
    GAP = "gap"
    OPEN = "open"  # the period has not ended yet
    NOT_APPLICABLE = "not_applicable"  # the branch's structure does not call for this requirement


STATUSES = [Status.MET, Status.GAP, Status.OPEN, Status.NOT_APPLICABLE]  # the API's values (ComplianceStatusEnum)
ROW_STATUSES = [Status.MET, Status.GAP, Status.OPEN]  # a branch's overall status (the API's `status` filter)
# Filters written before `met` existed said `ok`; they are read as `met`.
STATUS_ALIASES = {"ok": Status.MET}

PARENT_KINDS = (OrgKind.COMMITTEE, OrgKind.GENERAL_BRANCH)  # who may organize for the branches under them
PARENT_IDS_LISTED = 10_000  # beyond this many parent organizations the query filters by kind only


# --- structure ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Structure:
    """What of a branch's structure decides which requirements apply."""

    full_members: int = 0
    seats: int = 0
    groups: tuple[tuple[int, str], ...] = ()  # the branch's party groups: (id, name)

    @property
    def committee_reason(self) -> str:
        """Why the branch holds no 支委会 ("" when it has a committee).

        第九条: 7 or more full members → a committee; fewer → a secretary only. A branch that should have one but
        has fewer seats than a committee has (COMMITTEE_MIN_SIZE, the coverage report's "no committee" test) has
        no committee to meet either: the coverage report lists it for the street to act on.
        """
        threshold = committee_threshold()
        if self.full_members < threshold:
            return _("支部正式党员不足%(n)d人,不设支委会") % {"n": threshold}
        if self.seats < settings.JICENG["COMMITTEE_MIN_SIZE"]:
            return _("支部正式党员%(full)d人,应设而未设支委会(见组织覆盖报告)") % {"full": self.full_members}
        return ""

    @property
    def has_committee(self) -> bool:
        return not self.committee_reason

    def reason(self, kind: str) -> str:
        """Why a requirement of `kind` does not apply ("" when it does)."""
        if kind == ActivityKind.COMMITTEE_MEETING:
            return self.committee_reason
        if kind == ActivityKind.GROUP_MEETING and not self.groups:
            return _("支部未设党小组")
        return ""


def _full_members_q() -> Subquery:
    from jiceng.members.models import Member, MemberStatus

    return Subquery(Member.objects.active().filter(organization=OuterRef("pk"), status=MemberStatus.FULL)
                    .order_by().values("organization").annotate(n=Count("pk")).values("n"))


def _seats_q() -> Subquery:
    return Subquery(CommitteeMember.objects.filter(organization=OuterRef("pk")).order_by().values("organization")
                    .annotate(n=Count("pk")).values("n"))


def structure_of(organization: Organization) -> Structure:
    """One branch's structure (for validating a single activity; the report reads all branches at once)."""
    row = Organization.objects.filter(pk=organization.pk).annotate(
        full_n=Coalesce(_full_members_q(), 0), seats_n=Coalesce(_seats_q(), 0)).values_list(
        "full_n", "seats_n").first() or (0, 0)
    groups = tuple(Organization.objects.filter(parent=organization.pk, kind=OrgKind.PARTY_GROUP)
                   .order_by("name", "pk").values_list("pk", "name"))
    return Structure(row[0], row[1], groups)


def check_structure(activity: Activity) -> dict[str, str]:
    """Errors for an activity its organizer's structure does not allow (Activity.clean): a 支委会 of a branch
    without a committee, a 党小组会 of a branch without party groups."""
    org = activity.organization if activity.organization_id else None
    if org is None or org.kind not in BRANCH_KINDS or activity.kind not in (
            ActivityKind.COMMITTEE_MEETING, ActivityKind.GROUP_MEETING):
        return {}
    reason = structure_of(org).reason(activity.kind)
    if not reason:
        return {}
    if activity.kind == ActivityKind.COMMITTEE_MEETING:
        return {"kind": _("“%(org)s”不能登记支委会:%(reason)s(《中国共产党支部工作条例(试行)》第九条)。")
                % {"org": org.name, "reason": reason}}
    return {"kind": _("“%(org)s”不能登记党小组会:%(reason)s;党小组会由党小组组织,请先设立党小组。")
            % {"org": org.name, "reason": reason}}


# --- results -----------------------------------------------------------------------------------------------------
@dataclass
class GroupResult:
    """One party group's count in one period of the 党小组会 rule."""

    pk: int
    name: str
    held: int
    status: str


@dataclass
class PeriodResult:
    label: str
    start: dt.date
    end: dt.date  # inclusive
    held: int
    required: int
    status: str
    groups: list[GroupResult] = field(default_factory=list)


@dataclass
class RuleResult:
    rule: ComplianceRule
    periods: list[PeriodResult]
    reason: str = ""  # why the rule does not apply (then `periods` is empty)
    held: int = 0
    required: int = 0
    status: str = Status.MET

    def __post_init__(self) -> None:
        self.held = sum(p.held for p in self.periods)
        self.required = sum(p.required for p in self.periods)
        statuses = {p.status for p in self.periods}
        self.status = (Status.NOT_APPLICABLE if self.reason else Status.GAP if Status.GAP in statuses
                       else Status.OPEN if Status.OPEN in statuses else Status.MET)


@dataclass(frozen=True)
class Branch:
    """The little of a branch the report shows (whole organization rows would cost more than the counts)."""

    pk: int
    name: str
    street_name: str


@dataclass
class BranchResult:
    organization: Branch
    rules: list[RuleResult]

    @property
    def gaps(self) -> list[str]:
        texts = []
        for r in self.rules:
            for p in r.periods:
                if p.status != Status.GAP:
                    continue
                if p.groups:
                    texts.extend(_("%(period)s %(kind)s(%(group)s):%(held)d/%(required)d 次") % {
                        "period": p.label, "kind": r.rule.get_kind_display(), "group": g.name, "held": g.held,
                        "required": r.rule.minimum} for g in p.groups if g.status == Status.GAP)
                else:
                    texts.append(_("%(period)s %(kind)s:%(held)d/%(required)d 次") % {
                        "period": p.label, "kind": r.rule.get_kind_display(), "held": p.held,
                        "required": p.required})
        return texts

    @property
    def compliant(self) -> bool:
        return all(r.status != Status.GAP for r in self.rules)

    @property
    def status(self) -> str:
        statuses = {r.status for r in self.rules}
        return Status.GAP if Status.GAP in statuses else Status.OPEN if Status.OPEN in statuses else Status.MET


@dataclass
class RuleTotal:
    """One rule over all branches; met + gaps + open + not_applicable = branches."""

    rule: ComplianceRule
    held: int = 0  # activities counted, over the branches the rule applies to
    met: int = 0
    gaps: int = 0
    open: int = 0
    not_applicable: int = 0

    @property
    def applicable(self) -> int:
        return self.met + self.gaps + self.open


@dataclass
class Report:
    year: int
    quarter: int
    start: dt.date
    end: dt.date
    rules: list[ComplianceRule]
    rows: list[BranchResult]
    totals: list[RuleTotal] = field(default_factory=list)

    @property
    def label(self) -> str:
        return _("%(year)d 年第 %(quarter)d 季度") % {"year": self.year, "quarter": self.quarter}

    @property
    def branches(self) -> int:
        return len(self.rows)

    @property
    def compliant(self) -> int:
        return sum(1 for row in self.rows if row.compliant)

    @property
    def gap_count(self) -> int:
        return sum(t.gaps for t in self.totals)


def parse_quarter(year, quarter) -> tuple[int, int]:
    """Year and quarter from user input (strings allowed); errors name the field."""
    errors = {}
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = _("年份须为 2000 至 2100 之间的整数。")
    try:
        quarter = int(quarter)
        if quarter not in (1, 2, 3, 4):
            raise ValueError
    except (TypeError, ValueError):
        errors["quarter"] = _("季度须为 1 至 4。")
    if errors:
        raise ValidationError(errors)
    return year, quarter


def current_quarter(today: dt.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    return today.year, (today.month - 1) // 3 + 1


def last_full_quarter(today: dt.date | None = None) -> tuple[int, int]:
    year, quarter = current_quarter(today)
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return start, end


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + (month == 12), 1 if month == 12 else month + 1, 1) - dt.timedelta(days=1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def branches_in(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    return queryset.filter(kind__in=BRANCH_KINDS)


Window = tuple[str, dt.date, dt.date, tuple[int, ...], bool]  # label, start, end, months counted, final
MonthCounts = dict[str, dict[int, int]]  # kind → month → activities


def _windows(rules: list[ComplianceRule], year: int, quarter: int) -> dict[str, list[Window]]:
    q_start, q_end = quarter_bounds(year, quarter)
    windows: dict[str, list[Window]] = {}
    for rule in rules:
        if rule.period == Period.MONTH:
            windows[rule.kind] = [(f"{year}-{m:02d}", dt.date(year, m, 1), _month_end(year, m), (m,), True)
                                  for m in range(q_start.month, q_start.month + 3)]
        elif rule.period == Period.QUARTER:
            windows[rule.kind] = [(_("%(year)d 年第 %(q)d 季度") % {"year": year, "q": quarter}, q_start, q_end,
                                   tuple(range(q_start.month, q_start.month + 3)), True)]
        else:
            # Yearly rules: January to the quarter's end; not a gap before the fourth quarter.
            windows[rule.kind] = [(_("%(year)d 年(截至本季度)") % {"year": year}, dt.date(year, 1, 1), q_end,
                                   tuple(range(1, q_end.month + 1)), quarter == 4)]
    return windows


# A city's report reads every branch's activities of the year (2 s for 12,000 branches); officers page through it,
# filter it and export it. Kept per process a few minutes, never after a change (core.reuse, decision 041); the
# highest attendance id is in the key, since attendance is also inserted in bulk.
REPORTS = Reused("compliance", 8)
WATCHED = ("activities.Activity", "activities.Attendance", "activities.ComplianceRule", "activities.MeetingRecord",
           "organizations.Organization", "organizations.CommitteeMember", "members.Member")


def report(branches: QuerySet[Organization], year: int, quarter: int, *, today: dt.date | None = None) -> Report:
    """The compliance of `branches` (already scoped and filtered) in the given quarter."""
    today = today or timezone.localdate()
    seconds = settings.JICENG.get("COMPLIANCE_REPORT_SECONDS", 0)
    if not seconds:
        return _report(branches, year, quarter, today)
    parts = (queryset_key(branches), year, quarter, today, Attendance.objects.aggregate(m=Max("pk"))["m"])
    return REPORTS.get_or_compute(parts, lambda: _report(branches, year, quarter, today), seconds)


def _report(branches: QuerySet[Organization], year: int, quarter: int, today: dt.date) -> Report:
    q_start, q_end = quarter_bounds(year, quarter)
    rules = list(ComplianceRule.objects.filter(active=True))
    scoped = branches_in(branches)
    rows = list(scoped.order_by("path", "pk").annotate(
        full_n=Coalesce(_full_members_q(), 0), seats_n=Coalesce(_seats_q(), 0)).values_list(
        "pk", "name", "street__name", "path", "full_n", "seats_n"))
    result = Report(year, quarter, q_start, q_end, rules, [])
    if not rules or not rows:
        result.totals = [RuleTotal(rule) for rule in rules]
        for pk, name, street, _path, _full, _seats in rows:
            result.rows.append(BranchResult(Branch(pk, name, street or ""), []))
        return result
    groups: dict[int, list[tuple[int, str]]] = defaultdict(list)
    group_parent: dict[int, int] = {}
    if any(r.kind == ActivityKind.GROUP_MEETING for r in rules):
        party_groups = Organization.objects.filter(kind=OrgKind.PARTY_GROUP, parent__in=scoped.values("pk"))
        for pk, parent_id, name in party_groups.order_by("name", "pk").values_list("pk", "parent_id", "name"):
            groups[parent_id].append((pk, name))
            group_parent[pk] = parent_id
    counts, group_counts = _counts(scoped, rules, year, q_start, q_end, group_parent)
    paths = {pk: path for pk, _name, _street, path, _full, _seats in rows}
    if any(r.counts_parent for r in rules):
        _add_parent_counts(counts, scoped, paths, rules, year, q_start, q_end)

    windows = _windows(rules, year, quarter)
    totals = {rule.kind: RuleTotal(rule) for rule in rules}
    empty: dict[int, int] = {}

    def state(held: int, minimum: int, end: dt.date, final: bool) -> str:
        if held >= minimum:
            return Status.MET
        # A period not over yet (its last day included) is open, not a gap.
        return Status.GAP if final and end < today else Status.OPEN

    def evaluate(by_month: MonthCounts, structure: Structure, by_group: dict[int, MonthCounts]) -> list[RuleResult]:
        rule_results = []
        for rule in rules:
            reason = structure.reason(rule.kind)
            if reason:
                rule_results.append(RuleResult(rule, [], reason=reason))
                continue
            periods = []
            for label, start, end, months, final in windows[rule.kind]:
                if rule.kind == ActivityKind.GROUP_MEETING:
                    # Each party group holds its own (第十二条: 党小组会一般每月召开1次): the period is met when
                    # every group is; `held` is what the groups held in all.
                    parts = []
                    for pk, name in structure.groups:
                        monthly = by_group.get(pk, {}).get(rule.kind, empty)
                        held = sum(monthly.get(m, 0) for m in months)
                        parts.append(GroupResult(pk, name, held, state(held, rule.minimum, end, final)))
                    statuses = {g.status for g in parts}
                    status = (Status.GAP if Status.GAP in statuses else Status.OPEN if Status.OPEN in statuses
                              else Status.MET)
                    periods.append(PeriodResult(label, start, end, sum(g.held for g in parts),
                                                rule.minimum * len(parts), status, parts))
                else:
                    monthly = by_month.get(rule.kind, empty)
                    held = sum(monthly.get(m, 0) for m in months) if monthly else 0
                    periods.append(PeriodResult(label, start, end, held, rule.minimum,
                                                state(held, rule.minimum, end, final)))
            rule_results.append(RuleResult(rule, periods))
        return rule_results

    # Most branches share one of a few patterns (same structure, all held, the same month missed…): evaluate each
    # pattern once and let its branches share the (read-only) results. Branches with party groups carry their
    # groups' names, so each of those is its own pattern.
    evaluated: dict[tuple, list[RuleResult]] = {}
    for pk, name, street, _path, full_n, seats_n in rows:
        structure = Structure(full_n, seats_n, tuple(groups.get(pk, ())))
        by_month = counts.get(pk, {})
        by_group = {g: group_counts[g] for g, _n in structure.groups if g in group_counts}
        pattern = (structure.committee_reason, structure.groups,
                   tuple(sorted((kind, tuple(sorted(months.items()))) for kind, months in by_month.items())),
                   tuple(sorted((g, kind, tuple(sorted(months.items())))
                                for g, kinds in by_group.items() for kind, months in kinds.items())))
        rule_results = evaluated.get(pattern)
        if rule_results is None:
            rule_results = evaluated[pattern] = evaluate(by_month, structure, by_group)
        for rule_result in rule_results:
            total = totals[rule_result.rule.kind]
            total.held += rule_result.held
            if rule_result.status == Status.GAP:
                total.gaps += 1
            elif rule_result.status == Status.OPEN:
                total.open += 1
            elif rule_result.status == Status.NOT_APPLICABLE:
                total.not_applicable += 1
            else:
                total.met += 1
        result.rows.append(BranchResult(Branch(pk, name, street or ""), rule_results))
    result.totals = [totals[rule.kind] for rule in rules]
    return result


def _counts(branches: QuerySet[Organization], rules: list[ComplianceRule], year: int, q_start: dt.date,
            q_end: dt.date, group_parent: dict[int, int]) -> tuple[dict[int, MonthCounts], dict[int, MonthCounts]]:
    """(branch id → kind → month → activities, party group id → kind → month → activities) from one grouped query.

    A party group's 党小组会 count for that group; its other activities fold into its branch.
    """
    since = dt.date(year, 1, 1) if any(r.period == Period.YEAR for r in rules) else q_start
    organizers = Organization.objects.filter(
        Q(pk__in=branches.values("pk")) | Q(kind=OrgKind.PARTY_GROUP, parent__in=branches.values("pk"))).values("pk")
    rows = (Activity.objects.counted()
            .filter(organization__in=organizers, start__lt=_aware(q_end + dt.timedelta(days=1)))
            # Only yearly rules look back before the quarter.
            .filter(Q(kind__in=[r.kind for r in rules], start__gte=_aware(q_start))
                    | Q(kind__in=[r.kind for r in rules if r.period == Period.YEAR], start__gte=_aware(since)))
            .annotate(month=_month_of("start", since, q_end))
            .values("organization_id", "kind", "month").annotate(n=Count("pk")).order_by()
            .values_list("organization_id", "kind", "month", "n"))
    counts: dict[int, MonthCounts] = defaultdict(lambda: defaultdict(dict))
    group_counts: dict[int, MonthCounts] = defaultdict(lambda: defaultdict(dict))
    for organization_id, kind, month, n in rows:
        if organization_id in group_parent and kind == ActivityKind.GROUP_MEETING:
            months = group_counts[organization_id][kind]
        elif kind == ActivityKind.GROUP_MEETING:
            continue  # a 党小组会 the branch organized itself is no group's meeting
        else:
            months = counts[group_parent.get(organization_id, organization_id)][kind]
        months[month] = months.get(month, 0) + n
    return counts, group_counts


def _add_parent_counts(counts: dict[int, MonthCounts], branches: QuerySet[Organization], paths: dict[int, str],
                       rules: list[ComplianceRule], year: int, q_start: dt.date, q_end: dt.date) -> None:
    """Activities of the branches' parent 党委/总支 (rules with `counts_parent`) count for each branch whose members
    attended: one grouped query over their attendance, by the attendee's branch and the activity."""
    kinds = [r.kind for r in rules if r.counts_parent]
    yearly = [r.kind for r in rules if r.counts_parent and r.period == Period.YEAR]
    since = dt.date(year, 1, 1) if yearly else q_start
    parents = {int(segment) for path in paths.values() for segment in path.strip("/").split("/")[:-1] if segment}
    if not parents:
        return
    activities = (Activity.objects.exclude(status=ActivityStatus.CANCELLED)
                  .filter(organization__kind__in=PARENT_KINDS, start__lt=_aware(q_end + dt.timedelta(days=1)))
                  .filter(Q(kind__in=kinds, start__gte=_aware(q_start)) | Q(kind__in=yearly, start__gte=_aware(since))))
    if len(parents) <= PARENT_IDS_LISTED:
        activities = activities.filter(organization__in=sorted(parents))
    rows = (Attendance.objects.filter(activity__in=activities.values("pk"),
                                      member__organization__in=branches.values("pk"))
            .annotate(month=_month_of("activity__start", since, q_end))
            .values("member__organization_id", "activity__organization_id", "activity__kind", "month")
            .annotate(n=Count("activity", distinct=True)).order_by()
            .values_list("member__organization_id", "activity__organization_id", "activity__kind", "month", "n"))
    for branch_id, organizer_id, kind, month, n in rows:
        path = paths.get(branch_id)
        if path is None or f"/{organizer_id}/" not in path:
            continue  # the organizer is not above this branch (a member who attended elsewhere)
        months = counts[branch_id][kind]
        months[month] = months.get(month, 0) + n


def _month_of(field: str, since: dt.date, until: dt.date) -> Case:
    """The local month of a datetime as plain comparisons with the months' boundaries: no per-row time-zone
    function (SQLite would call Python for each row), and the same on every database."""
    whens, month = [], since.replace(day=1)
    while month <= until:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        whens.append(When(**{f"{field}__lt": _aware(following)}, then=Value(month.month)))
        month = following
    return Case(*whens, default=Value(0), output_field=IntegerField())


# The chips' words (the page's legend and the Excel cells).
STATUS_LABELS = {Status.MET: _lazy("达标"), Status.GAP: _lazy("缺项"), Status.OPEN: _lazy("进行中"),
                 Status.NOT_APPLICABLE: _lazy("不适用")}


def excel_sheets(result: Report) -> list[tuple]:
    """One sheet with a row per branch (held/required per rule, or why it does not apply; gaps), one with the
    totals (met + gaps + open + not applicable = branches, per rule)."""
    headers = [_("党组织"), _("街道"), *[f"{r.get_kind_display()}({r.get_period_display()})" for r in result.rules],
               _("是否达标"), _("缺项")]

    def cell(r: RuleResult) -> str:
        if r.status == Status.NOT_APPLICABLE:
            return f"{STATUS_LABELS[r.status]}:{r.reason}"
        return f"{r.held}/{r.required} {STATUS_LABELS[r.status]}"

    rows = ([row.organization.name, row.organization.street_name, *[cell(r) for r in row.rules],
             _("是") if row.compliant else _("否"), ";".join(row.gaps)] for row in result.rows)
    total_headers = [_("要求"), _("周期"), _("最少次数"), _("适用支部数"), _("合计次数"), _("达标支部数"),
                     _("缺项支部数"), _("进行中支部数"), _("不适用支部数")]
    total_rows = [[t.rule.get_kind_display(), t.rule.get_period_display(), t.rule.minimum, t.applicable, t.held,
                   t.met, t.gaps, t.open, t.not_applicable] for t in result.totals]
    total_rows.append([_("支部合计"), "", "", result.branches, "", result.compliant,
                       result.branches - result.compliant, "", ""])
    return [(_("三会一课") + f" {result.year}Q{result.quarter}", headers, rows),
            (_("汇总"), total_headers, total_rows)]


def as_json(result: Report, rows: list[BranchResult] | None = None) -> dict:
    """The report as the API gives it; `rows` is the page of branch rows to include (default: all)."""
    return {
        "year": result.year, "quarter": result.quarter, "start": result.start, "end": result.end,
        "branches": result.branches, "compliant": result.compliant,
        "totals": [{"kind": t.rule.kind, "label": t.rule.get_kind_display(), "period": t.rule.period,
                    "minimum": t.rule.minimum, "held": t.held, "applicable": t.applicable, "met": t.met,
                    "gaps": t.gaps, "open": t.open, "not_applicable": t.not_applicable} for t in result.totals],
        "rows": [{
            "organization": row.organization.pk, "name": row.organization.name, "compliant": row.compliant,
            "status": row.status, "gaps": row.gaps,
            "rules": [{"kind": r.rule.kind, "held": r.held, "required": r.required, "status": r.status,
                       "reason": r.reason or None,
                       "periods": [{"label": p.label, "start": p.start, "end": p.end, "held": p.held,
                                    "required": p.required, "status": p.status,
                                    "groups": [{"organization": g.pk, "name": g.name, "held": g.held,
                                                "status": g.status} for g in p.groups]} for p in r.periods]}
                      for r in row.rules],
        } for row in (result.rows if rows is None else rows)],
    }
