"""The pioneer index (先锋指数, seed 004): a member's score over a period, with its breakdown.

Components (weights per unit are data: `PioneerWeight`, shipped by migration 0004):
- organizational life: attendances at activities of the fixed organizational life (三会一课, theme party day,
  organizational-life meeting, appraisal — `ORGANIZATIONAL_LIFE_KINDS`);
- other activities: attendances at any other kind of activity except volunteering;
- volunteering hours: the recorded hours of attendances at volunteering activities (volunteering counts by
  the hour only, not also as an activity attended);
- projects claimed: projects of the three lists led by the member (`Project.lead_member`), claimed in the
  period and not cancelled;
- projects completed: projects led by the member, completed in the period (status completed or evaluated);
- lecture ratings: for each rating of a talk the member gave as speaker, the points above 3 (a 5 counts 2,
  a 4 counts 1, 3 and below count nothing), so the index rewards well-rated talks and never goes down.

An attendance or rating belongs to the period of its activity's start; cancelled activities count nothing.
`score = Σ quantity × points per unit`, computed in Decimal, so the breakdown always sums to the score.

`scores(members, start, end)` answers for any set of members with four grouped queries (attendance, projects,
ratings, weights) plus the members themselves — never one query per member.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Sum, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import MAX_INT
from jiceng.core.reuse import Reused, queryset_key
from jiceng.core.scoping import scope_for
from jiceng.organizations.models import Organization
from jiceng.places.models import AREA_KINDS, Place, PlaceKind

from .models import PIONEER_UNITS, Member, PioneerComponent, PioneerWeight

C = PioneerComponent
COMPONENTS: tuple[str, ...] = tuple(C.values)
ZERO = Decimal("0")
CENT = Decimal("0.01")

# Tunable defaults, overridable in settings.JICENG under the same names.
DEFAULTS = {
    "PIONEER_TOP_N": 10,  # how many members the 创新先锋 selection proposes by default
    "PIONEER_PERIOD": "quarter",  # the default period kind: quarter, half or year
    # How long a computed leaderboard is reused (seconds; 0: never). Any recorded attendance, rating, project,
    # activity, member or weight change starts a new one at once (decision 041); the bound is for the rest.
    "PIONEER_BOARD_SECONDS": 300,
}


def conf(name: str):
    return getattr(settings, "JICENG", {}).get(name, DEFAULTS[name])


# --- periods -----------------------------------------------------------------------------------------------------
PERIOD_KINDS = {"quarter": _("季度"), "half": _("半年"), "year": _("年度")}
_PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<part>[QqHh])(?P<n>\d))?$")


@dataclass(frozen=True)
class Period:
    """A quarter (`2026-Q3`), a half-year (`2026-H1`) or a year (`2026`); `end` is the last day, inclusive."""

    key: str
    kind: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        year = self.start.year
        if self.kind == "quarter":
            return _("%(year)s 年第 %(n)s 季度") % {"year": year, "n": (self.start.month - 1) // 3 + 1}
        if self.kind == "half":
            return _("%(year)s 年上半年") % {"year": year} if self.start.month == 1 else \
                _("%(year)s 年下半年") % {"year": year}
        return _("%(year)s 年") % {"year": year}


def _period(year: int, kind: str, n: int = 1) -> Period:
    if kind == "quarter":
        start = dt.date(year, 3 * n - 2, 1)
        end = dt.date(year + 1, 1, 1) if n == 4 else dt.date(year, 3 * n + 1, 1)
        return Period(f"{year}-Q{n}", kind, start, end - dt.timedelta(days=1))
    if kind == "half":
        start = dt.date(year, 1 if n == 1 else 7, 1)
        end = dt.date(year, 7, 1) if n == 1 else dt.date(year + 1, 1, 1)
        return Period(f"{year}-H{n}", kind, start, end - dt.timedelta(days=1))
    return Period(str(year), "year", dt.date(year, 1, 1), dt.date(year, 12, 31))


def period_containing(day: dt.date, kind: str) -> Period:
    if kind == "quarter":
        return _period(day.year, kind, (day.month - 1) // 3 + 1)
    if kind == "half":
        return _period(day.year, kind, 1 if day.month <= 6 else 2)
    return _period(day.year, "year")


def parse_period(value: str | None, today: dt.date | None = None) -> Period:
    """`2026-Q3`, `2026-H1`, `2026`, or a kind (`quarter`, `half`, `year`) for the current one; empty: default.

    Raises ValidationError naming the field `period`.
    """
    today = today or timezone.localdate()
    value = (value or "").strip()
    if not value:
        value = conf("PIONEER_PERIOD")
    if value in PERIOD_KINDS:
        return period_containing(today, value)
    match = _PERIOD_RE.match(value)
    if match:
        year = int(match["year"])
        part, n = (match["part"] or "").upper(), int(match["n"] or 1)
        if 2000 <= year <= 2100 and (not part or (part == "Q" and 1 <= n <= 4) or (part == "H" and n in (1, 2))):
            return _period(year, {"Q": "quarter", "H": "half", "": "year"}[part], n)
    raise ValidationError({"period": _("统计周期格式不正确:应为 2026-Q1(季度)、2026-H1(半年)或 2026(年度),"
                                       "年份在 2000–2100 之间。")})


def recent_periods(today: dt.date | None = None) -> list[Period]:
    """The choices offered in the selector: the last eight quarters, four half-years and three years."""
    today = today or timezone.localdate()
    quarters, halves = [], []
    day = today
    while len(quarters) < 8:
        quarters.append(period_containing(day, "quarter"))
        day = quarters[-1].start - dt.timedelta(days=1)
    day = today
    while len(halves) < 4:
        halves.append(period_containing(day, "half"))
        day = halves[-1].start - dt.timedelta(days=1)
    years = [_period(today.year - i, "year") for i in range(3)]
    return quarters + halves + years


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in local time, for filtering timestamps."""
    tz = timezone.get_current_timezone()
    after = end + dt.timedelta(days=1)
    return (dt.datetime(start.year, start.month, start.day, tzinfo=tz),
            dt.datetime(after.year, after.month, after.day, tzinfo=tz))


