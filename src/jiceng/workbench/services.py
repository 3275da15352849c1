"""The 工作台: what each role should look at first, assembled from the domain apps' own rules.

Nothing here decides what is overdue, due, at risk or in arrears: the demands' deadlines (`overdue_q`, `due_on_q`),
the visit plans (`due_for_visit`), the risk levels and follow-ups, the compliance report, the dues arrears, the
pioneer index, the transfer and booking queues and the coverage figures all come from their apps. This module
only picks, for each role the user holds, the few figures and rows worth a glance, each with the link to the
filtered list that explains it, and says plainly when there is nothing to do.

Every query starts from `Model.objects.restrict(user)` (the one scoping mechanism), then narrows to the part of
the scope the role gives, so a section never shows what the user could not open. A panel costs a bounded number
of queries whatever the number of rows (counts are aggregates, rows are the first few), to stay within the page
sweep's 20 queries (tests/test_sweep.py) at city scale.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jiceng.accounts.models import Role
from jiceng.core.context_processors import unread_count
from jiceng.core.i18n import localized
from jiceng.core.reuse import KeptByPart, Reused
from jiceng.core.scoping import Scope, scope_for

ROWS = 5  # rows shown per section; the link leads to the rest
TREND_MONTHS = 6  # months in the street's trend chart of demands by category
TREND_CATEGORIES = 6  # the largest categories get a series each; the rest are summed as "其他"

# Tabler's colour names for a section's tone (danger: overdue, warning: due soon).
DANGER, WARNING, MUTED = "danger", "warning", "secondary"


# --- what a workbench is made of ---------------------------------------------------------------------------------

@dataclass
class Figure:
    """A counter with the filtered list it stands for."""

    label: str
    value: int | str
    url: str | None = None
    tone: str = ""
    key: str = ""


@dataclass
class Row:
    label: str
    url: str | None = None
    note: str = ""
    tone: str = ""


@dataclass
class Table:
    """A small table (the district's streets): cells are (text, url or None)."""

    headers: list[str]
    rows: list[list[tuple[str, str | None]]]


@dataclass
class Section:
    key: str  # stable: tests and the page's data-testid use it
    title: str
    empty: str  # said instead of the rows when there is nothing ("今天没有到期的需求")
    url: str | None = None  # the list that explains the section
    count: int | None = None  # the headline number (None: the section has figures only)
    figures: list[Figure] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    table: Table | None = None
    chart: dict | None = None  # data for the page's chart (json_script), see trend_chart

    @property
    def is_empty(self) -> bool:
        """Nothing to do here: the headline count is 0 (or, without one, every figure is), and no rows."""
        if self.rows or (self.table and self.table.rows) or self.chart:
            return False
        return not self.count if self.count is not None else not any(f.value for f in self.figures)


@dataclass
class Panel:
    key: str  # the builder's name: "street", "building", ...
    title: str  # the role's label (区委组织部管理员, ...)
    sections: list[Section]


def url(name: str, args: list | None = None, **params) -> str:
    """A page's URL with its filter parameters (the filters exist on the list: tests/workbench checks them)."""
    base = reverse(name, args=args)
    query = {k: ("true" if v is True else v) for k, v in params.items() if v is not None}
    return f"{base}?{urlencode(query)}" if query else base


def picked_first(queryset: QuerySet, *order: str, related: tuple[str, ...] = (), n: int = ROWS) -> list:
    """The first `n` rows in `order`, picked by id before anything is joined: with the joins in the same query,
    the planner, expecting thousands of rows, hashed the whole place table to decorate five (17 ms → 1 ms)."""
    ids = queryset.order_by(*order).values("pk")[:n]
    return list(queryset.filter(pk__in=ids).select_related(*related).order_by(*order))


def first_rows(queryset: QuerySet, n: int = ROWS) -> tuple[list, int]:
    """The first `n` rows and how many there are: one query when they all fit, a count only beyond."""
    rows = list(queryset[: n + 1])
    return rows[:n], (len(rows) if len(rows) <= n else queryset.order_by().count())


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _week(today: dt.date) -> tuple[dt.date, dt.date]:
    monday = today - dt.timedelta(days=today.weekday())
    return monday, monday + dt.timedelta(days=6)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


# --- demands -----------------------------------------------------------------------------------------------------

def _demand_row(demand, today: dt.date) -> Row:
    tone = DANGER if demand.due_date and demand.due_date < today else WARNING if demand.due_date == today else ""
    where = demand.place.name if demand.place_id else ""
    note = " · ".join(part for part in (where, _("期限 %(d)s") % {"d": demand.due_label} if demand.due_date else "")
                      if part)
    return Row(str(demand), demand.get_absolute_url(), note, tone)


def deadline_sections(demands: QuerySet, today: dt.date) -> list[Section]:
    """Overdue and due-today demands (one count query, one query of rows each)."""
    from jiceng.demands.models import DEADLINE_STATUSES, due_on_q, overdue_q

    # Only demands with a running deadline can count: narrowed by status first, and counting a column of the
    # (street, status, …, due_date) index, the counts are read from the index instead of every demand of the
    # street (62 ms → 1 ms at city scale; COUNT(*) cannot take a filter).
    counts = demands.filter(status__in=DEADLINE_STATUSES).order_by().aggregate(
        overdue=Count("status", filter=overdue_q(today)), today=Count("status", filter=due_on_q(today)))
    overdue = Section("overdue_demands", _("超期需求"), _("没有超期的需求"), url("demands:demand_list", overdue=True),
                      counts["overdue"])
    if counts["overdue"]:
        first = picked_first(demands.filter(overdue_q(today)), "due_date", "pk", related=("place", "category"))
        overdue.rows = [_demand_row(d, today) for d in first]
    due = Section("due_today", _("今天到期的需求"), _("今天没有到期的需求"), url("demands:demand_list", due_today=True),
                  counts["today"])
    if counts["today"]:
        due.rows = [_demand_row(d, today)
                    for d in picked_first(demands.filter(due_on_q(today)), "pk", related=("place", "category"))]
    return [overdue, due]


def inbox_section(user, demands: QuerySet, today: dt.date) -> Section:
    """A building worker's inbox: assigned to them, waiting for acceptance, overdue."""
    from jiceng.demands.models import DemandStatus, overdue_q

    counts = demands.order_by().aggregate(
        mine=Count("status", filter=Q(assignee_user=user, status=DemandStatus.ASSIGNED)),
        waiting=Count("status", filter=Q(status=DemandStatus.SUBMITTED)),
        overdue=Count("status", filter=overdue_q(today)))
    section = Section("inbox", _("我的待办"), _("没有派给我或等待受理的需求"), reverse("demands:inbox"), counts["mine"])
    section.figures = [
        Figure(_("派给我的"), counts["mine"], url("demands:demand_list", mine=True, status=DemandStatus.ASSIGNED),
               key="mine"),
        Figure(_("待受理"), counts["waiting"], url("demands:demand_list", status=DemandStatus.SUBMITTED),
               WARNING if counts["waiting"] else "", key="waiting"),
        Figure(_("已超期"), counts["overdue"], url("demands:demand_list", overdue=True),
               DANGER if counts["overdue"] else "", key="overdue"),
    ]
    if counts["mine"]:
        mine = demands.filter(assignee_user=user, status=DemandStatus.ASSIGNED).select_related("place", "category")
        section.rows = [_demand_row(d, today) for d in mine.order_by("due_date", "pk")[:ROWS]]
    return section


def _trend_rows(demands: QuerySet, streets: list[int] | None, bounds: list[dt.date]) -> list[tuple]:
    """(category code, name, English name, count per month) for the trend chart.

    A street's months come from the demand roll-ups (decision 057), which count every demand of the street by
    local day of submission and category: one indexed read of a few thousand rows instead of counting the
    street's demands of half a year (7 ms of PostgreSQL's time on the workbench, the heaviest query there).
    Without streets (a scope with no street), the demands are counted: one grouped query with a filtered count
    per month, on the indexed timestamp."""
    if streets is not None and "jiceng.screen" in settings.INSTALLED_APPS:
        from jiceng.demands.models import Category
        from jiceng.screen.services import counts_by_category

        counts = counts_by_category(streets, bounds)
        names = {pk: (code, name, name_en) for pk, code, name, name_en in
                 Category.objects.filter(pk__in=counts).values_list("pk", "code", "name", "name_en")}
        return [(*names.get(category, (None, None, None)), *by_month) for category, by_month in counts.items()]
    per_month = {f"m{n}": Count("pk", filter=Q(created__gte=_aware(bounds[n]), created__lt=_aware(bounds[n + 1])))
                 for n in range(len(bounds) - 1)}
    return list(demands.filter(created__gte=_aware(bounds[0])).order_by()
                .values_list("category__code", "category__name", "category__name_en").annotate(**per_month))


def trend_chart(demands: QuerySet, today: dt.date, streets: list[int] | None = None) -> Section:
    """Demands per month and category over the last TREND_MONTHS months, for ECharts: the demands of `streets`
    when given (from the roll-ups), else those of `demands`."""
    first = today.replace(day=1) - relativedelta(months=TREND_MONTHS - 1)
    months = [first + relativedelta(months=n) for n in range(TREND_MONTHS)]
    bounds = [*months, first + relativedelta(months=TREND_MONTHS)]
    rows = _trend_rows(demands, streets, bounds)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    for code, name, name_en, *by_month in rows:
        key = (code or "", localized(name, name_en) if name else _("未分类"))
        for month_start, n in zip(months, by_month, strict=True):
            label = month_start.strftime("%Y-%m")
            counts.setdefault(key, {})[label] = counts.get(key, {}).get(label, 0) + n
    labels = [m.strftime("%Y-%m") for m in months]
    ranked = sorted(counts.items(), key=lambda item: -sum(item[1].values()))
    series = []
    for (code, name), by_month in ranked[:TREND_CATEGORIES]:
        series.append({"name": name, "code": code, "data": [by_month.get(label, 0) for label in labels]})
    if len(ranked) > TREND_CATEGORIES:
        rest = [sum(by_month.get(label, 0) for _key, by_month in ranked[TREND_CATEGORIES:]) for label in labels]
        series.append({"name": _("其他"), "code": "", "data": rest})
    total = sum(sum(s["data"]) for s in series)
    section = Section("demand_trend", _("近 %(n)d 个月需求(按类别)") % {"n": TREND_MONTHS},
                      _("近 %(n)d 个月没有新需求") % {"n": TREND_MONTHS},
                      url("demands:demand_list", created_after=first.isoformat()), total)
    if total:
        # Each bar opens the list of that month and category (the list's own filters).
        base = reverse("demands:demand_list")
        section.chart = {"months": labels, "series": series, "list_url": base}
    return section


# --- visits, risk, venues, transfers ----------------------------------------------------------------------------

def visits_section(enterprises: QuerySet, today: dt.date) -> Section:
    """Enterprises due for a visit within the route's window (the route page lists them all)."""
    from jiceng.demands.visits import ROUTE_DAYS, due_for_visit

    due = due_for_visit(enterprises, until=today + dt.timedelta(days=ROUTE_DAYS))
    # Never planned first (due now), then the soonest.
    count = due.order_by().count()
    first = picked_first(due, "visit_plan__next_visit", "name", "pk", related=("place",)) if count else []
    section = Section("visits_due", _("%(n)d 天内应走访的企业") % {"n": ROUTE_DAYS}, _("近期没有到期的走访"),
                      reverse("demands:route"), count)
    if count:
        section.rows = [Row(e.name, reverse("demands:visit_add") + f"?enterprise={e.pk}",
                            " · ".join(p for p in (e.place.name, _day(e.next_visit) or _("从未走访")) if p),
                            DANGER if e.next_visit and e.next_visit < today else "") for e in first]
    return section


def follow_up_section(user, enterprises: QuerySet, today: dt.date) -> Section:
    """Orange and red enterprises with open follow-ups: a figure per colour, the earliest due first."""
    from jiceng.risk.choices import FollowUpStatus, RiskLevel
    from jiceng.risk.models import FollowUp

    follow_ups = FollowUp.objects.restrict(user).filter(status=FollowUpStatus.OPEN,
                                                        level__gte=RiskLevel.FAIRLY_UNSTABLE,
                                                        enterprise__in=enterprises.values("pk"))
    by_level = dict(follow_ups.order_by().values_list("level").annotate(n=Count("pk")))
    count = sum(by_level.values())
    section = Section("risk_follow_ups", _("橙色、红色企业待跟进"), _("没有待跟进的橙色或红色企业"),
                      url("risk:follow_ups", status=FollowUpStatus.OPEN), count)
    for level in (RiskLevel.FAIRLY_UNSTABLE, RiskLevel.UNSTABLE):
        info = RiskLevel.info(level)
        section.figures.append(Figure(f"{info['colour_label']}·{info['label']}", by_level.get(level, 0),
                                      url("risk:follow_ups", status=FollowUpStatus.OPEN, level=int(level)),
                                      info["colour"], key=f"level{int(level)}"))
    if count:
        first = follow_ups.select_related("enterprise").order_by("due_date", "-level", "pk")[:ROWS]
        section.rows = [Row(f.enterprise.name, reverse("risk:enterprise", args=[f.enterprise_id]),
                            " · ".join(p for p in (f.level_info["colour_label"],
                                                   _("期限 %(d)s") % {"d": _day(f.due_date)} if f.due_date else "")
                                       if p),
                            DANGER if f.is_overdue(today) else "") for f in first]
    return section


def colours_section(enterprises: QuerySet) -> Section:
    """How many enterprises are at each of the five levels, each linking to the risk list at that level."""
    from jiceng.risk.selectors import level_counts

    counts = level_counts(enterprises)
    section = Section("colours", _("楼宇企业的五色等级"), _("范围内还没有企业"), reverse("risk:board"),
                      sum(c["count"] for c in counts))
    section.figures = [Figure(f"{c['colour_label']}·{c['label']}", c["count"], url("risk:list", level=c["value"]),
                              c["colour"], key=f"level{c['value']}") for c in counts]
    return section


def bookings_section(user) -> Section:
    from jiceng.venues.services import approval_queue

    first, count = first_rows(approval_queue(user).select_related("room__place").order_by("start", "pk"))
    section = Section("bookings", _("待审批的场地预约"), _("没有待审批的场地预约"), reverse("venues:approvals"), count)
    section.rows = [Row(str(b), b.get_absolute_url(), b.purpose) for b in first]
    return section


def transfers_section(user, *, title: str | None = None) -> Section:
    """Open transfers whose next step is this user's (`members.transfers.awaiting_q`)."""
    from jiceng.members.models import Transfer
    from jiceng.members.transfers import awaiting_q

    awaiting = Transfer.objects.restrict(user).filter(awaiting_q(user))
    first, count = first_rows(awaiting.select_related("member", "from_organization", "to_organization").order_by("pk"))
    section = Section("transfers", title or _("待办理的组织关系转接"), _("没有待办理的组织关系转接"),
                      url("members:transfer_list", awaiting=True), count)
    if count:
        section.rows = [Row(t.person_name or str(t), t.get_absolute_url(),
                            f"{t.get_state_display()} · {t.origin} → {t.destination}") for t in first]
    return section


def activities_week_section(user, today: dt.date) -> Section:
    from jiceng.activities.models import Activity, ActivityStatus

    monday, sunday = _week(today)
    # Every activity of the week, as the activity list shows them for these dates (a cancelled one says so).
    week = Activity.objects.restrict(user).filter(start__gte=_aware(monday),
                                                  start__lt=_aware(sunday + dt.timedelta(days=1)))
    first, count = first_rows(week.order_by("start", "pk"))
    section = Section("activities_week", _("本周活动"), _("本周没有活动"),
                      url("activities:activity_list", date_from=monday.isoformat(), date_to=sunday.isoformat()), count)
    section.rows = [Row(a.title, a.get_absolute_url(), " · ".join(
        [f"{timezone.localtime(a.start):%m-%d %H:%M}"]
        + ([a.get_status_display()] if a.status == ActivityStatus.CANCELLED else [])),
        MUTED if a.status == ActivityStatus.CANCELLED else "") for a in first]
    return section


# --- the panels, one per role ------------------------------------------------------------------------------------

# A street officer's workbench is the same for every officer of the street, and they open it often: it is kept,
# shared by the worker processes, in groups of sections, each until a write to the street that its sections
# read commits (decisions 082 and 083; `street_parts`).
STREET_PANELS = KeptByPart("workbench-street")


def street_panel(user, scope: Scope, today: dt.date) -> list[Section]:
    streets = sorted(scope.street_ids) if not scope.everything else None
    return _in_street_order([section for group in STREET_GROUPS for section in kept_for_streets(
        user, group, (today, get_language()), lambda group=group: street_sections(user, streets, today, (group,)))])


def kept_for_streets(user, group: str, extra: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()` kept under the stamps of the user's streets' `group` of workbench sections, retired by the same
    writes, for a user who is street staff and nothing else; computed each time for anyone else (other roles'
    grants, a district or a building, shape the sections too, and writes there do not renew the street's stamps).
    `extra` names the result and what else it depends on (the day, the language)."""
    scope = scope_for(user)
    seconds = settings.JICENG.get("WORKBENCH_STREET_SECONDS", 0)
    if scope.everything or not only_streets(scope):
        return compute()
    return STREET_PANELS.get_or_compute([f"street:{pk}:{group}" for pk in sorted(scope.street_ids)], extra,
                                        compute, seconds)


def kept_demand_figures(user, extra: tuple, compute: Callable[[], Any]) -> Any:
    """`compute()` over the user's demands, kept beside the workbench's demand sections (decision 083) when those
    demands are exactly their streets' (`Demand.only_by_place`); computed each time otherwise."""
    from jiceng.demands.models import Demand

    return kept_for_streets(user, "demands", extra, compute) if Demand.only_by_place(user) else compute()


def _in_street_order(sections: list[Section]) -> list[Section]:
    return sorted(sections, key=lambda section: STREET_ORDER.index(section.key))

def only_streets(scope: Scope) -> bool:
    """The scope grants street staff's streets and nothing else."""
    return (scope.roles == {Role.STREET_STAFF.value} and not (scope.district_ids or scope.place_paths
            or scope.org_paths or scope.enterprise_ids or scope.member_ids or scope.department_ids))


def street_sections(user, streets: list[int] | None, today: dt.date,
                    groups: tuple[str, ...] = ()) -> list[Section]:
    """The street officer's sections (of these groups of STREET_GROUPS, or all), in the workbench's order."""
    from jiceng.demands.models import Demand
    from jiceng.enterprises.models import Enterprise

    def demands() -> QuerySet:
        found = Demand.objects.restrict(user)
        return found.filter(street_id__in=streets) if streets is not None else found

    def enterprises() -> QuerySet:
        found = Enterprise.objects.restrict(user)
        return found.filter(street_id__in=streets) if streets is not None else found

    builders = {
        "demands": lambda: [*deadline_sections(demands(), today), department_board_section(demands()),
                            trend_chart(demands(), today, streets=streets)],
        "visits": lambda: [visits_section(enterprises(), today)],
        "follow_ups": lambda: [follow_up_section(user, enterprises(), today)],
        "bookings": lambda: [bookings_section(user)],
        "transfers": lambda: [transfers_section(user)],
    }
    return _in_street_order([section for group in (groups or STREET_GROUPS) for section in builders[group]()])


STREET_ORDER = ["overdue_demands", "due_today", "department_board", "visits_due", "risk_follow_ups", "bookings",
                "transfers", "demand_trend"]
# Each group of the street's sections, and every model whose rows they show. A save or delete of one renews the
# stamps of its street's groups that read it: a demand taken by phone retires the demand sections and leaves the
# visits kept; a visit recorded, the other way round. (The category and place names they show change rarely and
# show when the kept workbench's time is up.)
STREET_GROUPS: dict[str, tuple[str, ...]] = {
    "demands": ("demands.Demand",),
    "visits": ("demands.VisitPlan", "enterprises.Enterprise"),
    "follow_ups": ("risk.FollowUp", "enterprises.Enterprise"),
    "bookings": ("venues.Booking",),
    "transfers": ("members.Transfer", "organizations.Organization"),
}


def street_parts(instance) -> list[str]:
    """The parts (street and group) that a saved or deleted row the street's workbench shows lies in."""
    from jiceng.demands.models import VisitPlan
    from jiceng.enterprises.models import Enterprise
    from jiceng.members.models import Transfer
    from jiceng.organizations.models import Organization
    from jiceng.risk.models import FollowUp
    from jiceng.venues.models import Booking, Room

    if isinstance(instance, VisitPlan | FollowUp):
        streets = Enterprise.objects.filter(pk=instance.enterprise_id).values_list("street_id", flat=True)
    elif isinstance(instance, Booking):
        streets = Room.objects.filter(pk=instance.room_id).values_list("street_id", flat=True)
    elif isinstance(instance, Transfer):
        streets = Organization.objects.filter(pk__in=[instance.from_organization_id, instance.to_organization_id]
                                              ).values_list("street_id", flat=True)
    else:  # a demand, an enterprise, an organization: located by their own street
        streets = [instance.street_id]
    label = instance._meta.label
    groups = [group for group, labels in STREET_GROUPS.items() if label in labels]
    return [f"street:{pk}:{group}" for pk in streets if pk for group in groups]


def moved_parts(places: list, old_path: str) -> list[str]:
    """Every group of the streets above a moved subtree, where it was and where it is: its rows (demands,
    enterprises, organizations) follow it by update(), which sends no signal. (A path lists its places' ids
    from the district down; the ids that are not streets name stamps that nothing reads.)"""
    ids = {part for path in (old_path, places[0].path) for part in path.strip("/").split("/") if part}
    return [f"street:{pk}:{group}" for pk in sorted(ids) for group in STREET_GROUPS]


STREET_WATCHES = tuple(sorted({label for labels in STREET_GROUPS.values() for label in labels}))


def department_board_section(demands: QuerySet) -> Section:
    """The street's work with departments (issue 19): awaiting 签收, returned (退单), awaiting 回访 — one query."""
    from jiceng.departments.services import board_counts

    counts = board_counts(demands)
    section = Section("department_board", _("职能部门办理"), _("没有待部门签收、退单或待回访的需求"),
                      url("demands:demand_list", department_state="any"))
    section.figures = [
        Figure(_("待部门签收"), counts["pending"], url("demands:demand_list", department_state="pending"),
               key="pending"),
        Figure(_("部门已退单"), counts["returned"], url("demands:demand_list", department_state="returned"),
               WARNING if counts["returned"] else "", key="returned"),
        Figure(_("待回访"), counts["callback"], url("demands:demand_list", department_state="callback"),
               WARNING if counts["callback"] else "", key="callback"),
    ]
    return section


def department_panel(user, scope: Scope, today: dt.date) -> list[Section]:
    """A department user's home: the work handed to their department, 签收 first (then the work being handled)."""
    from jiceng.departments.models import DepartmentState
    from jiceng.departments.services import department_demands, department_follow_ups

    demands = department_demands(user)
    counts = demands.order_by().aggregate(
        pending=Count("status", filter=Q(department_state=DepartmentState.PENDING)),
        late=Count("status", filter=Q(department_state=DepartmentState.PENDING, sign_due__lt=today)),
        signed=Count("status", filter=Q(department_state=DepartmentState.SIGNED)))
    section = Section("department_work", _("派给本部门的需求"), _("没有待签收或办理中的需求"), reverse("demands:inbox"),
                      counts["pending"] + counts["signed"])
    section.figures = [
        Figure(_("待签收"), counts["pending"], url("demands:demand_list", department_state="pending"),
               WARNING if counts["pending"] else "", key="pending"),
        Figure(_("签收超时"), counts["late"], url("demands:demand_list", department_state="pending"),
               DANGER if counts["late"] else "", key="late"),
        Figure(_("办理中"), counts["signed"], url("demands:demand_list", department_state="signed"), key="signed"),
    ]
    first = demands.select_related("place").order_by("department_state", "sign_due", "due_date", "pk")[:ROWS]
    for d in first:
        pending = d.department_state == DepartmentState.PENDING
        note = _("签收期限 %(d)s") % {"d": _day(d.sign_due)} if pending else _("期限 %(d)s") % {"d": d.due_label}
        tone = DANGER if pending and d.sign_due and d.sign_due < today else WARNING if pending else ""
        section.rows.append(Row(str(d), d.get_absolute_url(), f"{d.place.name} · {note}", tone))
    follow_ups = department_follow_ups(user, limit=ROWS)
    risk = Section("department_follow_ups", _("派给本部门的稳商跟进"), _("没有派给本部门的稳商跟进"),
                   reverse("demands:inbox"), len(follow_ups))
    risk.rows = [Row(f.enterprise.name, reverse("demands:inbox"), f.get_department_state_display()) for f in follow_ups]
    return [section, risk]


def building_panel(user, scope: Scope, today: dt.date) -> list[Section]:
    from jiceng.demands.models import Demand
    from jiceng.enterprises.models import Enterprise

    places = scope.place_ids
    demands = Demand.objects.restrict(user).filter(Q(place_id__in=places) | Q(assignee_user=user))
    enterprises = Enterprise.objects.restrict(user).filter(place_id__in=places)
    return [inbox_section(user, demands, today), visits_section(enterprises, today), colours_section(enterprises),
            activities_week_section(user, today)]


def secretary_panel(user, scope: Scope, today: dt.date) -> list[Section]:
    return [compliance_section(user, scope, today), applications_section(user, scope, today),
            transfers_section(user, title=_("待接收、待办理的组织关系转接")), dues_section(user, scope, today)]


def compliance_section(user, scope: Scope, today: dt.date) -> Section:
    """This quarter's 三会一课 for the secretary's branches (the compliance report, as its page computes it)."""
    from jiceng.activities import compliance
    from jiceng.organizations.models import BRANCH_KINDS, Organization

    year, quarter = compliance.current_quarter(today)
    branches = Organization.objects.restrict(user).filter(pk__in=scope.org_ids, kind__in=BRANCH_KINDS)
    report = compliance.report(branches, year, quarter, today=today)
    params = {"year": year, "quarter": quarter}
    if len(report.rows) == 1:
        params["organization"] = report.rows[0].organization.pk
    section = Section("compliance", _("本季度三会一课") + f" · {report.label}", _("没有需要开展三会一课的支部"),
                      url("activities:compliance", **params), len(report.rows))
    gaps = [row for row in report.rows if row.status == compliance.Status.GAP]
    unfinished = sum(1 for row in report.rows if row.status == compliance.Status.OPEN)
    section.figures = [
        Figure(_("已达标支部"), sum(1 for row in report.rows if row.status == compliance.Status.MET), key="met"),
        Figure(_("进行中"), unfinished, tone=WARNING if unfinished else "", key="open"),
        Figure(_("有缺项"), len(gaps), tone=DANGER if gaps else "", key="gap"),
    ]
    section.rows = [Row(row.organization.name, url("activities:compliance", organization=row.organization.pk,
                                                   **{"year": year, "quarter": quarter}),
                        ";".join(row.gaps[:3]), DANGER) for row in gaps[:ROWS]]
    if not section.rows:
        section.rows = [Row(row.organization.name, url("activities:compliance", organization=row.organization.pk,
                                                       **{"year": year, "quarter": quarter}),
                            _("本季度尚在进行") if row.status == compliance.Status.OPEN else _("已达标"),
                            WARNING if row.status == compliance.Status.OPEN else "")
                        for row in report.rows[:ROWS]]
    return section


def applications_section(user, scope: Scope, today: dt.date) -> Section:
    """The development steps that come next (the due list, as its page computes it)."""
    from jiceng.members.models import Application
    from jiceng.members.pipeline import due_list

    applications = Application.objects.restrict(user).filter(organization_id__in=scope.org_ids)
    rows = due_list(applications)
    overdue = sum(1 for d in rows if d.overdue)
    section = Section("applications", _("发展党员:待办步骤"), _("没有待办的发展步骤"), reverse("members:due_list"),
                      len(rows))
    # The due list shows every next step, overdue first: this figure has no list of its own.
    section.figures = [Figure(_("已逾期"), overdue, None, DANGER if overdue else "", key="overdue")]
    section.rows = [Row(f"{d.application.name} · {d.rule.label}", d.application.get_absolute_url(),
                        _("期限 %(d)s") % {"d": _day(d.deadline)} if d.deadline else
                        (_("可于 %(d)s 起办理") % {"d": _day(d.earliest)} if d.earliest else ""),
                        DANGER if d.overdue else WARNING if d.ready else "") for d in rows[:ROWS]]
    return section


def dues_section(user, scope: Scope, today: dt.date) -> Section:
    """Members of the secretary's organizations in arrears (the dues report's list)."""
    from jiceng.members import dues
    from jiceng.members.models import Member

    members = Member.objects.restrict(user).filter(organization_id__in=scope.org_ids)
    owed = dues.arrears(members, up_to=today)
    amount = sum((a.amount for a in owed), Decimal("0"))
    # The report opens on the user's topmost organization (members.views_affairs._report_org): the secretary's.
    section = Section("dues", _("党费欠缴"), _("没有欠缴党费的党员"), reverse("members:dues_report"), len(owed))
    section.figures = [Figure(_("欠缴金额(元)"), f"{amount:.2f}", section.url, DANGER if owed else "", key="amount")]
    section.rows = [Row(a.member.name, a.member.get_absolute_url(),
                        _("%(n)d 个月 · %(amount)s 元") % {"n": len(a.months), "amount": f"{a.amount:.2f}"}, DANGER)
                    for a in owed[:ROWS]]
    return section


def unit_panel(user, scope: Scope, today: dt.date) -> list[Section]:
    """A unit contact's needs, claims and projects in the three lists, and the demands the unit raised."""
    from jiceng.demands.models import OPEN_STATUSES, Demand
    from jiceng.matching.models import ListStatus, MemberUnit, Need, Project, ProjectStatus

    units = MemberUnit.objects.filter(enterprise_id__in=scope.enterprise_ids).values("pk")
    needs = Need.objects.restrict(user).filter(requester_unit__in=units, status=ListStatus.OPEN)
    first, need_count = first_rows(needs.order_by("-created", "-pk"))
    need_section = Section("unit_needs", _("本单位发布的需求(开放认领)"), _("本单位没有开放认领的需求"),
                           url("matching:need_list", mine=True, status=ListStatus.OPEN), need_count)
    need_section.rows = [Row(n.title, n.get_absolute_url(), _("已认领 %(c)d / %(q)d") % {"c": n.claimed,
                                                                                      "q": n.quantity})
                         for n in first]

    projects = Project.objects.restrict(user).filter(Q(provider__in=units) | Q(need__requester_unit__in=units))
    counts = projects.order_by().aggregate(
        claims=Count("pk", filter=Q(provider__in=units, status=ProjectStatus.PROPOSED)),
        agreed=Count("pk", filter=Q(status=ProjectStatus.AGREED)),
        running=Count("pk", filter=Q(status=ProjectStatus.IN_PROGRESS)))
    claims = Section("unit_claims", _("本单位的认领(待确认)"), _("本单位没有待确认的认领"),
                     url("matching:project_list", provided=True, status=ProjectStatus.PROPOSED), counts["claims"])
    if counts["claims"]:
        claims.rows = [Row(str(p), p.get_absolute_url(), _day(timezone.localdate(p.claimed_at)))
                       for p in projects.filter(provider__in=units, status=ProjectStatus.PROPOSED)
                       .select_related("need", "provider").order_by("-claimed_at", "-pk")[:ROWS]]
    active = counts["agreed"] + counts["running"]
    # No headline count: the list behind the title holds every project of the unit; each figure opens its status.
    project_section = Section("unit_projects", _("本单位的项目"), _("本单位没有进行中的项目"),
                              url("matching:project_list", mine=True))
    project_section.figures = [
        Figure(ProjectStatus.AGREED.label, counts["agreed"],
               url("matching:project_list", mine=True, status=ProjectStatus.AGREED), key="agreed"),
        Figure(ProjectStatus.IN_PROGRESS.label, counts["running"],
               url("matching:project_list", mine=True, status=ProjectStatus.IN_PROGRESS), key="in_progress"),
    ]
    if active:
        project_section.rows = [Row(str(p), p.get_absolute_url(), p.get_status_display())
                                for p in projects.filter(status__in=(ProjectStatus.AGREED, ProjectStatus.IN_PROGRESS))
                                .select_related("need", "provider").order_by("-claimed_at", "-pk")[:ROWS]]

    demands = Demand.objects.restrict(user).filter(requester_enterprise_id__in=scope.enterprise_ids,
                                                   status__in=OPEN_STATUSES)
    first, demand_count = first_rows(demands.order_by("-created", "-pk"))
    demand_section = Section("unit_demands", _("本单位提出、办理中的需求"), _("本单位没有办理中的需求"),
                             reverse("demands:demand_list"), demand_count)
    demand_section.rows = [Row(str(d), d.get_absolute_url(), d.get_status_display()) for d in first]
    return [need_section, claims, project_section, demand_section]


def member_panel(user, scope: Scope, today: dt.date) -> list[Section]:
    """A member's own: activities signed up for, dues, pioneer index, activities open for sign-up."""
    from jiceng.activities.models import ACTIVE_SIGNUP_STATUSES, Activity, ActivityStatus, SignUp
    from jiceng.members import dues, pioneer
    from jiceng.members.models import Member

    member = Member.objects.restrict(user).filter(pk__in=scope.member_ids).order_by("pk").first()
    if member is None:
        return []
    now = timezone.now()
    signups = (SignUp.objects.filter(member=member, status__in=ACTIVE_SIGNUP_STATUSES, activity__end__gte=now)
               .select_related("activity").order_by("activity__start", "pk"))
    signed, count = first_rows(signups)
    mine = Section("my_activities", _("我报名的活动"), _("还没有报名即将开始的活动"), reverse("activities:mine"),
                   count)
    mine.rows = [Row(s.activity.title, s.activity.get_absolute_url(),
                     f"{timezone.localtime(s.activity.start):%m-%d %H:%M} · {s.get_status_display()}",
                     WARNING if s.status != ACTIVE_SIGNUP_STATUSES[0] else "") for s in signed]

    owed, monthly = dues.member_status(member, today)
    dues_section_ = Section("my_dues", _("我的党费"), _("党费已缴清"), reverse("members:me"),
                            len(owed.months) if owed else 0)
    dues_section_.figures = [
        Figure(_("本月应缴(元)"), f"{monthly:.2f}" if monthly is not None else "—", key="monthly"),
        Figure(_("欠缴月数"), len(owed.months) if owed else 0, tone=DANGER if owed else "", key="months"),
        Figure(_("欠缴金额(元)"), f"{owed.amount:.2f}" if owed else "0.00", tone=DANGER if owed else "",
               key="amount"),
    ]

    period = pioneer.parse_period(None, today)
    score = pioneer.breakdown(member, period.start, period.end)
    index = Section("my_pioneer", _("我的先锋指数") + f" · {period.label}", _("本期还没有得分"), reverse("members:me"),
                    None)
    index.figures = [Figure(_("得分"), f"{score.total:.2f}".rstrip("0").rstrip(".") if score.total else 0,
                            reverse("members:me"), key="total")]
    index.rows = [Row(str(c.label), None, f"{c.quantity} → {c.points}") for c in score.components if c.quantity]

    open_ = (Activity.objects.restrict(user).filter(status=ActivityStatus.PLANNED, start__gt=now)
             .exclude(pk__in=SignUp.objects.filter(member=member, status__in=ACTIVE_SIGNUP_STATUSES)
                      .values("activity")).order_by("start", "pk"))
    upcoming, count = first_rows(open_)
    # "我的活动" lists the same: planned activities to come that the member has not signed up for.
    sign_up = Section("sign_up", _("可以报名的活动"), _("近期没有可以报名的活动"), reverse("activities:mine"), count)
    sign_up.rows = [Row(a.title, a.get_absolute_url(), f"{timezone.localtime(a.start):%m-%d %H:%M}")
                    for a in upcoming]
    return [mine, dues_section_, index, sign_up]


def resident_panel(user, scope: Scope, today: dt.date) -> list[Section]:
    """A user with no role (a resident or white-collar worker who registered with their mobile, issue 19): their
    demands, their latest notifications, activities open to them, and where to choose how they are told."""
    from jiceng.activities.models import Activity, ActivityStatus
    from jiceng.demands.models import Demand

    now = timezone.now()
    first, count = first_rows(Demand.objects.restrict(user).filter(requester_user=user).order_by("-created", "-pk"))
    demands = Section("my_demands", _("我提的需求"), _("还没有提过需求"), reverse("demands:demand_list"), count)
    demands.rows = [Row(str(d), d.get_absolute_url(), d.get_status_display()) for d in first]
    latest, count = first_rows(user.notifications.order_by("-created", "-pk"))
    told = Section("my_notifications", _("我的通知"), _("还没有通知"), reverse("demands:inbox"),
                   unread_count(user))
    told.rows = [Row(n.text, n.url or None, f"{timezone.localtime(n.created):%m-%d %H:%M}",
                     "" if n.read else WARNING) for n in latest]
    upcoming, count = first_rows(Activity.objects.restrict(user).filter(status=ActivityStatus.PLANNED, start__gt=now)
                                 .order_by("start", "pk"))
    activities = Section("open_activities", _("近期活动"), _("近期没有开放的活动"), reverse("activities:activity_list"),
                         count)
    activities.rows = [Row(a.title, a.get_absolute_url(), f"{timezone.localtime(a.start):%m-%d %H:%M}")
                       for a in upcoming]
    settings_ = Section("my_settings", _("通知方式"), "", reverse("channels:preferences"), None)
    settings_.rows = [Row(_("选择短信、邮件或企业微信群提醒"), reverse("channels:preferences"))]
    return [demands, told, activities, settings_]


# What the overview counts: a save or delete of any of these retires the figures computed before it.
OVERVIEW_WATCHES = ("enterprises.Enterprise", "organizations.Coverage", "organizations.Organization",
                    "members.Member", "places.Place", "demands.Demand")
OVERVIEWS = Reused("workbench-overview", 16)


def overview_panel(user, scope: Scope, today: dt.date) -> list[Section]:
    """Coverage and demand figures per street of the district (per district for a superuser), with links."""
    from jiceng.demands.models import OPEN_STATUSES, Demand, overdue_q
    from jiceng.organizations import coverage
    from jiceng.places.models import Place

    key, param = ("district_id", "place") if scope.everything else ("street_id", "street")

    def compute() -> tuple[list, dict]:
        demands = Demand.objects.restrict(user)
        if scope.everything:
            areas = coverage.district_summaries()
        else:
            areas = [report for district in Place.objects.filter(pk__in=scope.district_ids).order_by("name", "pk")
                     for report in coverage.area_summaries(district)]
            demands = demands.filter(district_id__in=scope.district_ids)
        figures = {row[key]: row for row in demands.filter(status__in=OPEN_STATUSES).order_by().values(key)
                   .annotate(open=Count("*"), overdue=Count("status", filter=overdue_q(today)))}
        return areas, figures

    # A city's figures read every enterprise, member and open demand (1 s at city scale); a district's, its
    # own (0.2 s). They are kept for a while and retired by any recorded change to what they count.
    areas, figures = OVERVIEWS.get_or_compute(
        ("everything" if scope.everything else tuple(sorted(scope.district_ids)), today), compute,
        settings.JICENG.get("WORKBENCH_OVERVIEW_SECONDS", 0))
    table = Table([_("地域"), _("两新组织"), _("组织覆盖率"), _("党员"), _("办理中需求"), _("超期需求")], [])
    for report in areas:
        place = report.place
        row = figures.get(place.pk, {})
        table.rows.append([
            (place.name, url("organizations:coverage", place=place.pk)),
            (str(report.enterprises), url("organizations:coverage", place=place.pk)),
            (f"{report.org_coverage_rate:.0%}", url("organizations:coverage", place=place.pk)),
            (str(report.members), url("organizations:coverage", place=place.pk)),
            (str(row.get("open", 0)), url("demands:demand_list", **{param: place.pk})),
            (str(row.get("overdue", 0)), url("demands:demand_list", overdue=True, **{param: place.pk})),
        ])
    totals = {name: sum(r.get(name, 0) for r in figures.values()) for name in ("open", "overdue")}
    title = _("各区覆盖与需求") if scope.everything else _("各街道覆盖与需求")
    section = Section("areas", title, _("范围内还没有街道"), reverse("organizations:coverage"), len(areas))
    section.table = table
    section.figures = [
        Figure(_("两新组织"), sum(r.enterprises for r in areas), reverse("organizations:coverage"), key="enterprises"),
        Figure(_("组织覆盖率"), f"{_rate(areas):.0%}", reverse("organizations:coverage"), key="rate"),
        Figure(_("办理中需求"), totals["open"], reverse("demands:demand_list"), key="open"),
        Figure(_("超期需求"), totals["overdue"], url("demands:demand_list", overdue=True),
               DANGER if totals["overdue"] else "", key="overdue"),
    ]
    return [section]


def _rate(areas) -> float:
    total = sum(r.enterprises for r in areas)
    return sum(r.org_covered for r in areas) / total if total else 0.0


# Which panel each role opens, in the order they are shown. Building workers and heads share one panel.
Builder = Callable[[object, Scope, dt.date], list[Section]]
PANELS: list[tuple[str, tuple[str, ...], Builder]] = [
    ("overview", (Role.DISTRICT_ADMIN,), overview_panel),
    ("street", (Role.STREET_STAFF,), street_panel),
    ("building", (Role.BUILDING_WORKER, Role.BUILDING_HEAD), building_panel),
    ("secretary", (Role.ORG_SECRETARY,), secretary_panel),
    ("unit", (Role.UNIT_CONTACT,), unit_panel),
    ("member", (Role.MEMBER,), member_panel),
    ("department", (Role.DEPARTMENT_STAFF,), department_panel),
]


def role_labels(user) -> list[str]:
    """The user's roles by their label (a superuser: 超级管理员), in the order of `Role`."""
    scope = scope_for(user)
    if scope.everything:
        return [_("超级管理员")]
    return [str(role.label) for role in Role if role.value in scope.roles]


def workbench(user, today: dt.date | None = None) -> list[Panel]:
    """The panels of every role the user holds (a superuser: the overview of every district)."""
    today = today or timezone.localdate()
    scope = scope_for(user)
    panels = []
    for key, roles, build in PANELS:
        held = [role for role in roles if role.value in scope.roles]
        if scope.everything and key == "overview":
            held = [_("超级管理员")]
        elif not held:
            continue
        title = " / ".join(str(getattr(role, "label", role)) for role in held)
        sections = build(user, scope, today)
        if sections:
            panels.append(Panel(key, title, sections))
    if not panels and not scope.everything and not scope.roles and "jiceng.channels" in settings.INSTALLED_APPS:
        panels.append(Panel("resident", str(_("居民/白领")), resident_panel(user, scope, today)))
    return panels

