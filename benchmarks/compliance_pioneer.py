"""Time the 三会一课 compliance report and the pioneer leaderboard at city scale against the raw SQL they need.

    python benchmarks/compliance_pioneer.py [--city /tmp/city_bench] [--repeat 15]
                                            [--output benchmarks/results/compliance-pioneer.md]

Runs on the database in `--city` (the JICENG_DATA_DIR of `jiceng seed --scale city`: 300,000 members, about
310,000 activities and 2,000,000 attendance rows from the attendance stage) and only reads from it, apart from
applying pending migrations first (then ANALYZE, since a migration may rebuild a table without statistics).

Targets are the worst cases of the database: the district with the most branches (compliance) or members
(pioneer index), and the building (商务楼宇 or 楼栋) whose organizations have the most members. Periods: the
last complete quarter for compliance, the current year and the current quarter for the pioneer index.

Each row pairs what a request runs with hand-written SQL for the same answer:
- compliance report: `compliance.report(branches, year, quarter)` as the compliance page calls it, against the
  branch list and one grouped count (month taken with SQLite's strftime / PostgreSQL's AT TIME ZONE);
- pioneer leaderboard: what the page does before rendering — weights, `pioneer.scores()` for every member of
  the place, page 1 of 50 — against ONE statement that aggregates attendance, projects and ratings per member,
  weights them, ranks everyone and returns page 1 with the total count (the least the database must do);
- pioneer API: the whole `GET /api/pioneer/?place=…` request (routing, DRF, serializer, JSON) against the same SQL.
Before timing, the answers are compared (same counts per branch/kind/month; same first page, same totals).
Method and table as in `jiceng bench` (jiceng.operations.bench): one warm-up per side whose queries are counted, then
`--repeat` interleaved runs, medians in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TMP = Path(tempfile.gettempdir())


def setup_django(city: Path) -> None:
    os.environ["JICENG_DATA_DIR"] = str(city)
    os.environ.pop("JICENG_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jiceng.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def migrate() -> str:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not pending:
        return "no pending migrations"
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return f"applied {len(pending)} pending migrations, then ANALYZE"


# --- targets ---------------------------------------------------------------------------------------------------
def pick_targets():
    from django.db.models import Count

    from jiceng.members.models import Member
    from jiceng.organizations.models import BRANCH_KINDS, Organization
    from jiceng.places.models import Place, PlaceKind

    by_branches = (Organization.objects.filter(kind__in=BRANCH_KINDS).values("district").annotate(n=Count("pk"))
                   .order_by("-n", "district").first())
    by_members = (Member.objects.active().values("organization__district").annotate(n=Count("pk"))
                  .order_by("-n", "organization__district").first())
    # Members per place of their organization, added up to the building (楼栋) or commercial building above it.
    per_place = dict(Member.objects.active().values_list("organization__place").annotate(n=Count("pk")))
    kinds = {PlaceKind.BUILDING, PlaceKind.COMMERCIAL_BUILDING}
    totals: dict[int, int] = {}
    for place_id, kind, parent_id in Place.objects.filter(pk__in=list(per_place)).values_list("pk", "kind",
                                                                                            "parent_id"):
        if kind in kinds:
            totals[place_id] = totals.get(place_id, 0) + per_place[place_id]
        if kind == PlaceKind.BUILDING and parent_id is not None:
            totals[parent_id] = totals.get(parent_id, 0) + per_place[place_id]
    parents = set(Place.objects.filter(pk__in=list(totals), kind__in=kinds).values_list("pk", flat=True))
    building_id = max((pk for pk in totals if pk in parents), key=lambda pk: (totals[pk], -pk))
    return (Place.objects.get(pk=by_branches["district"]), Place.objects.get(pk=by_members["organization__district"]),
            Place.objects.get(pk=building_id))


# --- raw SQL ---------------------------------------------------------------------------------------------------
def _t(model) -> str:
    from django.db import connection

    return connection.ops.quote_name(model._meta.db_table)


def _db_datetime(value: dt.datetime):
    from django.db import connection

    return connection.ops.adapt_datetimefield_value(value)


def _month_sql(column: str) -> str:
    """The local calendar month of a stored (UTC) timestamp, natively."""
    from django.db import connection
    from django.utils import timezone

    if connection.vendor == "postgresql":
        return f"EXTRACT(MONTH FROM {column} AT TIME ZONE '{timezone.get_current_timezone_name()}')::int"
    offset = timezone.localtime().utcoffset().total_seconds() / 3600  # Asia/Shanghai has no daylight saving time
    return f"CAST(strftime('%%m', {column}, '{offset:+.0f} hours') AS INTEGER)"


def _place_filter(place, alias: str = "o") -> tuple[str, list]:
    """Organizations located in the place's subtree (by the denormalized keys where they apply)."""
    from jiceng.places.models import Place, PlaceKind

    if place.kind == PlaceKind.DISTRICT:
        return f"{alias}.district_id = %s", [place.pk]
    if place.kind == PlaceKind.STREET:
        return f"{alias}.street_id = %s", [place.pk]
    return f"{alias}.place_id IN (SELECT id FROM {_t(Place)} WHERE path LIKE %s)", [place.path + "%"]


