"""`jiceng bench [--repeat N] [--output FILE]`: the benchmark suite on the current database (operations.bench).

`jiceng bench --pages [--users U1,U2] [--repeat N] [--output FILE]`: every menu page and API list for a user of
each role, timed with its query count (operations.sweep).
"""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.operations import sweep
from jiceng.operations.bench import BenchError, format_markdown, format_table, run


class Command(BaseCommand):
    help = ("在当前数据库上运行基准测试，打印表格：ORM/服务路径与所需原始 SQL 的中位耗时、比值和查询次数。"
            "先用 `jiceng seed --scale city` 生成数据。"
            "加 --pages：以每个角色的用户访问菜单中的每个页面和每个 API 列表，按耗时排序。")

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=None,
                            help="每项计时的次数（取中位数），默认 15（--pages 默认 5）。")
        parser.add_argument("--output", type=Path, help="另存为 Markdown 表格（含机器与数据库信息）。")
        parser.add_argument("--pages", action="store_true",
                            help="逐页测量：每个角色的用户（缺少时在最大的街道和区内创建）"
                                 "访问菜单页面、详情页和 API 列表。")
        parser.add_argument("--users", default="",
                            help="与 --pages 同用：逗号分隔的角色名（superuser、district_admin、street_staff……）"
                                 "或已有的用户名；默认全部角色。")

    def handle(self, *args, repeat: int | None, output: Path | None, pages: bool, users: str, **options):
        if repeat is not None and repeat < 1:
            raise CommandError("--repeat 至少为 1。")
        if users and not pages:
            raise CommandError("--users 只能与 --pages 一起使用。")
        verbosity = options.get("verbosity", 1)
        if pages:
            self._pages(repeat or 5, output, [u.strip() for u in users.split(",") if u.strip()], verbosity)
            return

        def progress(name: str) -> None:
            if verbosity > 1:
                self.stderr.write(f"… {name}")

        try:
            report = run(repeat=repeat or 15, progress=progress)
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity > 0:
            for key, value in report.facts.items():
                self.stdout.write(f"{key}: {value}")
            self.stdout.write("")
        self.stdout.write(format_table(report))
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(format_markdown(report), encoding="utf-8")
            if verbosity > 0:
                self.stdout.write(f"已写入 {output}")

    def _pages(self, repeat: int, output: Path | None, users: list[str], verbosity: int) -> None:
        try:
            report = sweep.run(users or None, repeat=repeat, progress=verbosity > 0, progress_file=sys.stderr)
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        if verbosity > 0:
            for key, value in report.facts.items():
                self.stdout.write(f"{key}: {value}")
            self.stdout.write("")
        self.stdout.write(sweep.format_table(report))
        if output is not None:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(sweep.format_markdown(report), encoding="utf-8")
            if verbosity > 0:
                self.stdout.write(f"已写入 {output}")
