"""The reports that go upward (上报报表), for a district, street or park and a year or quarter.

Every figure is counted in the database by a few grouped or filtered aggregate queries over the place (decision
032: set-based reports), so a district costs the same number of queries as a park: the party statistics six,
the three lists' year three, the demands' year two. Each report is a `Report`: headline lines and tables, which
the page, the Excel export and the PDF all show as they are (docs/decisions/061-reports-upward.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DateTimeField, Exists, F, Func, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _t

from jiceng.core.dates import add_years
from jiceng.core.scoping import scope_for
from jiceng.demands.models import Category as DemandCategory
from jiceng.demands.models import Demand, DemandStatus
from jiceng.enterprises.models import Enterprise, EnterpriseKind
from jiceng.matching.models import DONE_PROJECT_STATUSES, Category, Project, UnitKind
from jiceng.members.models import (
    Application,
    ApplicationStep,
    DuesPayment,
    Education,
    Gender,
    Member,
    MemberStatus,
    Occupation,
    Stage,
)
from jiceng.organizations.models import Coverage, Organization, OrgKind
from jiceng.places.models import AREA_KINDS, Place, PlaceKind

from .periods import Period

# Places a report is made for: a district, a street, or an area under a street (园区, 商务楼宇, 居民区, 市场, 村).
REPORT_PLACE_KINDS = (PlaceKind.DISTRICT, PlaceKind.STREET, *AREA_KINDS)

# Age bands of the party statistics (党内统计): (lowest age, highest age or None), age on the period's last day.
AGE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 30), (31, 35), (36, 40), (41, 45), (46, 50), (51, 55), (56, 60), (61, 70), (71, 80), (81, None))
SATISFIED_RATING = 4  # 满意: a rating of 4 or 5 of 5 (the 12345 hotline's 满意/基本满意 counted together)


# --- places ------------------------------------------------------------------------------------------------------

def report_places(user) -> QuerySet[Place]:
    """Districts, streets and areas a user may report on: those granted by a place role, or all (superuser)."""
    scope = scope_for(user)
    places = Place.objects.filter(kind__in=REPORT_PLACE_KINDS)
    if scope.everything:
        return places
    return places.filter(scope.place_q("district", "street", "path") | Q(pk__in=scope.district_ids | scope.street_ids))


def default_place(user) -> Place | None:
    return report_places(user).order_by("depth", "name", "pk").first()


def in_place(queryset: QuerySet, place: Place, *, district: str, street: str, place_field: str) -> QuerySet:
    """Rows at `place`: by the denormalized district or street key (indexed), else by the places under an area
    (`place IN (…)`, by id for the index: decision 031)."""
    if place.kind == PlaceKind.DISTRICT:
        return queryset.filter(**{district: place.pk})
    if place.kind == PlaceKind.STREET:
        return queryset.filter(**{street: place.pk})
    under = Place.objects.filter(path__startswith=place.path).values("pk")
    return queryset.filter(**{f"{place_field}__in": under})


def _located(queryset: QuerySet, place: Place, prefix: str = "") -> QuerySet:
    """For models located like `Located` (district, street, place), directly or through `prefix`."""
    return in_place(queryset, place, district=f"{prefix}district", street=f"{prefix}street",
                    place_field=f"{prefix}place")


# --- the report shape ------------------------------------------------------------------------------------------

@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list]
    total: list | None = None  # a closing 合计 row, also in the exports

    @property
    def all_rows(self) -> list[list]:
        return [*self.rows, *([self.total] if self.total else [])]


@dataclass
class Report:
    kind: str
    title: str
    place: Place
    period: Period
    lines: list[str] = field(default_factory=list)  # the headline sentences
    tables: list[Table] = field(default_factory=list)
    data: dict = field(default_factory=dict)  # the figures for the API

    @property
    def subtitle(self) -> str:
        return f"{self.place.name} · {self.period.label}"

    def sheets(self) -> list[tuple[str, list[str], list[list]]]:
        """The tables as Excel sheets and PDF tables (title, headers, rows)."""
        return [(t.title, t.headers, t.all_rows) for t in self.tables]


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


# --- party statistics (党内统计) ----------------------------------------------------------------------------------

def age_band_label(low: int, high: int | None) -> str:
    if low == 0:
        return _t("%(n)s岁及以下") % {"n": high}
    if high is None:
        return _t("%(n)s岁及以上") % {"n": low}
    return _t("%(low)s至%(high)s岁") % {"low": low, "high": high}


def _age_q(low: int, high: int | None, on: dt.date) -> Q:
    """Members aged low..high on `on`: born after `on` less (high + 1) years, and no later than `on` less low."""
    q = Q(birth_date__lte=add_years(on, -low)) if low else Q()
    if high is not None:
        q &= Q(birth_date__gt=add_years(on, -(high + 1)))
    return q


def members_on_rolls(place: Place, on: dt.date) -> QuerySet[Member]:
    """Members of the place's organizations on the rolls on `on`: joined by then, not transferred out before.
    (The organization is today's: a member who moved within the platform is counted where they are now.)"""
    members = _located(Member.objects.all(), place, "organization__")
    return members.filter(Q(join_date__lte=on), Q(left_on__isnull=True) | Q(left_on__gt=on))


def _breakdown(choices, prefix: str, counts: dict, *, blank_label: str | None = None) -> list[dict]:
    rows = [{"key": value, "label": str(label), "count": counts[f"{prefix}{value}"]} for value, label in choices]
    if blank_label is not None:
        rows.append({"key": "", "label": blank_label, "count": counts[f"{prefix}"]})
    return rows


def party_statistics(place: Place, period: Period) -> Report:
    """党内统计: members by gender, age band, education, occupation and nationality; full and probationary;
    developed and made full in the period; organizations by kind; 两新 coverage; dues collected."""
    end = period.end
    members = members_on_rolls(place, end)
    full_q = Q(status=MemberStatus.FULL) & (Q(full_date__isnull=True) | Q(full_date__lte=end))
    aggregates = {"total": Count("pk"), "full": Count("pk", filter=full_q)}
    for value, _label in Gender.choices:
        aggregates[f"gender_{value}"] = Count("pk", filter=Q(gender=value))
    for index, (low, high) in enumerate(AGE_BANDS):
        aggregates[f"age_{index}"] = Count("pk", filter=_age_q(low, high, end))
    for value, _label in Education.choices:
        aggregates[f"education_{value}"] = Count("pk", filter=Q(education=value))
    aggregates["education_"] = Count("pk", filter=~Q(education__in=Education.values))
    for value, _label in Occupation.choices:
        aggregates[f"occupation_{value}"] = Count("pk", filter=Q(occupation=value))
    aggregates["occupation_"] = Count("pk", filter=~Q(occupation__in=Occupation.values))
    # One scan of the place's members for every breakdown: the counts grouped by nationality (at most a few dozen
    # groups), summed here for the other breakdowns. A second scan for nationality doubled a district's time.
    groups = list(members.values("ethnicity").annotate(**aggregates).order_by())
    counts = {key: sum(group[key] for group in groups) for key in aggregates}
    total = counts["total"]
    not_filled = _t("未填写")
    by_gender = _breakdown(Gender.choices, "gender_", counts)
    by_age = [{"key": f"{low}-{high if high is not None else ''}", "label": age_band_label(low, high),
               "count": counts[f"age_{i}"]} for i, (low, high) in enumerate(AGE_BANDS)]
    by_education = _breakdown(Education.choices, "education_", counts, blank_label=not_filled)
    by_occupation = _breakdown(Occupation.choices, "occupation_", counts, blank_label=not_filled)
    by_ethnicity = [{"key": group["ethnicity"], "label": group["ethnicity"] or not_filled, "count": group["total"]}
                    for group in sorted(groups, key=lambda g: (-g["total"], g["ethnicity"]))]

    # 发展党员: admitted as probationary members (支部大会接收) in the period; 转正: made full members in it.
    steps = _located(ApplicationStep.objects.all(), place, "application__organization__").filter(
        date__gte=period.start, date__lte=end)
    developed = steps.aggregate(developed=Count("application", filter=Q(code="admit"), distinct=True),
                                made_full=Count("application", filter=Q(code="full"), distinct=True))
    pipeline = dict(_located(Application.objects.all(), place, "organization__").filter(
        stage__in=(Stage.APPLICANT, Stage.ACTIVIST, Stage.TARGET)).values_list("stage").annotate(n=Count("pk"))
        .order_by())
    development = {"developed": developed["developed"], "made_full": developed["made_full"],
                   "applicants": pipeline.get(Stage.APPLICANT, 0), "activists": pipeline.get(Stage.ACTIVIST, 0),
                   "targets": pipeline.get(Stage.TARGET, 0)}

    orgs = _located(Organization.objects.all(), place).filter(Q(established__isnull=True) | Q(established__lte=end))
    org_counts = dict(orgs.values_list("kind").annotate(n=Count("pk")).order_by())
    by_org_kind = [{"key": value, "label": str(label), "count": org_counts.get(value, 0)}
                   for value, label in OrgKind.choices]

    covered = Exists(Coverage.objects.filter(Q(since__isnull=True) | Q(since__lte=end), enterprise=OuterRef("pk")))
    coverage_counts = {row["kind"]: row for row in _located(Enterprise.objects.all(), place).values("kind").annotate(
        total=Count("pk"), org=Count("pk", filter=Q(covered)),
        work=Count("pk", filter=Q(~Q(covered), instructor__isnull=False))).order_by()}
    coverage = []
    for value, label in EnterpriseKind.choices:
        row = coverage_counts.get(value, {"total": 0, "org": 0, "work": 0})
        coverage.append({"key": value, "label": str(label), "total": row["total"], "with_organization": row["org"],
                         "work_covered": row["work"], "covered": row["org"] + row["work"],
                         "coverage_rate": _rate(row["org"] + row["work"], row["total"])})

    dues = _located(DuesPayment.objects.all(), place, "member__organization__").filter(
        month__gte=period.start, month__lte=end).aggregate(
        collected=Sum("amount"), payments=Count("pk"), members_paid=Count("member", distinct=True))
    collected = (dues["collected"] or Decimal("0")).quantize(Decimal("0.01"))

    data = {
        "place": {"id": place.pk, "name": place.name, "kind": place.kind},
        "period": period.as_dict(),
        "members": {"total": total, "full": counts["full"], "probationary": total - counts["full"]},
        "by_gender": by_gender, "by_age": by_age, "by_education": by_education, "by_occupation": by_occupation,
        "by_ethnicity": by_ethnicity,
        "development": development,
        "organizations": {"total": sum(org_counts.values()), "by_kind": by_org_kind},
        "coverage": coverage,
        "dues": {"collected": collected, "payments": dues["payments"], "members_paid": dues["members_paid"]},
    }
    report = Report("party-statistics", _t("党内统计"), place, period, data=data)
    report.lines = [
        _t("截至 %(end)s,党员 %(total)s 名,其中正式党员 %(full)s 名、预备党员 %(prob)s 名。") % {
            "end": end.isoformat(), "total": total, "full": counts["full"], "prob": total - counts["full"]},
        _t("%(period)s发展党员 %(developed)s 名,预备党员转正 %(made_full)s 名;收缴党费 %(dues)s 元。") % {
            "period": period.whole_label, "developed": development["developed"],
            "made_full": development["made_full"], "dues": f"{collected:,.2f}"},
    ]
    count, share = _t("人数"), _t("占比")

    def people(key: str, title: str, label: str, rows: list[dict]) -> Table:
        return Table(key, title, [label, count, share],
                     [[r["label"], r["count"], _pct(_rate(r["count"], total))] for r in rows],
                     total=[_t("合计"), sum(r["count"] for r in rows), _pct(1.0 if total else None)])

    report.tables = [
        Table("members", _t("党员总数"), [_t("项目"), count],
              [[_t("党员总数"), total], [_t("正式党员"), counts["full"]], [_t("预备党员"), total - counts["full"]]]),
        people("gender", _t("按性别"), _t("性别"), by_gender),
        people("age", _t("按年龄"), _t("年龄段"), by_age),
        people("education", _t("按学历"), _t("学历"), by_education),
        people("occupation", _t("按职业"), _t("职业"), by_occupation),
        people("ethnicity", _t("按民族"), _t("民族"), by_ethnicity),
        Table("development", _t("发展党员"), [_t("项目"), count], [
            [_t("发展党员(接收为预备党员)"), development["developed"]],
            [_t("预备党员转正"), development["made_full"]],
            [_t("现有入党申请人"), development["applicants"]],
            [_t("现有入党积极分子"), development["activists"]],
            [_t("现有发展对象"), development["targets"]]]),
        Table("organizations", _t("党组织"), [_t("类型"), _t("个数")],
              [[r["label"], r["count"]] for r in by_org_kind],
              total=[_t("合计"), data["organizations"]["total"]]),
        Table("coverage", _t("两新组织覆盖"),
              [_t("类别"), _t("总数"), _t("已建党组织"), _t("工作覆盖"), _t("覆盖率")],
              [[r["label"], r["total"], r["with_organization"], r["work_covered"], _pct(r["coverage_rate"])]
               for r in coverage]),
        Table("dues", _t("党费收缴"), [_t("项目"), _t("数值")], [
            [_t("收缴党费(元)"), collected], [_t("缴纳笔数"), dues["payments"]],
            [_t("缴纳人数"), dues["members_paid"]]]),
    ]
    return report


# --- the three lists' year (三张清单) -------------------------------------------------------------------------------

def projects_year(place: Place, period: Period) -> Report:
    """Projects of the joint conferences at the place completed in the period: "YYYY 年全年完成项目 N 个", by
    category and by providing unit."""
    projects = in_place(Project.objects.all(), place, district="conference__place__district",
                        street="conference__place__street", place_field="conference__place")
    completed = projects.filter(status__in=DONE_PROJECT_STATUSES, completed_at__gte=period.start_at,
                                completed_at__lt=period.end_before)
    by_category = {row["category"]: row for row in completed.values("category").annotate(
        n=Count("pk"), quantity=Sum("quantity"), rated=Count("rating"), rating_sum=Sum("rating")).order_by()}
    by_unit = list(completed.values("provider_id", "provider__name", "provider__kind").annotate(n=Count("pk"))
                   .order_by("-n", "provider__name"))
    claimed = projects.filter(claimed_at__gte=period.start_at, claimed_at__lt=period.end_before).count()
    total = sum(row["n"] for row in by_category.values())
    labels = dict(Category.choices)
    unit_kinds = dict(UnitKind.choices)
    categories = [{"key": key, "label": str(labels.get(key, key)), "completed": row["n"],
                   "quantity": row["quantity"] or 0,
                   "average_rating": round(row["rating_sum"] / row["rated"], 2) if row["rated"] else None}
                  for key, row in sorted(by_category.items(), key=lambda kv: (-kv[1]["n"], kv[0]))]
    units = [{"id": row["provider_id"], "name": row["provider__name"],
              "kind": str(unit_kinds.get(row["provider__kind"], row["provider__kind"])), "completed": row["n"]}
             for row in by_unit]
    report = Report("projects", _t("三张清单年度项目"), place, period, data={
        "place": {"id": place.pk, "name": place.name, "kind": place.kind}, "period": period.as_dict(),
        "completed": total, "claimed": claimed, "by_category": categories, "by_unit": units})
    report.lines = [
        _t("%(period)s完成项目 %(n)s 个") % {"period": period.whole_label, "n": total},
        _t("涉及 %(c)s 个类别、%(u)s 家提供单位;同期新认领项目 %(claimed)s 个。") % {
            "c": len(categories), "u": len(units), "claimed": claimed},
    ]
    report.tables = [
        Table("categories", _t("按类别"), [_t("类别"), _t("完成项目"), _t("服务数量"), _t("平均评分")],
              [[c["label"], c["completed"], c["quantity"], c["average_rating"] if c["average_rating"] else "—"]
               for c in categories],
              total=[_t("合计"), total, sum(c["quantity"] for c in categories), ""]),
        Table("units", _t("按提供单位"), [_t("提供单位"), _t("单位类别"), _t("完成项目")],
              [[u["name"], u["kind"], u["completed"]] for u in units],
              total=[_t("合计"), "", total]),
    ]
    return report


# --- the demands' year (需求) -----------------------------------------------------------------------------------

class DeadlineEnd(Func):
    """The moment a deadline day ends: local midnight after `due_date`, as a timestamp comparable with a datetime
    column. Plain SQL, where `resolved_at__date` made SQLite call a Python function for every row (0.5 s of the
    largest district's year, 41,000 demands). PostgreSQL converts in the time zone itself (DST-safe); SQLite stores
    UTC text, so the zone's offset is added as a constant (Asia/Shanghai has had no daylight saving since 1991)."""

    output_field = DateTimeField()

    def __init__(self, date_field: str) -> None:
        super().__init__(F(date_field))

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL (and any backend with AT TIME ZONE)
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql} + 1)::timestamp AT TIME ZONE %s)", [*params, settings.TIME_ZONE]

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        offset = dt.datetime(2000, 7, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).utcoffset() or dt.timedelta()
        seconds = int((dt.timedelta(days=1) - offset).total_seconds())
        return f"datetime({sql}, %s)", [*params, f"{seconds:+d} seconds"]


