"""`jiceng demo`: migrate, load the demo district (idempotent), print the logins, then serve."""

from __future__ import annotations

import unicodedata

from django.core.management import call_command
from django.core.management.base import BaseCommand

from jiceng.accounts.models import Role
from jiceng.operations.demo import load_demo


def _width(text: str) -> int:
    # CJK characters take two terminal columns; pad by display width so the table lines up.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip()
             for row in [header, ["-" * w for w in widths], *rows]]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "载入演示数据（杨浦区五角场街道创智天地等）并启动服务；可重复运行，不会重复写入。"

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只迁移并载入演示数据，不启动服务。")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, no_serve: bool, host: str, port: int, **options):
        verbosity = options.get("verbosity", 1)
        # Migration chatter only when asked for (-v 2).
        call_command("migrate", interactive=False, verbosity=max(0, verbosity - 1), stdout=self.stdout)
        summary = load_demo(stdout=self.stdout)
        # Colour the demo's enterprises from their lease ends and open demands, as the nightly job would.
        from jiceng.risk.services import recompute_all

        recompute_all()

        self.stdout.write("")
        rows = [
            [area["place"], str(area["enterprises"]), str(area["employees"]),
             f"{area['org_covered']}（联合 {area['joint_branches']} / 独立 {area['independent_branches']}）",
             str(area["work_covered"]), str(area["members"])]
            for area in summary["areas"]
        ]
        self.stdout.write(format_table(["地域", "两新组织", "从业人员", "组织覆盖（支部）", "工作覆盖", "党员"], rows))

        self.stdout.write("")
        self.stdout.write("演示账号：")
        labels = {"superuser": "超级管理员", **{role.value: str(role.label) for role in Role}}
        preexisting = set(summary["preexisting_users"])
        logins = [
            [username, "（原密码）" if username in preexisting else summary["password"],
             labels.get(role, role), scope]
            for username, role, scope in summary["logins"]
        ]
        self.stdout.write(format_table(["用户名", "密码", "角色", "范围"], logins))
        if preexisting:
            # Existing accounts are never overwritten; say so rather than print a password that may be wrong.
            self.stdout.write(f"注意：以下账号在载入前已存在，其密码未作改动：{'、'.join(sorted(preexisting))}")

        url = f"http://{host}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"访问地址：{url}"))
        self.stdout.write(f"实时大屏：{url}screen/（以 district_admin、street_staff 或 building_worker 登录）")
        if no_serve:
            self.stdout.write(f"已跳过启动服务（--no-serve）。启动：jiceng serve --host {host} --port {port}")
            return
        call_command("serve", host=host, port=port)
