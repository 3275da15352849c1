"""jiceng holidays import --year YYYY FILE | show YYYY [--json] | list — the official calendar from the CLI."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from jiceng.holidays import services
from jiceng.holidays.calendar import published_years, schedule_for
from jiceng.holidays.notice import WEEKDAYS, NoticeError


class Command(BaseCommand):
    help = "节假日安排:import 导入国务院办公厅通知原文;show 显示某年安排;list 列出各年来源。"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,show,list}")
        imp = sub.add_parser("import", help="导入通知原文(UTF-8 文本文件,- 表示标准输入)并发布。")
        imp.add_argument("file", metavar="FILE")
        imp.add_argument("--year", type=int, required=True)
        imp.add_argument("--draft", action="store_true", help="只保存草稿,不发布。")
        imp.add_argument("--replace", action="store_true", help="替换已发布的安排(原安排保留在历史记录中)。")
        show = sub.add_parser("show", help="显示某年安排。")
        show.add_argument("year", type=int)
        show.add_argument("--json", action="store_true",
                          help='输出 {"year", "source", "holidays": [日期], "workdays": [日期]}。')
        sub.add_parser("list", help="列出各年份及其来源。")

    def handle(self, *args, action: str, **options):
        return getattr(self, f"_{action}")(**options)

    def _import(self, file: str, year: int, draft: bool, replace: bool, **_options):
        if not 2000 <= year <= 2099:
            raise CommandError("--year: 年份应在 2000–2099 之间。")
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_bytes().decode("utf-8")
        except FileNotFoundError:
            raise CommandError(f"{file}: 文件不存在。") from None
        except UnicodeDecodeError:
            raise CommandError(f"{file}: 不是 UTF-8 文本。") from None
        try:
            saved = services.import_notice(text, year, user=None, publish=not draft, replace=replace)
        except NoticeError as exc:
            raise CommandError(f"{file}: {exc}") from exc
        except ValidationError as exc:
            raise CommandError(f"{file}: {' '.join(exc.messages)}") from exc
        schedule = schedule_for(year, published={year: saved})
        self.stdout.write(f"{year}: {len(schedule.days_off)} days off, {len(schedule.workdays)} make-up working days"
                          f" — {'published' if saved.published else 'draft'}"
                          f"{f' ({saved.note})' if saved.note else ''}")
        recomputed = saved.recomputations.count()
        if recomputed:
            self.stdout.write(f"deadlines recomputed: {recomputed}")

    def _show(self, year: int, json: bool = False, **_options):
        if not 2000 <= year <= 2099:
            raise CommandError("年份应在 2000–2099 之间。")
        schedule = schedule_for(year, published=published_years([year]))
        if json:
            self.stdout.write(_dumps(schedule.as_json()))
            return
        self.stdout.write(f"{year} ({schedule.source}){f' {schedule.note}' if schedule.note else ''}")
        for day, name in sorted({**schedule.days_off, **schedule.workdays}.items()):
            kind = "上班" if day in schedule.workdays else "放假"
            self.stdout.write(f"  {day.isoformat()} 周{WEEKDAYS[day.weekday()]} {kind} {name}")

    def _list(self, **_options):
        for row in services.overview():
            schedule = row["schedule"]
            draft = " (draft pending)" if row["stored"] and not row["stored"].published else ""
            self.stdout.write(f"{row['year']}  {schedule.source:<12} {row['days_off']:>3} days off "
                              f"{row['workdays']:>2} make-up{draft}")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False)