def demands_year(place: Place, period: Period) -> Report:
    """Demands submitted at the place in the period, by category: how many were resolved, how many within their
    deadline (on-time rate: of those resolved that had a deadline), and how satisfied their requesters were
    (average rating, and the share of ratings of 4 or 5)."""
    demands = _located(Demand.objects.all(), place).filter(created__gte=period.start_at,
                                                           created__lt=period.end_before)
    done = Q(status__in=(DemandStatus.RESOLVED, DemandStatus.CLOSED), resolved_at__isnull=False)
    with_deadline = done & Q(due_date__isnull=False)
    # On time: resolved on or before the deadline's day (the day in Beijing time, as the deadline is counted), i.e.
    # before the local midnight that ends it.
    on_time = with_deadline & Q(resolved_at__lt=DeadlineEnd("due_date"))
    rows = demands.values("category_id").annotate(
        received=Count("pk"), resolved=Count("pk", filter=done), with_deadline=Count("pk", filter=with_deadline),
        on_time=Count("pk", filter=on_time), rated=Count("rating"), rating_sum=Sum("rating"),
        satisfied=Count("pk", filter=Q(rating__gte=SATISFIED_RATING))).order_by()
    rows = {row["category_id"]: row for row in rows}
    names = {c.pk: c for c in DemandCategory.objects.filter(pk__in=[k for k in rows if k is not None])}
    keys = ("received", "resolved", "with_deadline", "on_time", "rated", "rating_sum", "satisfied")

    def figures(label: str, code: str, row: dict) -> dict:
        return {"key": code, "label": label, **{k: row[k] or 0 for k in keys if k != "rating_sum"},
                "on_time_rate": _rate(row["on_time"], row["with_deadline"]),
                "average_rating": round(row["rating_sum"] / row["rated"], 2) if row["rated"] else None,
                "satisfaction_rate": _rate(row["satisfied"], row["rated"])}

    order = sorted(rows, key=lambda k: (k is None, names[k].order if k in names else 0,
                                        names[k].code if k in names else ""))
    categories = [figures(names[k].label if k in names else _t("未分类"), names[k].code if k in names else "",
                          rows[k]) for k in order]
    totals = {k: sum(rows[c][k] or 0 for c in rows) for k in keys}
    overall = figures(_t("合计"), "", totals)
    report = Report("demands", _t("需求年度报表"), place, period, data={
        "place": {"id": place.pk, "name": place.name, "kind": place.kind}, "period": period.as_dict(),
        "total": overall, "by_category": categories})
    report.lines = [
        _t("%(period)s受理需求 %(n)s 件,办结 %(done)s 件;按时办结率 %(on_time)s,满意率 %(satisfied)s"
           "(%(rated)s 件评价,平均 %(avg)s 分)。") % {
            "period": period.whole_label, "n": overall["received"], "done": overall["resolved"],
            "on_time": _pct(overall["on_time_rate"]), "satisfied": _pct(overall["satisfaction_rate"]),
            "rated": overall["rated"], "avg": overall["average_rating"] if overall["average_rating"] else "—"},
    ]
    headers = [_t("类别"), _t("受理"), _t("办结"), _t("按时办结"), _t("按时办结率"), _t("评价"), _t("平均评分"),
               _t("满意率")]

    def line(f: dict) -> list:
        return [f["label"], f["received"], f["resolved"], f["on_time"], _pct(f["on_time_rate"]), f["rated"],
                f["average_rating"] if f["average_rating"] else "—", _pct(f["satisfaction_rate"])]

    report.tables = [Table("categories", _t("按类别"), headers, [line(c) for c in categories], total=line(overall))]
    return report


REPORTS = {"party-statistics": party_statistics, "projects": projects_year, "demands": demands_year}
