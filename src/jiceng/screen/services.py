"""What the big screen shows for a district, street or area, and whose screen it is (decision 057).

The demand figures come from the roll-ups (`jiceng.screen.rollups`): today's and this month's demands by category
and status are one indexed read of at most 31 days × categories × statuses rows per place. The other panels —
five colours, coverage, members and organizations, projects, activities, pioneers — change slowly and read larger
tables; they are kept for a while per process (core.reuse, retired by any recorded change to what they count).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.i18n import english_active, localized
from jiceng.core.reuse import Reused
from jiceng.core.scoping import scope_for
from jiceng.demands.models import Category, DemandStatus
from jiceng.places.models import AREA_KINDS, Place, PlaceKind

from .models import DemandRollup, FeedEntry, FeedKind, RollupStamp
from .rollups import FEED_DAYS, LEVELS

# Who may open a screen: the staff roles with a place (a building head, a secretary, a unit, a member: 403).
SCREEN_ROLES = frozenset({"district_admin", "street_staff", "building_worker"})
SCREEN_KINDS = (PlaceKind.DISTRICT, PlaceKind.STREET, *AREA_KINDS)
FEED_ROWS = 12
PIONEERS = 5
AREAS_SHOWN = 10


@dataclass
class Target:
    """The places a screen adds up: one district, street or area, or (a superuser's default) every district."""

    places: list[Place]
    everything: bool = False
    label: str = ""
    ids: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ids = [p.pk for p in self.places]


def can_open(user) -> bool:
    scope = scope_for(user)
    return scope.everything or bool(SCREEN_ROLES & scope.roles)


def _in_scope(scope, place: Place) -> bool:
    if scope.everything:
        return True
    if place.district_id in scope.district_ids or place.street_id in scope.street_ids:
        return True
    # A building worker's place (a park): its own screen; never a street or district above it.
    return any(place.path.startswith(path) for path in scope.worker_place_paths)


def target_for(user, place_value: str | None = None) -> Target:
    """The screen's places for this user: `?place=ID` (a district, street or area in scope: else 404), or their
    own (a superuser: the city; an officer: their districts or streets; a building worker: their areas).
    403 for roles without a screen."""
    if not can_open(user):
        raise PermissionDenied(_("大屏供区、街道工作人员和楼宇工作者使用。"))
    scope = scope_for(user)
    if place_value not in (None, ""):
        try:
            pk = int(place_value)
        except (TypeError, ValueError):
            raise Http404 from None
        place = Place.objects.filter(pk=pk, kind__in=SCREEN_KINDS, depth__lt=LEVELS).first()
        if place is None or not _in_scope(scope, place):
            raise Http404
        return Target([place], label=place.name)
    if scope.everything:
        districts = list(Place.objects.filter(kind=PlaceKind.DISTRICT).order_by("name", "pk"))
        return Target(districts, everything=True, label=_("全市"))
    places = list(Place.objects.filter(
        Q(pk__in=scope.district_ids) | Q(pk__in=scope.street_ids)
        | Q(pk__in=[p for p in scope.place_ids if p], kind__in=SCREEN_KINDS, depth__lt=LEVELS)).order_by("path"))
    # Places under another of them are counted in it already.
    places = [p for p in places if not any(p.path.startswith(o.path) and p.pk != o.pk for o in places)]
    if not places:
        raise PermissionDenied(_("您的工作范围内没有可显示大屏的区、街道或园区楼宇。"))
    return Target(places, label="、".join(p.name for p in places))


def choices(user, own: Target | None = None) -> list[Place]:
    """Other screens the user may open: their own places and the places right under them."""
    target = own or target_for(user)
    if target.everything:
        return target.places
    children = Place.objects.filter(parent__in=target.places, kind__in=SCREEN_KINDS).order_by("path")
    return [*target.places, *children[:200]]


# --- the live part: roll-ups, feed, version ------------------------------------------------------------------------

def version(target: Target) -> int:
    """The sum of the places' stamps: it changes with every write that changes their counts."""
    return RollupStamp.objects.filter(place_id__in=target.ids).aggregate(v=Sum("version"))["v"] or 0


def _labelled(counts: dict, labels: dict) -> list[dict]:
    return [{"key": key, "label": labels.get(key, str(key)), "value": n}
            for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0]))) if n]