# --- weights -----------------------------------------------------------------------------------------------------
def weights() -> dict[str, Decimal]:
    """Points per unit of each component (a component without a row counts nothing)."""
    stored = dict(PioneerWeight.objects.values_list("component", "points"))
    return {code: stored.get(code, ZERO) for code in COMPONENTS}


# --- scores ------------------------------------------------------------------------------------------------------
class Component:
    """One line of a breakdown: quantity × points per unit = points."""

    __slots__ = ("code", "quantity", "weight", "points")

    def __init__(self, code: str, quantity: Decimal, weight: Decimal) -> None:
        self.code, self.quantity, self.weight = code, quantity, weight
        self.points = (quantity * weight).quantize(CENT)

    def __repr__(self) -> str:
        return f"Component({self.code!r}, {self.quantity}, {self.weight})"

    @property
    def label(self) -> str:
        return str(C(self.code).label)

    @property
    def unit(self) -> str:
        return str(PIONEER_UNITS[self.code])


class _PointsMemo(dict):
    """The weights (a mapping code → weight, as given) that also remember each component's points per quantity."""

    def __init__(self, weight: Mapping[str, Decimal]) -> None:
        super().__init__(weight)
        self._points: dict[tuple[str, Decimal], Decimal] = {}

    def of(self, code: str, quantity: Decimal) -> Decimal:
        key = (code, quantity)
        found = self._points.get(key)
        if found is None:
            found = self._points[key] = (quantity * self[code]).quantize(CENT)
        return found


