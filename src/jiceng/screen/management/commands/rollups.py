"""`jiceng rollups --rebuild`: recount the screen's demand roll-ups from the demands table (decision 057).

Writes through the application keep the roll-ups current by themselves; a rebuild is for what bypassed them (a
bulk load, a restore of the demands table alone, an `update()` run by hand). `--check` compares without writing.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from jiceng.demands.models import Demand
from jiceng.places.models import Place
from jiceng.screen import rollups


class Command(BaseCommand):
    help = "重新统计大屏的需求汇总（按地域、日期、类别、状态），或检查汇总与需求表是否一致。"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="从需求表重新统计全部汇总（带进度条）。")
        parser.add_argument("--check", action="store_true", help="只比较汇总与需求表的重新统计，不写入。")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条。")

    def handle(self, *args, rebuild: bool, check: bool, no_progress: bool, **options):
        if rebuild == check:
            raise CommandError("请指定 --rebuild 或 --check 之一。 / Give one of --rebuild or --check.")
        verbosity = options.get("verbosity", 1)
        total = Demand.objects.count()
        with tqdm(total=total, desc="demands", unit=" rows", file=sys.stderr,
                  disable=no_progress or verbosity == 0) as bar:
            if rebuild:
                rows = rollups.rebuild(progress=bar.update)
                if verbosity:
                    self.stdout.write(f"需求 {total:,} 条，汇总 {rows:,} 行。"
                                      f" / {total:,} demands, {rows:,} roll-up rows.")
                return
            paths = dict(Place.objects.values_list("pk", "path"))
            expected = sorted((*key, n) for key, n in rollups.count_demands(Demand.objects.all(), paths,
                                                                              progress=bar.update).items() if n)
        actual = rollups.table_rows()
        if expected != actual:
            differ = len(set(expected) ^ set(actual))
            raise CommandError(f"汇总与需求表不一致（{differ} 行不同），请运行 jiceng rollups --rebuild。"
                               f" / The roll-ups differ from the demands in {differ} rows: "
                               "run jiceng rollups --rebuild.")
        if verbosity:
            self.stdout.write(f"汇总与需求表一致（{len(actual):,} 行）。 / The roll-ups match the demands.")
