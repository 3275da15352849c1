"""Time the 500 m service-circle report (`/api/service-gaps/`) and the map's layers (`/map/layers/<code>/`) at city
scale: 2,200 areas with their 楼栋 buildings, 4,000 stations, 60,000 enterprises (for the buildings' colours).

    python benchmarks/service_gaps.py [--data-dir /tmp/gaps-city] [--repeat 7]
                                      [--output benchmarks/results/service-gaps-sqlite.md]

With JICENG_DATABASE_URL unset, works on SQLite in `--data-dir` (JICENG_DATA_DIR): when the folder holds no seeded
database, it is migrated and seeded with the city's place tree, enterprises and stations (`jiceng seed` with the
city's districts, streets, areas, enterprises and stations; members, demands and attendance left small or out —
neither the report nor the map reads them). With JICENG_DATABASE_URL set, the same on that PostgreSQL database.

For three users — a superuser (the whole city), the district admin of the largest district and the street officer
of the largest street — it times, median of `--repeat` runs after one warm-up:
- the gap report through the HTTP API (test client: routing, scope, query, k-d tree, JSON);
- `circles.gap_report` alone, next to the raw SQL it needs (the two SELECTs, rows fetched as tuples): the ratio is
  the report's cost over the database's;
- each map layer's GeoJSON through its URL, with the feature count.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def setup(data_dir: Path) -> None:
    os.environ.setdefault("JICENG_DATA_DIR", str(data_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiceng.settings")
    os.environ.setdefault("JICENG_SECRET_KEY", "benchmark-only-not-secret")
    import django

    django.setup()


def ensure_data() -> str:
    from django.core.management import call_command

    from jiceng.operations.seeding import SCALES, Scale, seed
    from jiceng.places.models import Place, PlaceKind

    call_command("migrate", verbosity=0)
    if not Place.objects.filter(kind=PlaceKind.STATION).exists():
        city = SCALES["city"]
        scale = Scale("city-places", districts=city.districts, streets=city.streets, areas=city.areas,
                      enterprises=city.enterprises, members=2_000, demands=0, attendance=0, stations=city.stations)
        seed(scale, seed=1, progress=False)
    return "seeded here" if Place.objects.count() else "empty"


def users():
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from jiceng.accounts.models import Role, RoleAssignment
    from jiceng.places.models import Place, PlaceKind

    User = get_user_model()
    root, _ = User.objects.get_or_create(username="bench_root", defaults={"is_superuser": True, "is_staff": True})
    biggest = {}
    for kind, field in ((PlaceKind.DISTRICT, "district"), (PlaceKind.STREET, "street")):
        top = (Place.objects.filter(kind__in=["park", "commercial_building", "market", "building"])
               .values(field).annotate(n=Count("pk")).order_by("-n").first())
        biggest[kind] = Place.objects.get(pk=top[field])
    out = [("superuser (city)", root)]
    for label, role, place in (("district_admin (largest district)", Role.DISTRICT_ADMIN,
                                biggest[PlaceKind.DISTRICT]),
                               ("street_staff (largest street)", Role.STREET_STAFF, biggest[PlaceKind.STREET])):
        user, _ = User.objects.get_or_create(username=f"bench_{role}")
        RoleAssignment.objects.get_or_create(user=user, role=role, place=place)
        out.append((f"{label}: {place.name}", user))
    return out


def median_ms(fn, repeat: int) -> tuple[float, object]:
    result = fn()  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


def raw_sql(user) -> None:
    """The rows the report needs, straight from the database (same filters, tuples, no model code)."""
    from django.db import connection

    from jiceng.places.models import Place, PlaceKind
    from jiceng.stations import circles

    qs = circles.report_places(user).filter(lat__isnull=False, lng__isnull=False).order_by().values_list(
        "pk", "name", "kind", "street__name", "lat", "lng")
    sql, params = qs.query.sql_with_params()
    stations = Place.objects.filter(kind=PlaceKind.STATION, lat__isnull=False, lng__isnull=False).order_by() \
        .values_list("pk", "name", "lat", "lng")
    s_sql, s_params = stations.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()
        cursor.execute(s_sql, s_params)
        cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "gaps-city")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    setup(args.data_dir)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from jiceng.places.models import Place
    from jiceng.stations import circles, maplayers

    ensure_data()
    counts = {kind: Place.objects.filter(kind=kind).count() for kind in
              ("street", "park", "commercial_building", "market", "community", "building", "station")}
    lines = [f"# 500 m service circles and the map's data ({connection.vendor})", "",
             f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
             f"Median of {args.repeat} runs after a warm-up (ms).", "",
             "Data: " + ", ".join(f"{kind} {n:,}" for kind, n in counts.items()), ""]
    for label, user in users():
        client = Client()
        client.force_login(user)
        lines += [f"## {label}", "", "| what | median ms | queries | rows |", "|---|---:|---:|---:|"]
        connection.force_debug_cursor = True
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/service-gaps/?radius=500")
        data = response.json()
        ms, _ = median_ms(lambda c=client: c.get("/api/service-gaps/?radius=500"), args.repeat)
        lines.append(f"| GET /api/service-gaps/?radius=500 | {ms:.0f} | {len(captured)} | "
                     f"{data['places']:,} places, {data['gaps']:,} gaps, {data['stations']:,} stations |")
        report_ms, _ = median_ms(lambda u=user: circles.gap_report(u, 500), args.repeat)
        sql_ms, _ = median_ms(lambda u=user: raw_sql(u), args.repeat)
        lines.append(f"| circles.gap_report (service) | {report_ms:.0f} | | ratio to raw SQL "
                     f"{report_ms / sql_ms:.2f}× |")
        lines.append(f"| raw SQL it needs (2 SELECTs) | {sql_ms:.0f} | 2 | |")
        for layer in maplayers.LAYERS:
            url = f"/map/layers/{layer.code}/"
            with CaptureQueriesContext(connection) as captured:
                payload = client.get(url).json()
            ms, _ = median_ms(lambda c=client, u=url: c.get(u), args.repeat)
            lines.append(f"| GET {url} | {ms:.0f} | {len(captured)} | {len(payload['features']):,} features |")
        lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
