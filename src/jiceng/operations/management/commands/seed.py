"""`jiceng seed --scale {demo,city} [--seed N]`: deterministic generated data (see jiceng.operations.seeding)."""

from __future__ import annotations

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from jiceng.operations.seeding import SCALES, SeedError, seed, table_counts


class Command(BaseCommand):
    help = ("生成确定性的规模数据（批量写入，带进度条）：demo 为小规模，city 为全市规模。"
            "只写入空库：已有两新组织时拒绝运行。")

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo", help="数据规模（demo 或 city）。")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：相同的种子生成相同的数据。")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条。")

    def handle(self, *args, scale: str, seed: int, no_progress: bool, **options):
        verbosity = options.get("verbosity", 1)
        # A new data directory has no tables yet: migrate first, as `jiceng demo` and `jiceng serve` do.
        call_command("migrate", interactive=False, verbosity=0)
        try:
            result = seed_data(scale, seed, progress=verbosity > 0 and not no_progress)
        except SeedError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity == 0:
            return
        self.stdout.write(f"规模 {scale}，种子 {seed}：用时 {result.seconds:.1f} 秒")
        for stage in result.stages:
            self.stdout.write(f"  {stage.name:<16} {stage.rows:>10,} 行  {stage.seconds:7.1f} 秒")
        for name, target in result.pending.items():
            self.stdout.write(f"  {name:<16} {target:>10,} 行  待对应应用建立后生成（见 jiceng.operations.seeding）")
        self.stdout.write("数据库现有：" + "，".join(f"{k} {v:,}" for k, v in table_counts().items()))


def seed_data(scale: str, seed_value: int, *, progress: bool):
    return seed(scale, seed=seed_value, progress=progress, progress_file=sys.stderr)
