"""Time the report by matrix cell (3×3 matrix × 党建+ themes) at city scale against the raw SQL it needs.

    JICENG_DATABASE_URL=sqlite:////tmp/city/db.sqlite3 python benchmarks/matrix_report.py [--repeat 9]
                                            [--output benchmarks/results/matrix-report.md]

Runs on a database filled by `jiceng seed --scale city` (about 310,000 activities over the last twelve months,
tagged by their kind, and 2,000,000 attendance rows). It writes only three users (bench-matrix-*) with the
roles below, if missing.

Targets are the worst cases: the superuser (the whole city), the district and the street with the most
activities in the year. Each row pairs
- `matrix_report(user, year)` (what the page and `/api/reports/matrix/` compute: two grouped queries, the
  attendance summed from the activities' kept count, decision 080) with hand-written SQL for the three groupings
  (activities, attendance joined to their activity, projects), which also checks the kept count against the
  attendance rows; the answers are compared before timing;
- the whole page `GET /matrix/?year=` through the Django test client (session, menu, template).
Medians of `--repeat` interleaved runs after one warm-up, in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def bench_user(name: str, role: str | None, place=None):
    from django.contrib.auth import get_user_model

    from jiceng.accounts.models import RoleAssignment

    user, created = get_user_model().objects.get_or_create(
        username=f"bench-matrix-{name}", defaults={"is_superuser": role is None, "is_staff": role is None})
    if created and role is not None:
        RoleAssignment.objects.create(user=user, role=role, place=place)
    return user


def raw(where: str, params: list, year_bounds) -> dict[str, list[tuple]]:
    from django.db import connection

    start, end = year_bounds
    scope = f"a.start >= %s AND a.start < %s AND a.status <> 'cancelled'{where}"
    sql = {
        "activities": f"SELECT a.cells, a.themes, COUNT(*) FROM activities_activity a WHERE {scope} "
                      "GROUP BY a.cells, a.themes",
        "attendance": "SELECT a.cells, a.themes, COUNT(*) FROM activities_attendance t "
                      f"JOIN activities_activity a ON a.id = t.activity_id WHERE {scope} GROUP BY a.cells, a.themes",
    }
    out = {}
    with connection.cursor() as cursor:
        for name, statement in sql.items():
            cursor.execute(statement, [start, end, *params])
            out[name] = sorted(cursor.fetchall())
        project_where = where.replace("a.district_id", "pl.district_id").replace("a.street_id", "pl.street_id")
        cursor.execute(
            "SELECT p.cells, p.themes, COUNT(*) FROM matching_project p "
            "JOIN matching_jointconference c ON c.id = p.conference_id JOIN places_place pl ON pl.id = c.place_id "
            f"WHERE p.claimed_at >= %s AND p.claimed_at < %s AND p.status <> 'cancelled'{project_where} "
            "GROUP BY p.cells, p.themes", [start, end, *params])
        out["projects"] = sorted(cursor.fetchall())
    return out


def database_version(connection) -> str:
    if connection.vendor == "sqlite":
        return connection.Database.sqlite_version
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--output", default="")
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from jiceng.activities.models import Activity, Attendance
    from jiceng.matrix import report as matrix
    from jiceng.places.models import Place

    year = timezone.localdate().year
    bounds = matrix.year_bounds(year)
    in_year = Activity.objects.filter(start__gte=bounds[0], start__lt=bounds[1])
    district_id = in_year.values("district").annotate(n=Count("pk")).order_by("-n").first()["district"]
    street_id = in_year.values("street").annotate(n=Count("pk")).order_by("-n").first()["street"]
    district, street = Place.objects.get(pk=district_id), Place.objects.get(pk=street_id)
    targets = [
        ("superuser", "全市", bench_user("superuser", None), "", []),
        ("district_admin", district.name, bench_user("district", "district_admin", district),
         " AND a.district_id = %s", [district.pk]),
        ("street_staff", street.name, bench_user("street", "street_staff", street), " AND a.street_id = %s",
         [street.pk]),
    ]
    rows = []
    for role, where_name, user, where, params in targets:
        def service(user=user):
            return matrix.matrix_report(user, year)

        def sql(where=where, params=params):
            return raw(where, params, bounds)

        # Same answer: the service's totals equal the raw groups' sums.
        result, groups = service(), sql()
        for name in ("activities", "attendance", "projects"):
            assert getattr(result.total, name) == sum(n for _c, _t, n in groups[name]), (role, name)
        client = Client()
        client.force_login(user)
        assert client.get("/matrix/", {"year": year}).status_code == 200
        page_queries = []
        with connection.execute_wrapper(
                lambda execute, sql, *a, log=page_queries: log.append(sql) or execute(sql, *a)):
            client.get("/matrix/", {"year": year})
        rows.append({
            "role": role, "scope": where_name, "activities": result.total.activities,
            "attendance": result.total.attendance, "projects": result.total.projects,
            "service": median_ms(service, args.repeat), "sql": median_ms(sql, args.repeat),
            "page": median_ms(lambda client=client: client.get("/matrix/", {"year": year}), args.repeat),
            "queries": len(page_queries),
        })
    header = [
        f"- **date**: {dt.date.today().isoformat()}",
        f"- **machine**: {os.cpu_count()} cores, {platform.platform()}; load average at start "
        f"{os.getloadavg()[0]:.2f}",
        f"- **database**: {connection.vendor} {database_version(connection)}",
        f"- **rows**: activities {Activity.objects.count():,}, attendance {Attendance.objects.count():,}; year {year}",
        f"- **method**: median of {args.repeat} runs after a warm-up (benchmarks/matrix_report.py)",
        "",
        "| role | scope | activities | attendance | projects | matrix_report ms | raw SQL ms | ratio | page ms | "
        "page queries |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    lines = [f"| {r['role']} | {r['scope']} | {r['activities']:,} | {r['attendance']:,} | {r['projects']:,} | "
             f"{r['service']:.1f} | {r['sql']:.1f} | {r['service'] / r['sql']:.2f} | {r['page']:.1f} | "
             f"{r['queries']} |" for r in rows]
    text = "\n".join(["# Report by matrix cell at city scale", "", *header, *lines, ""])
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