def raw_compliance(district, year: int, quarter: int) -> dict:
    from jiceng.activities import compliance
    from jiceng.activities.models import Activity, ActivityStatus, Attendance, ComplianceRule, Period
    from jiceng.operations.bench import _fetch
    from jiceng.organizations.models import BRANCH_KINDS, Organization
    from jiceng.places.models import Place

    org, place, act, att = _t(Organization), _t(Place), _t(Activity), _t(Attendance)
    rules = _fetch(f"SELECT kind, period, minimum FROM {_t(ComplianceRule)} WHERE active"
                   f" ORDER BY {_quote('order')}, kind", [])
    kinds = ", ".join(f"'{kind}'" for kind, _period, _minimum in rules)
    yearly = ", ".join(f"'{kind}'" for kind, period, _minimum in rules if period == Period.YEAR) or "''"
    branch_kinds = ", ".join(f"'{k}'" for k in BRANCH_KINDS)
    q_start, q_end = compliance.quarter_bounds(year, quarter)
    # Only yearly rules look back before the quarter, to 1 January.
    lo, hi = compliance._aware(q_start), compliance._aware(q_end + dt.timedelta(days=1))
    year_start = compliance._aware(dt.date(year, 1, 1))
    branches_sql = (f"SELECT o.id FROM {org} o JOIN {place} p ON p.id = o.place_id"
                    f" WHERE o.kind IN ({branch_kinds}) AND p.path LIKE %s")
    branches = _fetch(f"SELECT o.id, o.name, s.name FROM {org} o JOIN {place} p ON p.id = o.place_id"
                      f" LEFT JOIN {place} s ON s.id = o.street_id"
                      f" WHERE o.kind IN ({branch_kinds}) AND p.path LIKE %s ORDER BY o.path, o.id",
                      [district.path + "%"])
    counts = _fetch(
        f"SELECT CASE WHEN o.kind = 'party_group' THEN o.parent_id ELSE o.id END, a.kind,"
        f" {_month_sql('a.start')} AS month, COUNT(*)"
        f" FROM {act} a JOIN {org} o ON o.id = a.organization_id"
        f" WHERE a.organization_id IN ({branches_sql} UNION ALL SELECT g.id FROM {org} g"
        f" WHERE g.kind = 'party_group' AND g.parent_id IN ({branches_sql}))"
        f" AND ((a.kind IN ({kinds}) AND a.start >= %s) OR (a.kind IN ({yearly}) AND a.start >= %s))"
        f" AND a.start < %s AND a.status <> %s"
        f" AND (a.status = %s OR EXISTS (SELECT 1 FROM {att} t WHERE t.activity_id = a.id))"
        f" GROUP BY 1, 2, 3",
        [district.path + "%", district.path + "%", _db_datetime(lo), _db_datetime(year_start), _db_datetime(hi),
         ActivityStatus.CANCELLED, ActivityStatus.HELD])
    return {"rules": rules, "branches": branches, "counts": counts}


def _quote(name: str) -> str:
    from django.db import connection

    return connection.ops.quote_name(name)