class ScoreRow:
    """A member's score: `total` is the sum of the components' points (each rounded to the cent)."""

    # Slots, and components built only when asked for: a district's leaderboard ranks tens of thousands of rows.
    __slots__ = ("member_id", "name", "organization_id", "organization_name", "found", "weight", "total", "rank",
                 "member")

    def __init__(self, member_id: int, name: str, organization_id: int | None, organization_name: str,
                 found: Mapping[str, Decimal], weight: Mapping[str, Decimal]) -> None:
        self.member_id, self.name = member_id, name
        self.organization_id, self.organization_name = organization_id, organization_name or ""
        self.found, self.weight = found, weight
        points = weight if isinstance(weight, _PointsMemo) else _PointsMemo(weight)
        total = ZERO
        for code, quantity in found.items():
            total += points.of(code, quantity)
        self.total = total
        self.rank = 0
        self.member: Member | None = None

    def __repr__(self) -> str:
        return f"ScoreRow({self.member_id}, {self.name!r}, total={self.total})"

    @property
    def components(self) -> list[Component]:
        return [Component(code, self.found.get(code, ZERO), self.weight[code]) for code in COMPONENTS]

    def component(self, code: str) -> Component:
        return Component(code, self.found.get(code, ZERO), self.weight[code])


def quantities(members: QuerySet[Member], start: dt.date, end: dt.date) -> dict[int, dict[str, Decimal]]:
    """Per member id: the quantity of each component in [start, end] (members with nothing are absent)."""
    from jiceng.activities.models import ORGANIZATIONAL_LIFE_KINDS, ActivityKind, ActivityStatus, Attendance, Rating
    from jiceng.matching.models import Project, ProjectStatus

    lo, hi = bounds(start, end)
    ids = members.order_by().values("pk")
    result: dict[int, dict[str, Decimal]] = {}

    def put(member_id: int, code: str, value) -> None:
        if value:
            result.setdefault(member_id, {})[code] = Decimal(value)

    life = Q(activity__kind__in=ORGANIZATIONAL_LIFE_KINDS)
    volunteering = Q(activity__kind=ActivityKind.VOLUNTEERING)
    attendance = (Attendance.objects.filter(member__in=ids, activity__start__gte=lo, activity__start__lt=hi)
                  .exclude(activity__status=ActivityStatus.CANCELLED).order_by().values("member_id")
                  .annotate(life=Count("pk", filter=life), other=Count("pk", filter=~life & ~volunteering),
                            hours=Sum("hours", filter=volunteering))
                  .values_list("member_id", "life", "other", "hours"))
    for member_id, life_count, other_count, hours in attendance:
        put(member_id, C.ORGANIZATIONAL_LIFE, life_count)
        put(member_id, C.ACTIVITY, other_count)
        put(member_id, C.VOLUNTEER_HOURS, hours)

    claimed = Q(claimed_at__gte=lo, claimed_at__lt=hi) & ~Q(status=ProjectStatus.CANCELLED)
    completed = Q(completed_at__gte=lo, completed_at__lt=hi,
                  status__in=[ProjectStatus.COMPLETED, ProjectStatus.EVALUATED])
    projects = (Project.objects.filter(claimed | completed, lead_member__in=ids).order_by().values("lead_member_id")
                .annotate(claimed=Count("pk", filter=claimed), completed=Count("pk", filter=completed))
                .values_list("lead_member_id", "claimed", "completed"))
    for member_id, claimed_count, completed_count in projects:
        put(member_id, C.PROJECT_CLAIMED, claimed_count)
        put(member_id, C.PROJECT_COMPLETED, completed_count)

    above_three = Case(When(score__gt=3, then=F("score") - 3), default=0, output_field=IntegerField())
    # A speaker's own rating of their talk does not count.
    ratings = (Rating.objects.filter(activity__speaker__in=ids, activity__start__gte=lo, activity__start__lt=hi)
               .exclude(activity__status=ActivityStatus.CANCELLED).exclude(member_id=F("activity__speaker_id"))
               .order_by().values("activity__speaker_id")
               .annotate(points=Sum(above_three)).values_list("activity__speaker_id", "points"))
    for member_id, points in ratings:
        put(member_id, C.LECTURE_RATING, points)
    return result


