"""`jiceng match --input FILE [--output FILE] [--method lp|greedy]`: whole-list assignment of a JSON instance.

Reads needs and resources (format in docs/matching.md, `-` for stdin), writes
``{"assignments": [{need, resource, quantity, score}], "unmatched": [{need, quantity}], "total_score", "stats"}``
to `--output` (atomically: a temporary file renamed into place) or to stdout. Bad input is reported
on stderr with the JSON path of every problem, exit status 2, and nothing is written. Needs no database.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from jiceng.matching import engine, instance

# From this many items on, the phases are reported on stderr as they finish (always with -v 2, never with -v 0).
PROGRESS_FROM = 5_000
USAGE_ERROR = 2


class Command(BaseCommand):
    help = ("三张清单整体撮合：读入 JSON（needs 与 resources），输出最优分配 assignments 与未满足的 unmatched。"
            "格式见 docs/matching.md。")
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, metavar="FILE", help="输入 JSON 文件（- 表示标准输入）。")
        parser.add_argument("--output", metavar="FILE", help="输出 JSON 文件（原子写入）；省略时写到标准输出。")
        parser.add_argument("--method", choices=engine.METHODS, default="lp",
                            help="lp：线性规划最优解（默认）；greedy：按得分贪心的基线。")

    def handle(self, *args, input: str, output: str | None = None, method: str = "lp", **options):  # noqa: A002
        started = time.perf_counter()
        target = Path(output) if output else None
        if target is not None and not target.parent.is_dir():
            raise CommandError(f"--output: 目录不存在 / directory does not exist: {target.parent}",
                               returncode=USAGE_ERROR)
        text = self.read(input, options.get("stdin"))
        try:
            needs, resources = instance.loads(text)
        except instance.InstanceError as exc:
            raise CommandError(f"{input}:\n{exc}", returncode=USAGE_ERROR) from exc
        verbosity = options.get("verbosity", 1)
        loud = verbosity >= 2 or (verbosity == 1 and len(needs) + len(resources) >= PROGRESS_FROM)
        if loud:
            self.stderr.write(f"读入 read {len(needs)} needs, {len(resources)} resources "
                              f"({time.perf_counter() - started:.2f} s)")
        result = engine.assign(needs, resources, method=method, progress=self.stderr.write if loud else None)
        payload = instance.dumps(result)
        if target is None:
            self.stdout.write(payload, ending="")
        else:
            instance.write_atomic(target, payload)
        if loud:
            self.stderr.write(f"完成 done: {len(result.assignments)} assignments, total score "
                              f"{result.total_score:.4f} ({time.perf_counter() - started:.2f} s)")

    @staticmethod
    def read(name: str, stream) -> str:
        if name == "-":
            if stream is not None:
                return stream.read()
            try:
                return sys.stdin.buffer.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise CommandError(f"--input: 不是 UTF-8 文本 / not UTF-8 text: {exc}", returncode=USAGE_ERROR) from exc
        path = Path(name)
        try:
            return path.read_text(encoding="utf-8-sig")  # a BOM from Windows editors is fine
        except FileNotFoundError as exc:
            raise CommandError(f"--input: 文件不存在 / no such file: {name}", returncode=USAGE_ERROR) from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"--input: 无法读取 / cannot read {name}: {exc}", returncode=USAGE_ERROR) from exc