def _rollup_figures(target: Target, first: dt.date, last: dt.date) -> list[tuple]:
    """The target's counts over [first, last], summed three ways in one statement on the table's unique key
    (place, day, …): ("m", None, category, name, name_en, status, n) for the period by category and status,
    ("t", …) the same for `last` alone, ("d", day as text, …, n) per day.

    Plain SQL, summed by the database: this runs on every change for every open screen, and at the end of a month a
    district has some 1,700 (day, category, status) rows, which cost more to bring into Python than to sum."""
    qn = connection.ops.quote_name
    rollup, category, n = qn(DemandRollup._meta.db_table), qn(Category._meta.db_table), qn("count")
    places = ", ".join(["%s"] * len(target.ids)) or "NULL"
    where = f"r.place_id IN ({places}) AND r.day >= %s AND r.day <= %s"
    # The day as text (`|| ''`): a column declared `date` is parsed row by row by the SQLite driver's converter.
    # The names are joined to the hundred-odd sums, not summed by: grouping by text cost PostgreSQL more than the read.
    sql = (f"SELECT 'm', NULL, m.category_id, c.name, c.name_en, m.status, m.n FROM (SELECT r.category_id, "  # noqa: S608
           f"r.status, SUM(r.{n}) AS n FROM {rollup} r WHERE {where} GROUP BY r.category_id, r.status) m "
           f"LEFT JOIN {category} c ON c.id = m.category_id "
           f"UNION ALL SELECT 't', NULL, r.category_id, NULL, NULL, r.status, SUM(r.{n}) FROM {rollup} r "
           f"WHERE {where} GROUP BY r.category_id, r.status "
           f"UNION ALL SELECT 'd', r.day || '', NULL, NULL, NULL, NULL, SUM(r.{n}) FROM {rollup} r "
           f"WHERE {where} GROUP BY r.day")
    adapt = connection.ops.adapt_datefield_value
    period, day = [*target.ids, adapt(first), adapt(last)], [*target.ids, adapt(last), adapt(last)]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*period, *day, *period])
        return cursor.fetchall()


def counts_by_category(place_ids: list[int], bounds: list[dt.date]) -> dict[int, list[int]]:
    """Demands submitted at these roll-up places (districts, streets or areas), per category (`NO_CATEGORY` for
    none), in each period [bounds[i], bounds[i + 1]) of local days: one indexed read of the roll-ups, however many
    demands the places hold."""
    periods = {f"p{i}": Sum("count", filter=Q(day__gte=start, day__lt=end))
               for i, (start, end) in enumerate(itertools.pairwise(bounds))}
    rows = (DemandRollup.objects.filter(place_id__in=place_ids, day__gte=bounds[0], day__lt=bounds[-1])
            .order_by().values("category_id").annotate(**periods))
    return {row["category_id"]: [row[key] or 0 for key in periods] for row in rows}


def demand_figures(target: Target, today: dt.date) -> dict:
    """Today's and this month's demands by category and status, and the month by day, from the roll-ups."""
    month_start = today.replace(day=1)
    sums: dict[str, dict] = {"m_cat": {}, "m_status": {}, "t_cat": {}, "t_status": {}, "d": {}}
    categories: dict[int, str] = {}
    unsorted, english = str(_("待分类")), english_active()  # asked once: per row it cost more than the query
    for part, day, category, name, name_en, status, n in _rollup_figures(target, month_start, today):
        if not n:
            continue
        if part == "d":
            sums["d"][day[:10]] = n
            continue
        if part == "m":
            categories[category] = (name_en if english and name_en else name) if name else unsorted
        sums[f"{part}_cat"][category] = sums[f"{part}_cat"].get(category, 0) + n
        sums[f"{part}_status"][status] = sums[f"{part}_status"].get(status, 0) + n
    statuses = {value: str(label) for value, label in DemandStatus.choices}
    days = [(month_start + dt.timedelta(days=i)).isoformat() for i in range((today - month_start).days + 1)]
    return {
        "today": {"total": sum(sums["t_status"].values()), "by_category": _labelled(sums["t_cat"], categories),
                  "by_status": _labelled(sums["t_status"], statuses)},
        "month": {"total": sum(sums["m_status"].values()), "by_category": _labelled(sums["m_cat"], categories),
                  "by_status": _labelled(sums["m_status"], statuses),
                  "by_day": [{"day": d, "value": sums["d"].get(d, 0)} for d in days]},
    }


