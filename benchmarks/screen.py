"""Time the big screen's data at city scale: from the demand roll-ups against the raw scan of the demands table.

    python benchmarks/screen.py [--city /tmp/city] [--repeat 15] [--output benchmarks/results/screen-sqlite.md]
    JICENG_DATABASE_URL=postgres://… python benchmarks/screen.py --output benchmarks/results/screen-postgres.md

Runs on the database of `--city` (a JICENG_DATA_DIR holding `jiceng seed --scale city`: 1,000,000 demands over two
years), or on JICENG_DATABASE_URL when set. It applies pending migrations first — the migration that creates the
roll-ups counts the demands already there — and then only reads.

Targets: the district, the street and the area (park or commercial building) with the most demands this month.
"Today" is the machine's date: the seed spreads demands over the two years before the day it ran, so run it on
the day of the seed or pass `--today` (the seed's date) to look at a day with demands.

Rows, each pairing the screen's path with the raw scan for the same answer (compared before timing):
- demand figures: today's and this month's demands by category and status and the month by day —
  `services.demand_figures` (roll-ups) against one grouped query over the demands table (local day with SQLite's
  date(…, '+8 hours') / PostgreSQL's AT TIME ZONE, through the district/street indexes or the area's place ids);
- screen data, live part: what the stream sends on a change without the slow panels (figures, feed, version);
- stream poll: `services.version` (the sum of the places' stamps), asked once a second by every open screen;
- the whole screen data with the slow panels recomputed (cold) and kept (warm, core.reuse), against the raw scan.
Method as in `jiceng bench` (jiceng.operations.bench): one warm-up whose queries are counted, then `--repeat`
interleaved runs, medians in milliseconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TMP = Path(tempfile.gettempdir())


def setup_django(city: Path | None) -> None:
    if city is not None:
        os.environ["JICENG_DATA_DIR"] = str(city)
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
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return f"applied {len(pending)} migrations in {time.perf_counter() - started:.0f} s (roll-ups counted by one)"


def _local_day_sql() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        return "(created AT TIME ZONE 'Asia/Shanghai')::date"
    return "date(created, '+8 hours')"  # Asia/Shanghai: UTC+8 all year (no daylight saving since 1991)


def _aware(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def raw_figures(place, today: dt.date) -> dict:
    """Today's and this month's counts by (day, category, status) straight from the demands table."""
    from django.db import connection

    from jiceng.demands.models import Demand
    from jiceng.places.models import Place, PlaceKind

    table = connection.ops.quote_name(Demand._meta.db_table)
    start = connection.ops.adapt_datetimefield_value(_aware(today.replace(day=1)))
    end = connection.ops.adapt_datetimefield_value(_aware(today + dt.timedelta(days=1)))
    if place.kind == PlaceKind.DISTRICT:
        where, params = "district_id = %s", [place.pk]
    elif place.kind == PlaceKind.STREET:
        where, params = "street_id = %s", [place.pk]
    else:
        ids = list(Place.objects.filter(path__startswith=place.path).values_list("pk", flat=True))
        where, params = f"place_id IN ({', '.join(['%s'] * len(ids))})", ids
    sql = (f"SELECT {_local_day_sql()} AS day, COALESCE(category_id, 0), status, COUNT(*) FROM {table} "  # noqa: S608
           f"WHERE {where} AND created >= %s AND created < %s GROUP BY 1, 2, 3")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, start, end])
        rows = cursor.fetchall()
    return {(str(day), category, status): n for day, category, status, n in rows}


def rollup_rows(place, today: dt.date) -> dict:
    from django.db.models import Sum

    from jiceng.screen.models import DemandRollup

    rows = (DemandRollup.objects.filter(place_id=place.pk, day__gte=today.replace(day=1), day__lte=today)
            .order_by().values_list("day", "category_id", "status").annotate(n=Sum("count")))
    return {(str(day), category, status): n for day, category, status, n in rows if n}


def pick_targets(today: dt.date) -> list:
    from django.db.models import Sum

    from jiceng.places.models import AREA_KINDS, Place, PlaceKind
    from jiceng.screen.models import DemandRollup

    month = DemandRollup.objects.filter(day__gte=today.replace(day=1), day__lte=today).order_by()
    busiest = dict(month.values_list("place_id").annotate(n=Sum("count")))
    targets = []
    for kinds in ((PlaceKind.DISTRICT,), (PlaceKind.STREET,), AREA_KINDS):
        places = Place.objects.filter(kind__in=kinds, pk__in=list(busiest))
        best = max(places, key=lambda p: busiest[p.pk], default=None)
        if best is not None:
            targets.append(best)
    return targets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--city", type=Path, default=None, help="JICENG_DATA_DIR of the city (SQLite)")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--today", type=dt.date.fromisoformat, action="append", default=None,
                        help="the day the screen shows (repeat for several; default: the machine's date)")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    setup_django(args.city)

    from django.utils import timezone

    from jiceng.demands.models import Demand
    from jiceng.operations.bench import Benchmark, machine_facts, measure
    from jiceng.screen import services
    from jiceng.screen.models import DemandRollup

    migrated = migrate()
    days = args.today or [timezone.localdate()]
    facts = machine_facts()
    facts["rows"] += f", demands {Demand.objects.count():,}, roll-up rows {DemandRollup.objects.count():,}"
    facts["migrations"] = migrated
    facts["screen days"] = ", ".join(d.isoformat() for d in days)
    problems, benchmarks = [], []
    for today, place in [(day, place) for day in days for place in pick_targets(day)]:
        now = _aware(today) + dt.timedelta(hours=timezone.localtime().hour, minutes=timezone.localtime().minute)
        target = services.Target([place], label=place.name)
        expected, found = raw_figures(place, today), rollup_rows(place, today)
        if expected != found:
            problems.append(f"{place.name}: the roll-ups differ from the demands table in "
                            f"{len(set(expected.items()) ^ set(found.items()))} rows")
        label = (f"{today:%m-%d} {place.get_kind_display()} {place.name} "
                 f"({sum(found.values()):,} demands this month)")

        def figures(target=target, today=today):
            return services.demand_figures(target, today)

        def live(target=target, now=now):
            return services.screen_data(target, now=now, panels=False)

        def cold(target=target, now=now):
            services.PANELS.clear()
            return services.screen_data(target, now=now)

        def warm(target=target, now=now):
            return services.screen_data(target, now=now)

        def raw(place=place, today=today):
            return raw_figures(place, today)

        benchmarks += [
            Benchmark(f"{label}: demand figures", figures, raw),
            Benchmark(f"{label}: live data (figures, feed, version)", live, raw),
            Benchmark(f"{label}: stream poll (version)", lambda target=target: services.version(target), raw),
            Benchmark(f"{label}: whole screen, panels kept", warm, raw),
            Benchmark(f"{label}: whole screen, panels recomputed", cold, raw),
        ]
    from django.conf import settings

    settings.JICENG["SCREEN_PANELS_SECONDS"] = 120  # the warm rows: panels kept between runs, as in production
    results = []
    for benchmark in benchmarks:
        result = measure(benchmark, args.repeat)
        results.append(result)
        print(f"{result.name}: {result.orm_ms:.2f} ms ({result.queries} queries) vs raw scan "
              f"{result.raw_ms:.2f} ms", flush=True)
    lines = ["# The big screen's data at city scale: roll-ups against the raw scan", ""]
    lines += [f"- **{key}**: {value}" for key, value in facts.items()]
    lines += [f"- **method**: median of {args.repeat} runs after one warm-up, screen and raw scan interleaved "
              "(benchmarks/screen.py)", "",
              "| what | screen ms | queries | raw scan ms | raw / screen |", "|---|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r.name} | {r.orm_ms:.2f} | {r.queries} | {r.raw_ms:.2f} | "
                     f"{r.raw_ms / r.orm_ms if r.orm_ms else float('inf'):.1f}× |")
    lines.append("")
    lines += [f"- WARNING {p}" for p in problems] or \
        ["The roll-ups' counts for each target's month equal the raw scan's (checked before timing)."]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