def raw_leaderboard(place, start: dt.date, end: dt.date, weights: dict[str, Decimal], page_size: int = 50) -> list:
    """Page 1 of the ranked leaderboard, with the total count, in one statement."""
    from jiceng.activities.models import ORGANIZATIONAL_LIFE_KINDS, Activity, ActivityStatus, Attendance, Rating
    from jiceng.matching.models import Project, ProjectStatus
    from jiceng.members import pioneer
    from jiceng.members.models import Member
    from jiceng.operations.bench import _fetch
    from jiceng.organizations.models import Organization

    lo, hi = (_db_datetime(v) for v in pioneer.bounds(start, end))
    where, params = _place_filter(place)
    life = ", ".join(f"'{k}'" for k in ORGANIZATIONAL_LIFE_KINDS)
    done = f"'{ProjectStatus.COMPLETED}', '{ProjectStatus.EVALUATED}'"
    w = [float(weights[code]) for code in pioneer.COMPONENTS]
    sql = (
        f"WITH m AS (SELECT m.id, m.name, o.name AS org FROM {_t(Member)} m"
        f" JOIN {_t(Organization)} o ON o.id = m.organization_id WHERE {where} AND m.left_on IS NULL),"
        f" att AS (SELECT t.member_id AS id,"
        f" SUM(CASE WHEN a.kind IN ({life}) THEN 1 ELSE 0 END) AS life,"
        f" SUM(CASE WHEN a.kind NOT IN ({life}) AND a.kind <> 'volunteering' THEN 1 ELSE 0 END) AS other,"
        f" SUM(CASE WHEN a.kind = 'volunteering' THEN t.hours ELSE 0 END) AS hours"
        f" FROM {_t(Attendance)} t JOIN {_t(Activity)} a ON a.id = t.activity_id"
        f" WHERE t.member_id IN (SELECT id FROM m) AND a.start >= %s AND a.start < %s AND a.status <> %s"
        f" GROUP BY t.member_id),"
        f" prj AS (SELECT lead_member_id AS id,"
        f" SUM(CASE WHEN claimed_at >= %s AND claimed_at < %s AND status <> %s THEN 1 ELSE 0 END) AS claimed,"
        f" SUM(CASE WHEN completed_at >= %s AND completed_at < %s AND status IN ({done}) THEN 1 ELSE 0 END)"
        f" AS completed FROM {_t(Project)} WHERE lead_member_id IN (SELECT id FROM m) GROUP BY lead_member_id),"
        f" rat AS (SELECT a.speaker_id AS id, SUM(CASE WHEN r.score > 3 THEN r.score - 3 ELSE 0 END) AS points"
        f" FROM {_t(Rating)} r JOIN {_t(Activity)} a ON a.id = r.activity_id"
        f" WHERE a.speaker_id IN (SELECT id FROM m) AND a.start >= %s AND a.start < %s AND a.status <> %s"
        f" AND r.member_id <> a.speaker_id GROUP BY a.speaker_id),"
        f" scored AS (SELECT m.id, m.name, m.org, COALESCE(att.life, 0) AS life, COALESCE(att.other, 0) AS other,"
        f" COALESCE(att.hours, 0) AS hours, COALESCE(prj.claimed, 0) AS claimed,"
        f" COALESCE(prj.completed, 0) AS completed, COALESCE(rat.points, 0) AS points"
        f" FROM m LEFT JOIN att ON att.id = m.id LEFT JOIN prj ON prj.id = m.id LEFT JOIN rat ON rat.id = m.id)"
        f" SELECT id, name, org, life, other, hours, claimed, completed, points,"
        f" ROUND(life * %s + other * %s + hours * %s + claimed * %s + completed * %s + points * %s, 2) AS total,"
        f" COUNT(*) OVER () FROM scored ORDER BY total DESC, name, id LIMIT %s"
    )
    cancelled = ActivityStatus.CANCELLED
    return _fetch(sql, [*params, lo, hi, cancelled, lo, hi, ProjectStatus.CANCELLED, lo, hi, lo, hi, cancelled,
                        *w, page_size])


# --- application paths -----------------------------------------------------------------------------------------
def orm_compliance(district, year: int, quarter: int):
    from jiceng.activities import compliance
    from jiceng.operations.bench import _bench_user
    from jiceng.organizations.models import BRANCH_KINDS, Organization

    branches = Organization.objects.restrict(_bench_user()).filter(kind__in=BRANCH_KINDS,
                                                                   place__path__startswith=district.path)
    return compliance.report(branches, year, quarter)


def orm_leaderboard(place, start: dt.date, end: dt.date):
    from django.core.paginator import Paginator

    from jiceng.members import pioneer
    from jiceng.operations.bench import _bench_user

    rows = pioneer.scores(pioneer.Target(place=place).members(_bench_user()), start, end, weight=pioneer.weights())
    page = Paginator(rows, 50).get_page(1)
    return page.paginator.count, list(page.object_list)


