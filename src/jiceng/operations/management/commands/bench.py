"""`jiceng bench [--repeat N] [--output FILE]`: the benchmark suite on the current database (operations.bench)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.operations.bench import BenchError, format_markdown, format_table, run


class Command(BaseCommand):
    help = ("在当前数据库上运行基准测试，打印表格：ORM/服务路径与所需原始 SQL 的中位耗时、比值和查询次数。"
            "先用 `jiceng seed --scale city` 生成数据。")

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=15, help="每项计时的次数（取中位数），默认 15。")
        parser.add_argument("--output", type=Path, help="另存为 Markdown 表格（含机器与数据库信息）。")

    def handle(self, *args, repeat: int, output: Path | None, **options):
        if repeat < 1:
            raise CommandError("--repeat 至少为 1。")
        verbosity = options.get("verbosity", 1)

        def progress(name: str) -> None:
            if verbosity > 1:
                self.stderr.write(f"… {name}")

        try:
            report = run(repeat=repeat, progress=progress)
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
