"""三会一课 compliance per branch per quarter.

What counts: an activity of the rule's kind organized by the branch or one of its party groups, not cancelled,
and either marked held or with at least one attendance recorded (check-ins are the evidence; a meeting whose
attendance was kept on paper is marked held by the organizer). Monthly rules are checked for each month of the
quarter, quarterly rules for the quarter, yearly rules on the year to the quarter's end — a yearly rule is a gap
only in the fourth quarter. A period that has not ended yet is "open", not a gap.

The counts come from one GROUP BY query over Activity(organization, kind, start) whatever the number of
branches, so a district or the whole city costs a bounded number of queries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.organizations.models import BRANCH_KINDS, Organization, OrgKind

from .models import Activity, ComplianceRule, Period


class Status:
    OK = "ok"
    GAP = "gap"
    OPEN = "open"


STATUSES = [Status.OK, Status.GAP, Status.OPEN]  # the API's `status` values (ComplianceStatusEnum)


@dataclass
class PeriodResult:
    label: str
    start: dt.date
    end: dt.date  # inclusive
    held: int
    required: int
    status: str


@dataclass
class RuleResult:
    rule: ComplianceRule
    periods: list[PeriodResult]
    held: int = 0
    required: int = 0
    status: str = Status.OK

    def __post_init__(self) -> None:
        self.held = sum(p.held for p in self.periods)
        self.required = sum(p.required for p in self.periods)
        statuses = {p.status for p in self.periods}
        self.status = Status.GAP if Status.GAP in statuses else Status.OPEN if Status.OPEN in statuses else Status.OK


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
        return [_("%(period)s %(kind)s:%(held)d/%(required)d 次") % {
            "period": p.label, "kind": r.rule.get_kind_display(), "held": p.held, "required": p.required}
            for r in self.rules for p in r.periods if p.status == Status.GAP]

    @property
    def compliant(self) -> bool:
        return all(r.status != Status.GAP for r in self.rules)


@dataclass
class RuleTotal:
    rule: ComplianceRule
    held: int = 0
    met: int = 0  # branches without a gap for this rule
    gaps: int = 0  # branches with a gap


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


def report(branches: QuerySet[Organization], year: int, quarter: int, *, today: dt.date | None = None) -> Report:
    """The compliance of `branches` (already scoped and filtered) in the given quarter."""
    today = today or timezone.localdate()
    q_start, q_end = quarter_bounds(year, quarter)
    rules = list(ComplianceRule.objects.filter(active=True))
    branch_list = [Branch(pk, name, street or "") for pk, name, street in
                   branches_in(branches).order_by("path", "pk").values_list("pk", "name", "street__name")]
    result = Report(year, quarter, q_start, q_end, rules, [])
    if not rules:
        return result
    counts = _counts(branches_in(branches), rules, year, q_start, q_end)
    # Each rule's periods within the quarter: (label, start, end, months counted, final), built once.
    windows: dict[str, list[tuple[str, dt.date, dt.date, tuple[int, ...], bool]]] = {}
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

    totals = {rule.kind: RuleTotal(rule) for rule in rules}
    empty: dict[int, int] = {}

    def evaluate(by_month: dict[str, dict[int, int]]) -> list[RuleResult]:
        rule_results = []
        for rule in rules:
            monthly = by_month.get(rule.kind, empty)
            periods = []
            for label, start, end, months, final in windows[rule.kind]:
                held = sum(monthly.get(m, 0) for m in months) if monthly else 0
                if held >= rule.minimum:
                    state = Status.OK
                else:
                    # A period not over yet is open, not a gap.
                    state = Status.GAP if final and end < today else Status.OPEN
                periods.append(PeriodResult(label, start, end, held, rule.minimum, state))
            rule_results.append(RuleResult(rule, periods))
        return rule_results

    # Most branches share one of a few patterns of counts (all held, the same month missed…): evaluate each
    # pattern once and let its branches share the (read-only) results.
    evaluated: dict[tuple, list[RuleResult]] = {}
    for org in branch_list:
        by_month = counts.get(org.pk, {})
        pattern = tuple(sorted((kind, tuple(sorted(months.items()))) for kind, months in by_month.items()))
        rule_results = evaluated.get(pattern)
        if rule_results is None:
            rule_results = evaluated[pattern] = evaluate(by_month)
        for rule_result in rule_results:
            total = totals[rule_result.rule.kind]
            total.held += rule_result.held
            if rule_result.status == Status.GAP:
                total.gaps += 1
            else:
                total.met += 1
        result.rows.append(BranchResult(org, rule_results))
    result.totals = [totals[rule.kind] for rule in rules]
    return result


def _counts(branches: QuerySet[Organization], rules: list[ComplianceRule], year: int, q_start: dt.date,
            q_end: dt.date) -> dict[int, dict[str, dict[int, int]]]:
    """branch id → kind → month → number of counted activities (one grouped query; party groups fold in)."""
    since = dt.date(year, 1, 1) if any(r.period == Period.YEAR for r in rules) else q_start
    groups = dict(Organization.objects.filter(kind=OrgKind.PARTY_GROUP, parent__in=branches.values("pk"))
                  .values_list("pk", "parent_id"))
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
    counts: dict[int, dict[str, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for organization_id, kind, month, n in rows:
        months = counts[groups.get(organization_id, organization_id)][kind]
        months[month] = months.get(month, 0) + n
    return counts


def _month_of(field: str, since: dt.date, until: dt.date) -> Case:
    """The local month of a datetime as plain comparisons with the months' boundaries: no per-row time-zone
    function (SQLite would call Python for each row), and the same on every database."""
    whens, month = [], since.replace(day=1)
    while month <= until:
        following = (month + dt.timedelta(days=32)).replace(day=1)
        whens.append(When(**{f"{field}__lt": _aware(following)}, then=Value(month.month)))
        month = following
    return Case(*whens, default=Value(0), output_field=IntegerField())


def excel_sheets(result: Report) -> list[tuple]:
    """One sheet with a row per branch (held/required per rule, gaps), one with the totals."""
    headers = [_("党组织"), _("街道"), *[f"{r.get_kind_display()}({r.get_period_display()})" for r in result.rules],
               _("是否达标"), _("缺项")]
    rows = ([row.organization.name, row.organization.street_name,
             *[f"{r.held}/{r.required}" for r in row.rules], _("是") if row.compliant else _("否"),
             ";".join(row.gaps)] for row in result.rows)
    total_headers = [_("要求"), _("周期"), _("最少次数"), _("合计次数"), _("达标支部数"), _("缺项支部数")]
    total_rows = [[t.rule.get_kind_display(), t.rule.get_period_display(), t.rule.minimum, t.held, t.met, t.gaps]
                  for t in result.totals]
    total_rows.append([_("支部合计"), "", "", "", result.compliant, result.branches - result.compliant])
    return [(_("三会一课") + f" {result.year}Q{result.quarter}", headers, rows),
            (_("汇总"), total_headers, total_rows)]


def as_json(result: Report, rows: list[BranchResult] | None = None) -> dict:
    """The report as the API gives it; `rows` is the page of branch rows to include (default: all)."""
    return {
        "year": result.year, "quarter": result.quarter, "start": result.start, "end": result.end,
        "branches": result.branches, "compliant": result.compliant,
        "totals": [{"kind": t.rule.kind, "label": t.rule.get_kind_display(), "period": t.rule.period,
                    "minimum": t.rule.minimum, "held": t.held, "met": t.met, "gaps": t.gaps} for t in result.totals],
        "rows": [{
            "organization": row.organization.pk, "name": row.organization.name, "compliant": row.compliant,
            "gaps": row.gaps,
            "rules": [{"kind": r.rule.kind, "held": r.held, "required": r.required, "status": r.status,
                       "periods": [{"label": p.label, "start": p.start, "end": p.end, "held": p.held,
                                    "required": p.required, "status": p.status} for p in r.periods]}
                      for r in row.rules],
        } for row in (result.rows if rows is None else rows)],
    }