def feed(target: Target, now: dt.datetime) -> list[dict]:
    """The newest demands and the newest resolved ones: what and where, never who (the screen hangs in a hall)."""
    entries = FeedEntry.objects.filter(at__gte=now - dt.timedelta(days=FEED_DAYS))
    if not target.everything:
        where = Q(pk__in=[])
        for place in target.places:
            where |= Q(**{("district_id", "street_id", "area_id")[place.depth]: place.pk})
        entries = entries.filter(where)
    # Newest first along the (place, time) index, a dozen rows joined to their demand by key; only the columns
    # shown (the demand's row is wide, and whole model rows cost more than the query).
    rows = (entries.order_by("-at")
            .values_list("kind", "at", "demand__title", "demand__text", "demand__place__name", "demand__category_id",
                         "demand__category__name", "demand__category__name_en", "demand__status")[:FEED_ROWS])
    statuses = dict(DemandStatus.choices)
    return [{"kind": kind, "kind_label": str(FeedKind(kind).label),
             "at": timezone.localtime(at).strftime("%m-%d %H:%M"), "title": title or text[:24], "place": place,
             "category": localized(name, name_en) if category_id else _("待分类"),
             "status": str(statuses.get(status, status))}
            for kind, at, title, text, place, category_id, name, name_en, status in rows]


# --- the slow part: kept a while -----------------------------------------------------------------------------------

PANELS = Reused("screen-panels", 32)
PANELS.watch("enterprises.Enterprise", "organizations.Coverage", "organizations.Organization", "members.Member",
             "risk.EnterpriseRisk", "matching.Project", "activities.Activity", "activities.Attendance",
             "activities.SignUp", "places.Place")


def _located(queryset: QuerySet, target: Target, prefix: str = "", place: str | None = None) -> QuerySet:
    """Rows in the target's places, by the indexed district/street keys (`<prefix>district`) or the ids of the
    place subtree (`place`, by default `<prefix>place`)."""
    if target.everything:
        return queryset
    place = place or f"{prefix}place"
    where = Q(pk__in=[])
    for p in target.places:
        if p.kind == PlaceKind.DISTRICT:
            where |= Q(**{f"{prefix}district_id": p.pk})
        elif p.kind == PlaceKind.STREET:
            where |= Q(**{f"{prefix}street_id": p.pk})
        else:
            where |= Q(**{f"{place}__in": Place.objects.filter(path__startswith=p.path).values("pk")})
    return queryset.filter(where)


def colours(target: Target) -> dict:
    """Enterprises at each of the five levels (risk app), overall and for the areas with the most enterprises."""
    from jiceng.enterprises.models import Enterprise
    from jiceng.risk.choices import LEVEL_HEX, RiskLevel
    from jiceng.risk.selectors import with_risk

    rows = (with_risk(_located(Enterprise.objects.all(), target)).order_by()
            .values_list("place_id", "risk_level").annotate(n=Count("pk")))
    paths = {}
    counts: dict[int, dict[int, int]] = {}
    totals: dict[int, int] = {}
    rows = list(rows)
    if rows:
        paths = dict(Place.objects.filter(pk__in={r[0] for r in rows}).values_list("pk", "path"))
    for place_id, level, n in rows:
        parts = paths[place_id].strip("/").split("/")
        area = int(parts[2]) if len(parts) > 2 else int(parts[-1])
        counts.setdefault(area, {})[level] = counts.get(area, {}).get(level, 0) + n
        totals[level] = totals.get(level, 0) + n
    top = sorted(counts, key=lambda a: -sum(counts[a].values()))[:AREAS_SHOWN]
    names = dict(Place.objects.filter(pk__in=top).values_list("pk", "name"))
    levels = [RiskLevel.info(level) for level in RiskLevel.values]
    return {
        "levels": [{"value": i["value"], "label": f"{i['colour_label']}·{i['label']}", "colour": LEVEL_HEX[i["value"]]}
                   for i in levels],
        "totals": [totals.get(i["value"], 0) for i in levels],
        "areas": [{"name": names.get(a, ""), "counts": [counts[a].get(i["value"], 0) for i in levels]} for a in top],
    }