def scores(members: QuerySet[Member], start: dt.date, end: dt.date, *,
           weight: Mapping[str, Decimal] | None = None) -> list[ScoreRow]:
    """Every member of `members` with their components and total over [start, end], best first.

    Ties keep the same rank (1, 2, 2, 4 …) and are listed by name (code point order, on every database).
    A board computed a moment ago for the same members, period and weights is reused (see `BOARDS`).
    """
    weight = weights() if weight is None else weight
    seconds = conf("PIONEER_BOARD_SECONDS")
    if not seconds:
        return _ranked(members, start, end, weight)
    return BOARDS.get_or_compute(_board_parts(members, start, end, weight),
                                 lambda: _ranked(members, start, end, weight), seconds)


def _ranked(members: QuerySet[Member], start: dt.date, end: dt.date,
            weight: Mapping[str, Decimal]) -> list[ScoreRow]:
    found = quantities(members, start, end)
    nothing: dict[str, Decimal] = {}
    # Sorted here rather than by ORDER BY name: SQLite would then walk the whole name index (0.5 s for a district).
    people = sorted(members.order_by().values_list("name", "pk", "organization_id", "organization__name"))
    # Quantities are mostly small counts shared by many members: each (component, quantity) is priced once, not
    # once per member (a district ranks 26,000 members).
    points = _PointsMemo(weight)
    rows = [ScoreRow(pk, name, org_id, org_name, found.get(pk, nothing), points)
            for name, pk, org_id, org_name in people]
    rows.sort(key=lambda r: r.total, reverse=True)  # stable: ties stay in name order
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row.total != previous:
            rank, previous = position, row.total
        row.rank = rank
    return rows


# --- reusing boards ----------------------------------------------------------------------------------------------
# A district's board ranks ~26,000 members from ~200,000 attendance rows (0.4 s); officers page through it and
# export it many times in a row. Boards are kept per process a few minutes, never after a change (core.reuse);
# the highest attendance and rating ids are in the key, since bulk inserts send no signal.
BOARDS_KEPT = 16
BOARDS = Reused("pioneer", BOARDS_KEPT)
WATCHED = ("activities.Attendance", "activities.Activity", "activities.Rating", "matching.Project",
           "members.Member", "members.PioneerWeight", "organizations.Organization")


def _board_parts(members: QuerySet[Member], start: dt.date, end: dt.date, weight: Mapping[str, Decimal]) -> tuple:
    from jiceng.activities.models import Attendance, Rating

    return (queryset_key(members), start, end, sorted(weight.items()),
            Attendance.objects.aggregate(m=Max("pk"))["m"], Rating.objects.aggregate(m=Max("pk"))["m"])


def breakdown(member: Member, start: dt.date, end: dt.date, *,
              weight: Mapping[str, Decimal] | None = None) -> ScoreRow:
    """One member's components and total over [start, end]."""
    weight = weights() if weight is None else weight
    found = quantities(Member.objects.filter(pk=member.pk), start, end).get(member.pk, {})
    row = ScoreRow(member.pk, member.name, member.organization_id, "", found, weight)
    row.member = member
    return row


def innovation_pioneers(rows: Iterable[ScoreRow], *, top: int | None = None,
                        threshold: Decimal | None = None) -> list[ScoreRow]:
    """The 创新先锋 proposal from a ranked list: the top `top` (members tied with the last one included) and/or
    everyone scoring at least `threshold`; a member with no points is never proposed."""
    rows = [r for r in rows if r.total > 0]
    if threshold is not None:
        rows = [r for r in rows if r.total >= threshold]
    if top is not None:
        rows = [r for r in rows if r.rank <= top]
    return rows


