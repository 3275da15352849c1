"""`jiceng risk recompute [--json]`: recompute every enterprise's risk level (a thin wrapper over services)."""

from __future__ import annotations

import json
import time

from django.core.management.base import BaseCommand, CommandError

from jiceng.risk import services
from jiceng.risk.choices import RiskLevel


class Command(BaseCommand):
    help = "五色风险分析:recompute 重新计算全部企业的风险等级(--json 输出各等级企业数)。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{recompute}")
        recompute = sub.add_parser("recompute", help="重新计算全部企业的风险等级。")
        recompute.add_argument("--json", action="store_true", help='以 JSON 输出各等级企业数:{"1": n, ..., "5": n}。')

    def handle(self, *args, action: str, **options):
        if action != "recompute":  # pragma: no cover - argparse refuses other actions
            raise CommandError(f"unknown action {action}")
        started = time.perf_counter()
        counts = services.recompute_all()
        seconds = time.perf_counter() - started
        total = sum(counts.values())
        summary = (f"total {total} enterprises in {seconds:.2f} s; rows created {counts.created}, updated "
                   f"{counts.updated}; level changes {counts.changes}, rises {counts.rises}, "
                   f"follow-ups {counts.follow_ups}")
        if options["json"]:
            self.stdout.write(json.dumps({str(level): counts[level] for level in RiskLevel.values}))
            self.stderr.write(summary)
            return
        for level in RiskLevel.values:
            info = RiskLevel.info(level)
            self.stdout.write(f"{level} {info['label']}({info['colour_label']}): {counts[level]}")
        self.stdout.write(summary)