def coverage_and_party(target: Target) -> dict:
    from django.db.models import Exists, OuterRef

    from jiceng.enterprises.models import Enterprise
    from jiceng.members.models import Member
    from jiceng.organizations.models import Coverage, Organization, OrgKind

    covered = Exists(Coverage.objects.filter(enterprise=OuterRef("pk")))
    ent = _located(Enterprise.objects.all(), target).aggregate(
        total=Count("pk"), org=Count("pk", filter=Q(covered)),
        work=Count("pk", filter=Q(~Q(covered), instructor__isnull=False)))
    total = ent["total"] or 0

    def rate(n: int) -> float:
        return round(n / total, 4) if total else 0.0

    kinds = dict(OrgKind.choices)
    by_kind = dict(_located(Organization.objects.all(), target).order_by().values_list("kind").annotate(n=Count("pk")))
    members = _located(Member.objects.active(), target, "organization__").aggregate(
        total=Count("pk"), full=Count("pk", filter=Q(status="full")))
    return {
        "coverage": {"enterprises": total, "org_covered": ent["org"], "work_covered": ent["work"],
                     "org_rate": rate(ent["org"]), "work_rate": rate(ent["work"]),
                     "total_rate": rate(ent["org"] + ent["work"])},
        "party": {"members": members["total"], "full_members": members["full"],
                  "organizations": sum(by_kind.values()),
                  "by_kind": [{"key": k, "label": str(kinds.get(k, k)), "value": n}
                              for k, n in sorted(by_kind.items(), key=lambda kv: -kv[1])]},
    }


def projects(target: Target, today: dt.date) -> dict:
    from jiceng.matching.models import DONE_PROJECT_STATUSES, Project
    from jiceng.matching.models import Category as ListCategory

    year = _located(Project.objects.exclude(status="cancelled"), target, "conference__place__",
                    place="conference__place").filter(claimed_at__year=today.year)
    labels = dict(ListCategory.choices)
    by_category = year.order_by().values_list("category").annotate(
        n=Count("pk"), done=Count("pk", filter=Q(status__in=DONE_PROJECT_STATUSES)))
    rows = [{"key": c, "label": str(labels.get(c, c)), "value": n, "completed": done} for c, n, done in by_category]
    rows.sort(key=lambda r: -r["value"])
    return {"year": today.year, "claimed": sum(r["value"] for r in rows),
            "completed": sum(r["completed"] for r in rows), "by_category": rows}


def activities(target: Target, today: dt.date) -> dict:
    from jiceng.activities.models import Activity, Attendance, SignUp

    monday = today - dt.timedelta(days=today.weekday())
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    week = _located(Activity.objects.exclude(status="cancelled"), target, place="host").filter(
        start__gte=start, start__lt=start + dt.timedelta(days=7))
    ids = list(week.order_by().values_list("pk", flat=True)[:5000])
    attended = Attendance.objects.filter(activity_id__in=ids).count() if ids else 0
    signed = SignUp.objects.filter(activity_id__in=ids, status="confirmed").count() if ids else 0
    return {"week_start": monday.isoformat(), "activities": len(ids), "attendance": attended, "signups": signed,
            "rate": round(attended / signed, 4) if signed else None}


def pioneers(target: Target, today: dt.date) -> list[dict]:
    from jiceng.members import pioneer
    from jiceng.members.models import Member

    period = pioneer.period_containing(today, "quarter")
    members = Member.objects.active()
    if not target.everything:
        where = Q(pk__in=[])
        for place in target.places:
            where |= Q(pk__in=pioneer.in_place(Member.objects.all(), place).values("pk"))
        members = members.filter(where) if len(target.places) > 1 else pioneer.in_place(members, target.places[0])
    rows = pioneer.scores(members, period.start, period.end)[:PIONEERS]
    return [{"rank": r.rank, "name": r.name, "organization": r.organization_name, "total": float(r.total)}
            for r in rows if r.total]


def slow_panels(target: Target, today: dt.date) -> dict:
    def compute() -> dict:
        return {"colours": colours(target), **coverage_and_party(target), "projects": projects(target, today),
                "activities": activities(target, today), "pioneers": pioneers(target, today)}

    return PANELS.get_or_compute((tuple(target.ids), today), compute,
                                 settings.JICENG.get("SCREEN_PANELS_SECONDS", 0))


def screen_data(target: Target, *, now: dt.datetime | None = None, panels: bool = True) -> dict:
    """Everything the screen draws, as JSON-ready values (the page embeds it; the stream sends it again)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    data = {"title": target.label, "today": today.isoformat(), "time": timezone.localtime(now).strftime("%H:%M:%S"),
            "version": version(target), "demands": demand_figures(target, today), "feed": feed(target, now)}
    if panels:
        data.update(slow_panels(target, today))
    return data