def parse_selection(top: str | None, threshold: str | None) -> tuple[int | None, Decimal | None]:
    """The selection's parameters from a form or query string; neither given → the default top N."""
    errors = {}
    top_n = threshold_value = None
    if top not in (None, ""):
        try:
            top_n = int(top)
        except (TypeError, ValueError):
            top_n = -1
        if not 1 <= top_n <= 10_000:
            errors["top"] = _("前 N 名须为 1 到 10000 之间的整数。")
    if threshold not in (None, ""):
        try:
            threshold_value = Decimal(str(threshold))
            if not threshold_value.is_finite() or not ZERO <= threshold_value <= Decimal("1000000"):
                raise ValueError
        except (ArithmeticError, ValueError):
            errors["threshold"] = _("分数线须为 0 到 1000000 之间的数。")
    if errors:
        raise ValidationError(errors)
    if top_n is None and threshold_value is None:
        top_n = conf("PIONEER_TOP_N")
    return top_n, threshold_value


# --- whose leaderboard -------------------------------------------------------------------------------------------
def in_place(members: QuerySet[Member], place: Place) -> QuerySet[Member]:
    """Members whose organization is located in the place's subtree (a building's, a street's, a district's)."""
    if place.kind == PlaceKind.DISTRICT:
        return members.filter(organization__district_id=place.pk)
    if place.kind == PlaceKind.STREET:
        return members.filter(organization__street_id=place.pk)
    # Through a subquery on the small place table: a LIKE on the joined path would scan every member.
    return members.filter(organization__place__in=Place.objects.filter(path__startswith=place.path).values("pk"))


def in_organization(members: QuerySet[Member], organization) -> QuerySet[Member]:
    """Members of the organization and of the organizations under it."""
    return members.filter(organization.subtree_q())


PICKER_KINDS = (PlaceKind.DISTRICT, PlaceKind.STREET, *AREA_KINDS, PlaceKind.BUILDING)
PICKER_LIMIT = 600


@dataclass
class Target:
    """Whose leaderboard: a place (its subtree) or an organization (its subtree), within the user's scope."""

    place: Place | None = None
    organization: Organization | None = None

    @property
    def label(self) -> str:
        if self.organization is not None:
            return self.organization.name
        return self.place.name if self.place is not None else ""

    def members(self, user) -> QuerySet[Member]:
        members = Member.objects.restrict(user).active()
        if self.organization is not None:
            return in_organization(members, self.organization)
        if self.place is not None:
            return in_place(members, self.place)
        return members.none()


def parse_pk(value, field_name: str) -> int:
    """An id from a query string; anything but a positive 64-bit integer is bad input naming the field."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = 0
    if not 1 <= pk <= MAX_INT:
        raise ValidationError({field_name: _("请选择有效的编号。")})
    return pk


def _scoped_pk(model, user, field_name: str, value: str):
    pk = parse_pk(value, field_name)
    obj = model.objects.restrict(user).filter(pk=pk).first()
    if obj is None:  # outside the user's scope, or no such row: not found either way
        raise Http404
    return obj


def target_for(user, place: str | None = None, organization: str | None = None) -> Target:
    """The chosen place or organization (404 when out of scope); neither chosen → the user's own first one."""
    if organization not in (None, ""):
        return Target(organization=_scoped_pk(Organization, user, "organization", organization))
    if place not in (None, ""):
        return Target(place=_scoped_pk(Place, user, "place", place))
    scope = scope_for(user)
    by_place = scope.everything or scope.district_ids or scope.street_ids or scope.place_paths
    if by_place:
        first = (Place.objects.restrict(user).filter(kind__in=PICKER_KINDS).order_by("depth", "path")
                 .only("pk", "name", "kind", "path").first())
        if first is not None:
            return Target(place=first)
    return Target(organization=Organization.objects.restrict(user).order_by("path").first())


def place_choices(user) -> list[Place]:
    """Districts, streets, areas and buildings in scope for the picker (buildings dropped when too many)."""
    places = Place.objects.restrict(user).filter(kind__in=PICKER_KINDS).only("pk", "name", "kind", "depth", "path")
    places = places.order_by("path")
    if places.count() > PICKER_LIMIT:
        places = places.exclude(kind=PlaceKind.BUILDING)
    return list(places[:5000])


def organization_choices(user) -> list[Organization]:
    return list(Organization.objects.restrict(user).only("pk", "name", "path").order_by("path")[:1000])