_CLIENT = []


def api_leaderboard(place, period_key: str) -> dict:
    from jiceng.operations.bench import _api_client, _get

    if not _CLIENT:  # one client: a new one loads the middleware again (WhiteNoise then scans the static files)
        _CLIENT.append(_api_client())
    return json.loads(_get(_CLIENT[0], f"/api/pioneer/?place={place.pk}&period={period_key}"))


# --- answers ---------------------------------------------------------------------------------------------------
def compare(district, year, quarter, places_periods) -> list[str]:
    from jiceng.activities import compliance
    from jiceng.members import pioneer
    from jiceng.organizations.models import BRANCH_KINDS, Organization

    problems = []
    report = orm_compliance(district, year, quarter)
    raw = raw_compliance(district, year, quarter)
    if [row.organization.pk for row in report.rows] != [pk for pk, _name, _street in raw["branches"]]:
        problems.append("compliance: branch lists differ")
    branches = Organization.objects.filter(kind__in=BRANCH_KINDS, place__path__startswith=district.path)
    q_start, q_end = compliance.quarter_bounds(year, quarter)
    app_counts = compliance._counts(branches, list(report.rules), year, q_start, q_end)
    flat = {(b, k, m): n for b, kinds in app_counts.items() for k, months in kinds.items() for m, n in months.items()}
    if flat != {(b, k, int(m)): n for b, k, m, n in raw["counts"]}:
        problems.append("compliance: grouped counts differ")
    weights = pioneer.weights()
    for place, period in places_periods:
        count, page = orm_leaderboard(place, period.start, period.end)
        raw_rows = raw_leaderboard(place, period.start, period.end, weights)
        raw_count = raw_rows[0][-1] if raw_rows else 0
        if count != raw_count:
            problems.append(f"pioneer {place.name} {period.key}: count {count} ≠ {raw_count}")
        app = [(r.member_id, r.total) for r in page]
        sql = [(row[0], Decimal(str(row[-2])).quantize(pioneer.CENT)) for row in raw_rows]
        if app != sql:
            problems.append(f"pioneer {place.name} {period.key}: first page differs")
    return problems


def explain(sql_params) -> list[str]:
    from django.db import connection

    sql, params = sql_params
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return [" ".join(str(c) for c in row) for row in cursor.fetchall()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--city", type=Path, default=TMP / "city_bench",
                        help="JICENG_DATA_DIR of a database seeded with `jiceng seed --scale city`")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results" / "compliance-pioneer.md")
    parser.add_argument("--try-index", action="store_true",
                        help="also time the district rows with a covering attendance index (rolled back)")
    args = parser.parse_args()
    if args.repeat < 10:
        parser.error("--repeat: at least 10 runs")

    setup_django(args.city)
    migrated = migrate()
    from django.db.models import Count
    from django.urls import reverse
    from django.utils import timezone

    from jiceng.activities import compliance
    from jiceng.activities.models import Activity, Attendance, Rating
    from jiceng.members import pioneer
    from jiceng.operations.bench import Benchmark, Report, format_markdown, format_table, machine_facts, measure
    from jiceng.organizations.models import BRANCH_KINDS, Organization

    reverse("activities:pioneer")  # import the URLconf once, outside the timings
    today = timezone.localdate()
    year, quarter = compliance.current_quarter(today)
    year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)  # the last complete quarter
    compliance_district, district, building = pick_targets()
    this_year, this_quarter = pioneer.parse_period("year", today), pioneer.parse_period("quarter", today)
    weights = pioneer.weights()

    branches = Organization.objects.filter(kind__in=BRANCH_KINDS, place__path__startswith=compliance_district.path)
    district_members = pioneer.Target(place=district).members(_superuser())
    building_members = pioneer.Target(place=building).members(_superuser())
    facts = machine_facts()
    facts["rows"] += (f", activities {Activity.objects.count():,}, attendance {Attendance.objects.count():,},"
                      f" ratings {Rating.objects.count():,}")
    facts["migrations"] = migrated
    facts["targets"] = (
        f"compliance: district {compliance_district.name} (#{compliance_district.pk}, {branches.count():,} branches, "
        f"{Activity.objects.filter(organization__in=branches).count():,} activities), {year}-Q{quarter}; "
        f"pioneer: district {district.name} (#{district.pk}, {district_members.count():,} members, "
        f"{Attendance.objects.filter(member__in=district_members.values('pk')).count():,} attendance rows), "
        f"building {building.name} ({building.get_kind_display()} #{building.pk}, "
        f"{building_members.count():,} members); periods {this_year.key} and {this_quarter.key}")

    def bench(name, orm, raw, note=""):
        return Benchmark(name, orm, raw, note)

    benchmarks = [
        bench(f"compliance report, district ({year}-Q{quarter})",
              lambda: orm_compliance(compliance_district, year, quarter),
              lambda: raw_compliance(compliance_district, year, quarter)),
        bench(f"pioneer leaderboard, district ({this_year.key})",
              lambda: orm_leaderboard(district, this_year.start, this_year.end),
              lambda: raw_leaderboard(district, this_year.start, this_year.end, weights)),
        bench(f"pioneer leaderboard, district ({this_quarter.key})",
              lambda: orm_leaderboard(district, this_quarter.start, this_quarter.end),
              lambda: raw_leaderboard(district, this_quarter.start, this_quarter.end, weights)),
        bench(f"pioneer API, district ({this_year.key})", lambda: api_leaderboard(district, this_year.key),
              lambda: raw_leaderboard(district, this_year.start, this_year.end, weights)),
        bench(f"pioneer leaderboard, building ({this_year.key})",
              lambda: orm_leaderboard(building, this_year.start, this_year.end),
              lambda: raw_leaderboard(building, this_year.start, this_year.end, weights)),
        bench(f"pioneer API, building ({this_year.key})", lambda: api_leaderboard(building, this_year.key),
              lambda: raw_leaderboard(building, this_year.start, this_year.end, weights)),
    ]
    problems = compare(compliance_district, year, quarter,
                       [(district, this_year), (district, this_quarter), (building, this_year)])
    results = []
    for benchmark in benchmarks:
        print(f"… {benchmark.name}", file=sys.stderr, flush=True)
        results.append(measure(benchmark, args.repeat))
    report = Report(results, args.repeat, facts, problems)
    print(format_table(report))

    lo, hi = pioneer.bounds(this_year.start, this_year.end)
    attendance_sql = (Attendance.objects.filter(member__in=district_members.order_by().values("pk"),
                                                activity__start__gte=lo, activity__start__lt=hi)
                      .values("member_id").annotate(n=Count("pk")).order_by().query.sql_with_params())
    plan = explain(attendance_sql)
    lines = [
        "# 三会一课 compliance and the pioneer index at city scale",
        "",
        f"Generated by `python benchmarks/compliance_pioneer.py --repeat {args.repeat}"
        f"{' --try-index' if args.try_index else ''}` (see its docstring for what each row pairs).",
        "",
        format_markdown(report).rstrip(),
        "",
        "Query plan of the pioneer index's attendance aggregate (district, year):",
        "",
        "```",
        *plan,
        "```",
        "",
    ]
    if args.try_index:
        lines += try_index(benchmarks[1:4], args.repeat)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)


# An index on Attendance that covers the pioneer aggregate (member → activity, hours), tried without keeping it.
TRIAL_INDEX = "CREATE INDEX bench_attendance_member_cover ON activities_attendance (member_id, activity_id, hours)"


def try_index(benchmarks, repeat: int) -> list[str]:
    """Time the district rows again with TRIAL_INDEX, inside a transaction that is rolled back afterwards."""
    from django.db import connection, transaction

    from jiceng.operations.bench import HEADER, _cells, measure

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(TRIAL_INDEX)
            cursor.execute("ANALYZE activities_attendance")
        results = []
        for benchmark in benchmarks:
            print(f"… {benchmark.name} (trial index)", file=sys.stderr, flush=True)
            results.append(measure(benchmark, repeat))
        transaction.set_rollback(True)
    return [
        f"With a covering index on attendance, `{TRIAL_INDEX.split(' ON ')[1]}`, created inside a transaction "
        "that is rolled back afterwards (the database is left as it was):",
        "",
        "| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] + ["---:"] * (len(HEADER) - 1)) + "|",
        *["| " + " | ".join(_cells(r)) + " |" for r in results],
        "",
    ]


def _superuser():
    from jiceng.operations.bench import _bench_user

    return _bench_user()


if __name__ == "__main__":
    main()
