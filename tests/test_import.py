"""Excel import of enterprises and members: all or nothing, every bad row reported with row, column, reason."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook
from rest_framework.test import APIClient

from jiceng.accounts.models import AuditEvent, Role
from jiceng.core.import_api import EnterpriseImportAPIView, MemberImportAPIView
from jiceng.core.importing import MAX_ERRORS, Formula, ImportFileError, commit, read_rows, validate
from jiceng.core.text import pinyin_keys
from jiceng.enterprises.importing import ENTERPRISE_IMPORT
from jiceng.enterprises.models import Enterprise
from jiceng.members.importing import MEMBER_IMPORT
from jiceng.members.models import Member, MemberStatus
from jiceng.organizations.models import OrgKind
from jiceng.places.models import PlaceKind
from tests import factories as f

# A temporary URLconf for the API views (the project router registers them separately).
urlpatterns = [
    path("api/enterprises/import/", EnterpriseImportAPIView.as_view()),
    path("api/members/import/", MemberImportAPIView.as_view()),
]

ENT_HEADERS = ["名称", "统一社会信用代码", "类别", "经济类型", "行业门类", "从业人员数", "所在地域", "房号",
               "租约到期日", "注册地址", "实际办公地址"]
MEM_HEADERS = ["姓名", "性别", "民族", "出生日期", "公民身份号码", "手机号码", "学历", "入党日期", "转正日期",
               "党员类别", "所在党组织", "工作单位统一社会信用代码", "居住地", "流动党员"]
BIRTH = dt.date(1990, 5, 17)


def xlsx(headers: list[str], rows: list[list]) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "roster.xlsx"
    return out


def as_row(headers: list[str], values: dict) -> list:
    return [values.get(h) for h in headers]


def ent_row(n: int, **over) -> dict:
    row = {"名称": f"创新科技{n}有限公司", "统一社会信用代码": f.uscc(5000 + n), "类别": "企业", "经济类型": "民营",
           "行业门类": "I", "从业人员数": 20 + n, "所在地域": "创智天地1号楼", "房号": f"{1200 + n}",
           "租约到期日": dt.datetime(2027, 6, 30), "注册地址": "淞沪路 1 号", "实际办公地址": "淞沪路 1 号"}
    row.update(over)
    return row


def mem_row(n: int, **over) -> dict:
    row = {"姓名": "王小明", "性别": "男", "民族": "汉族", "出生日期": dt.datetime(1990, 5, 17),
           "公民身份号码": f.id_number(7000 + n, BIRTH, True), "手机号码": f"139{n:08d}", "学历": "大学本科",
           "入党日期": dt.datetime(2015, 7, 1), "转正日期": "2016-07-01", "党员类别": "正式党员",
           "所在党组织": "甲支部", "工作单位统一社会信用代码": "", "居住地": "国权路", "流动党员": "否"}
    row.update(over)
    return row


def ent_file(*rows: dict, headers: list[str] = ENT_HEADERS) -> io.BytesIO:
    return xlsx(headers, [as_row(headers, r) for r in rows])


def mem_file(*rows: dict, headers: list[str] = MEM_HEADERS) -> io.BytesIO:
    return xlsx(headers, [as_row(headers, r) for r in rows])


def flip_last(code: str) -> str:
    """The same code with a wrong check character."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def errors_of(result) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.reason) for e in result.errors]


@pytest.fixture
def world(tree):
    org = f.organization(tree["park1"], "甲支部")
    group = f.organization(tree["park1"], "甲支部第一党小组", kind=OrgKind.PARTY_GROUP, parent=org)
    other_org = f.organization(tree["park2"], "乙支部")
    employer = f.enterprise(tree["building1"], "甲科技有限公司")
    other_employer = f.enterprise(tree["building2"], "乙科技有限公司")
    staff = f.user("staff_a", Role.STREET_STAFF, tree["street1"])
    staff_b = f.user("staff_b", Role.STREET_STAFF, tree["street2"])
    return {"tree": tree, "org": org, "group": group, "other_org": other_org, "employer": employer,
            "other_employer": other_employer, "staff": staff, "staff_b": staff_b}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


# --- good files ----------------------------------------------------------------------------------


def test_good_enterprise_file_imports_every_row(world):
    tree = world["tree"]
    file = ent_file(
        ent_row(1),
        ent_row(2, 类别="social_org", 经济类型="非营利", 行业门类="S 公共管理、社会保障和社会组织",
                所在地域="创智天地", 租约到期日="2026-12-31", 从业人员数=None),
        ent_row(3, 所在地域="创智天地/创智天地1号楼", 行业门类="信息传输、软件和信息技术服务业", 类别=None),
    )
    result = validate(ENTERPRISE_IMPORT, read_rows(file), world["staff"])
    assert result.ok, errors_of(result)
    assert result.total_rows == 3
    assert commit(result) == 3

    first, second, third = Enterprise.objects.filter(name__startswith="创新科技").order_by("name")
    assert (first.name_pinyin, first.name_initials) == pinyin_keys(first.name) != ("", "")
    assert (first.district_id, first.street_id) == (tree["district"].pk, tree["street1"].pk)
    assert first.place == tree["building1"] and first.lease_end == dt.date(2027, 6, 30)
    assert first.industry == "I" and first.employees == 21 and first.unit_no == "1201"
    assert second.kind == "social_org" and second.ownership == "nonprofit" and second.industry == "S"
    assert second.place == tree["park1"] and second.lease_end == dt.date(2026, 12, 31) and second.employees == 0
    assert third.place == tree["building1"] and third.kind == "enterprise" and third.industry == "I"
    history = Enterprise.history.filter(name__startswith="创新科技")
    assert history.count() == 3
    assert {h.history_type for h in history} == {"+"} and {h.history_user for h in history} == {world["staff"]}
    assert Enterprise.objects.restrict(world["staff"]).filter(name__startswith="创新科技").count() == 3


def test_good_member_file_imports_every_row(world):
    employer = world["employer"]
    file = mem_file(
        mem_row(1, 工作单位统一社会信用代码=employer.credit_code.lower(), 流动党员="是"),
        mem_row(2, 姓名="李华", 性别="F", 公民身份号码=f" {f.id_number(7002, BIRTH, False).lower()} ",
                党员类别="probationary", 转正日期=None, 民族=None, 手机号码="+86 139-0000-0002"),
    )
    result = validate(MEMBER_IMPORT, read_rows(file), world["staff"])
    assert result.ok, errors_of(result)
    assert commit(result) == 2
    wang = Member.objects.get(name="王小明")
    li = Member.objects.get(name="李华")
    assert wang.name_pinyin == "wangxiaoming" and wang.name_initials == "wxm"
    assert wang.employer == employer and wang.is_mobile and wang.organization == world["org"]
    assert wang.full_date == dt.date(2016, 7, 1) and wang.join_date == dt.date(2015, 7, 1)
    assert li.gender == "F" and li.status == MemberStatus.PROBATIONARY and li.ethnicity == "汉族"
    assert li.phone == "13900000002" and li.employer is None and not li.is_mobile
    assert Member.history.filter(history_type="+").count() == 2


def test_validation_uses_a_fixed_number_of_queries(world):
    """Foreign keys and uniqueness are resolved in bulk: no query per row."""

    def queries(n: int) -> int:
        rows = [mem_row(i, 工作单位统一社会信用代码=world["employer"].credit_code) for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            assert validate(MEMBER_IMPORT, read_rows(mem_file(*rows)), world["staff"]).ok
        return len(ctx.captured_queries)

    queries(1)  # the user's scope is loaded once and cached
    assert queries(3) == queries(60) <= 4


def test_blank_rows_are_ignored_and_rows_keep_their_excel_numbers(world):
    file = xlsx(MEM_HEADERS, [as_row(MEM_HEADERS, mem_row(1)), [None] * 14, ["  "] + [None] * 13,
                              as_row(MEM_HEADERS, mem_row(2, 手机号码="12345")), [], [None, ""]])
    result = validate(MEMBER_IMPORT, read_rows(file), world["staff"])
    assert result.total_rows == 2
    assert [(e.row, e.column) for e in result.errors] == [(5, "手机号码")]


# --- bad files: nothing imported, every error reported -----------------------------------------


def test_one_bad_row_among_good_ones_imports_nothing(world):
    file = ent_file(ent_row(1), ent_row(2), ent_row(3, 统一社会信用代码=flip_last(f.uscc(9001))), ent_row(4))
    result = validate(ENTERPRISE_IMPORT, read_rows(file), world["staff"])
    assert not result.ok and result.instances == []
    assert result.error_count == 1 and result.error_rows == 1
    (row, column, reason), = errors_of(result)
    assert (row, column) == (4, "统一社会信用代码") and "校验码" in reason
    with pytest.raises(ValueError, match="errors"):
        commit(result)
    assert not Enterprise.objects.filter(name__startswith="创新科技").exists()


def _only_error(result) -> tuple[int, str, str]:
    assert not result.ok
    assert len(result.errors) == 1, errors_of(result)
    return errors_of(result)[0]


@pytest.mark.parametrize(("over", "column", "reason"), [
    ({"统一社会信用代码": flip_last(f.uscc(9002))}, "统一社会信用代码", "校验码"),
    ({"统一社会信用代码": "9131000OMA1FL00001"}, "统一社会信用代码", "非法字符"),
    ({"所在地域": "不存在的大厦"}, "所在地域", "未找到地域“不存在的大厦”"),
    ({"所在地域": "五角场街道"}, "所在地域", "企业应位于园区、楼宇、楼栋或单元"),
    ({"类别": "个体户"}, "类别", "不是可选值"),
    ({"从业人员数": -3}, "从业人员数", "0"),
    ({"从业人员数": "很多"}, "从业人员数", "整数"),
    ({"租约到期日": "2027年13月1日"}, "租约到期日", "YYYY-MM-DD"),
    ({"名称": None}, "名称", "必填"),
    ({"名称": "名" * 201}, "名称", "200"),
])
def test_enterprise_cell_errors(world, over, column, reason):
    result = validate(ENTERPRISE_IMPORT, read_rows(ent_file(ent_row(1), ent_row(2, **over))), world["staff"])
    row, got_column, got_reason = _only_error(result)
    assert (row, got_column) == (3, column)
    assert reason in got_reason


@pytest.mark.parametrize(("over", "column", "reason"), [
    ({"公民身份号码": flip_last(f.id_number(7005, BIRTH))}, "公民身份号码", "校验码"),
    ({"公民身份号码": float(f.id_number(7005, BIRTH)[:-1] + "0")}, "公民身份号码", "文本格式"),  # digits lost
    ({"手机号码": "1381234567"}, "手机号码", "11位"),
    ({"手机号码": "12812345678"}, "手机号码", "第二位"),
    ({"入党日期": dt.datetime(2005, 7, 1)}, "入党日期", "入党时应年满十八岁"),
    ({"入党日期": "2099-01-01", "转正日期": None}, "入党日期", "不能晚于今天"),
    ({"出生日期": "1991-05-17"}, "出生日期", "不一致"),
    ({"转正日期": "2014-07-01"}, "转正日期", "不能早于入党日期"),
    ({"所在党组织": "甲支部第一党小组"}, "所在党组织", "党小组"),
    ({"所在党组织": "丙支部"}, "所在党组织", "未找到党组织“丙支部”"),
    ({"工作单位统一社会信用代码": "91310000MA1FL00001"}, "工作单位统一社会信用代码", "未找到"),
    ({"性别": "未知"}, "性别", "可选:男、女"),
    ({"流动党员": "也许"}, "流动党员", "是"),
    ({"姓名": "  "}, "姓名", "必填"),
])
def test_member_cell_errors(world, over, column, reason):
    result = validate(MEMBER_IMPORT, read_rows(mem_file(mem_row(1), mem_row(2, **over))), world["staff"])
    row, got_column, got_reason = _only_error(result)
    assert (row, got_column) == (3, column)
    assert reason in got_reason


def test_several_different_errors_are_all_reported(world):
    bad_id = flip_last(f.id_number(7003, BIRTH))
    existing = f.member(world["org"], "老党员")
    rows = [
        mem_row(1),
        mem_row(2, 公民身份号码=bad_id),  # bad check digit
        mem_row(3, 手机号码="1391234"),  # bad phone
        mem_row(4, 入党日期="2006-01-01"),  # under 18 when joining (model clean())
        mem_row(5, 所在党组织="乙支部"),  # another street's organization: not found
        mem_row(6, 公民身份号码=f.id_number(7001, BIRTH)),  # same ID number as row 2 of the sheet
        mem_row(7, 公民身份号码=existing.id_number),  # already in the database
        mem_row(8, 工作单位统一社会信用代码=world["other_employer"].credit_code),  # employer out of scope
        mem_row(9, 手机号码="abc", 出生日期=None),  # two errors in one row
    ]
    result = validate(MEMBER_IMPORT, read_rows(mem_file(*rows)), world["staff"])
    assert not Member.objects.exclude(pk=existing.pk).exists()
    got = {(row, column): reason for row, column, reason in errors_of(result)}
    assert set(got) == {(3, "公民身份号码"), (4, "手机号码"), (5, "入党日期"), (6, "所在党组织"), (7, "公民身份号码"),
                        (8, "公民身份号码"), (9, "工作单位统一社会信用代码"), (10, "出生日期"), (10, "手机号码")}
    assert "校验码" in got[3, "公民身份号码"]
    assert "11位" in got[4, "手机号码"]
    assert "十八岁" in got[5, "入党日期"]
    assert "未找到党组织“乙支部”" in got[6, "所在党组织"]
    assert "与第 2 行重复" in got[7, "公民身份号码"]
    assert "已有" in got[8, "公民身份号码"]
    assert "未找到" in got[9, "工作单位统一社会信用代码"]
    assert result.error_count == 9 and result.error_rows == 8 and result.total_rows == 9
    # Sorted by row, then by the template's column order.
    assert [(e.row, e.column) for e in result.errors][-2:] == [(10, "出生日期"), (10, "手机号码")]


def test_duplicate_and_existing_credit_codes(world):
    existing = world["employer"]
    code = f.uscc(6100)
    result = validate(ENTERPRISE_IMPORT, read_rows(ent_file(
        ent_row(1, 统一社会信用代码=code), ent_row(2, 统一社会信用代码=existing.credit_code),
        ent_row(3), ent_row(4, 统一社会信用代码=f" {code.lower()} "),
    )), world["staff"])
    got = errors_of(result)
    assert [(row, column) for row, column, _ in got] == [(3, "统一社会信用代码"), (5, "统一社会信用代码")]
    assert "已有两新组织" in got[0][2] and existing.credit_code in got[0][2]
    assert "与第 2 行重复" in got[1][2]


def test_out_of_scope_place_reads_as_not_found(world):
    """A place of another street gets exactly the message of a place that does not exist."""
    staff_b = world["staff_b"]
    out_of_scope = validate(ENTERPRISE_IMPORT, read_rows(ent_file(ent_row(1, 所在地域="创智天地1号楼"))), staff_b)
    missing = validate(ENTERPRISE_IMPORT, read_rows(ent_file(ent_row(1, 所在地域="无此楼"))), staff_b)
    (_, column, reason), = errors_of(out_of_scope)
    (_, _, missing_reason), = errors_of(missing)
    assert column == "所在地域"
    assert reason.replace("创智天地1号楼", "X") == missing_reason.replace("无此楼", "X")
    # Their own street's building is fine.
    assert validate(ENTERPRISE_IMPORT, read_rows(ent_file(ent_row(1, 所在地域="殷行2号楼"))), staff_b).ok


def test_ambiguous_place_name_needs_its_parent(world):
    tree = world["tree"]
    f.place("1号楼", PlaceKind.BUILDING, tree["park1"])
    other = f.place("1号楼", PlaceKind.BUILDING, f.place("智星园", PlaceKind.PARK, tree["street1"]))
    f.place("1号楼", PlaceKind.BUILDING, tree["park2"])  # another street: not counted, not shown
    result = validate(ENTERPRISE_IMPORT, read_rows(ent_file(ent_row(1, 所在地域="1号楼"))), world["staff"])
    (_, column, reason), = errors_of(result)
    assert column == "所在地域" and "有 2 个地域名为“1号楼”" in reason and "智星园/1号楼" in reason
    assert "殷行园区" not in reason
    result = validate(ENTERPRISE_IMPORT, read_rows(ent_file(ent_row(1, 所在地域="智星园 / 1号楼"))), world["staff"])
    assert result.ok and result.instances[0].place == other


def test_missing_header_is_named(world):
    headers = [h for h in ENT_HEADERS if h != "统一社会信用代码"]
    result = validate(ENTERPRISE_IMPORT, read_rows(ent_file(ent_row(1), headers=headers)), world["staff"])
    assert errors_of(result) == [(1, "统一社会信用代码", "缺少列“统一社会信用代码”,请使用导入模板的表头。")]
    assert result.total_rows == 0


def test_headers_may_be_reordered_marked_or_extra(world):
    headers = list(reversed(MEM_HEADERS)) + ["备注"]
    file = xlsx([f"{h}*" if h == "姓名" else h for h in headers],
                [as_row(headers, {**mem_row(1), "备注": "x"})])
    assert validate(MEMBER_IMPORT, read_rows(file), world["staff"]).ok


def test_headers_match_in_another_language(world):
    with translation.override("en"):
        assert validate(MEMBER_IMPORT, read_rows(mem_file(mem_row(1))), world["staff"]).ok


def test_errors_are_capped_but_all_counted(world):
    rows = [mem_row(i, 手机号码="1") for i in range(MAX_ERRORS + 200)]
    result = validate(MEMBER_IMPORT, read_rows(mem_file(*rows)), world["staff"])
    assert len(result.errors) == MAX_ERRORS and result.error_count == MAX_ERRORS + 200
    assert result.errors_truncated and result.error_rows == MAX_ERRORS + 200


def test_empty_and_unreadable_files(world):
    result = validate(MEMBER_IMPORT, read_rows(xlsx(MEM_HEADERS, [])), world["staff"])
    assert errors_of(result) == [(2, "", "文件中没有数据行。")]
    with pytest.raises(ImportFileError):
        validate(MEMBER_IMPORT, read_rows(io.BytesIO(b"not an excel file")), world["staff"])


# --- web UI --------------------------------------------------------------------------------------


def test_member_role_gets_403(client, world, media):
    member_user = f.user("member_a", Role.MEMBER, f.member(world["org"], "党员甲"))
    client.force_login(member_user)
    for name in ("members:member_import", "members:member_import_template", "enterprises:enterprise_import"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("members:member_import"), {"file": mem_file(mem_row(1))}).status_code == 403
    assert client.post(reverse("members:member_import_confirm"), {"token": "x"}).status_code == 403
    assert Member.objects.count() == 1


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("members:member_import"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_template_download(client, world):
    client.force_login(world["staff"])
    response = client.get(reverse("members:member_import_template"))
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    wb = load_workbook(io.BytesIO(response.content))
    data, notes = wb.worksheets
    rows = list(data.iter_rows(min_row=1, max_row=2, values_only=True))
    assert list(rows[0]) == MEM_HEADERS
    assert rows[1][0] == "张三" and rows[1][4] == "310110199005170255"
    explained = {row[0]: row for row in notes.iter_rows(min_row=2, values_only=True) if row and row[0]}
    assert set(MEM_HEADERS) <= set(explained)
    assert explained["公民身份号码"][1] == "必填" and explained["手机号码"][1] == "选填"
    assert "正式党员" in explained["党员类别"][2]


def test_filled_in_template_imports(client, world, media):
    """The downloaded template, its example row replaced with real data, passes as it is."""
    client.force_login(world["staff"])
    wb = load_workbook(io.BytesIO(client.get(reverse("enterprises:enterprise_import_template")).content))
    sheet = wb.worksheets[0]
    for index, value in enumerate(as_row(ENT_HEADERS, ent_row(1)), start=1):
        sheet.cell(row=2, column=index, value=value)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    result = validate(ENTERPRISE_IMPORT, read_rows(out), world["staff"])
    assert result.ok and result.total_rows == 1, errors_of(result)


def test_ui_upload_preview_confirm(client, world, media):
    client.force_login(world["staff"])
    assert client.get(reverse("members:member_import")).status_code == 200
    code = world["employer"].credit_code
    file = mem_file(*(mem_row(i, 工作单位统一社会信用代码=code if i == 0 else None) for i in range(25)))
    file.name = "党员名册.xlsx"
    response = client.post(reverse("members:member_import"), {"file": file})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="import-preview"' in page and "确认导入 25 条" in page
    assert page.count("王小明") == 20  # the first 20 rows
    assert "3101" in page and f.id_number(7000, BIRTH) not in page  # ID numbers masked in the preview
    assert f"<td>{code}</td>" in page  # the employer as given, by its credit code
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    stored = media / "imports" / f"{token}.xlsx"
    assert stored.exists()
    assert Member.objects.count() == 0  # nothing before the confirm

    response = client.post(reverse("members:member_import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("members:member_list")
    assert Member.objects.count() == 25 and not stored.exists()
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert event.user == world["staff"] and event.object_type == "members.member" and "rows=25" in event.detail
    # The token is spent.
    response = client.post(reverse("members:member_import_confirm"), {"token": token})
    assert response.status_code == 302 and response["Location"] == reverse("members:member_import")
    assert Member.objects.count() == 25


def test_ui_bad_file_shows_errors_and_keeps_nothing(client, world, media):
    client.force_login(world["staff"])
    response = client.post(reverse("enterprises:enterprise_import"),
                           {"file": ent_file(ent_row(1), ent_row(2, 所在地域="殷行2号楼"))})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="import-errors"' in page and "确认导入" not in page
    assert "<td>3</td><td>所在地域</td><td>未找到地域“殷行2号楼”" in page
    assert not list((media / "imports").glob("*.xlsx"))
    assert not Enterprise.objects.filter(name__startswith="创新科技").exists()
    response = client.post(reverse("enterprises:enterprise_import"),
                           {"file": io.BytesIO(b"hello")})
    assert response.status_code == 400


def test_ui_rejects_non_excel_and_unknown_tokens(client, world, media):
    client.force_login(world["staff"])
    text = io.BytesIO(b"a,b\n")
    text.name = "roster.csv"
    response = client.post(reverse("members:member_import"), {"file": text})
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    garbage = io.BytesIO(b"PK not really a zip")
    garbage.name = "roster.xlsx"
    response = client.post(reverse("members:member_import"), {"file": garbage})
    assert response.status_code == 400 and "无法读取" in response.content.decode()
    for token in ("../../settings", "0" * 32, ""):
        response = client.post(reverse("members:member_import_confirm"), {"token": token})
        assert response.status_code == 302 and response["Location"] == reverse("members:member_import")


def test_ui_confirm_revalidates_and_cancel_deletes(client, world, media):
    client.force_login(world["staff"])
    page = client.post(reverse("members:member_import"), {"file": mem_file(mem_row(1))}).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    # Someone enters the same member between the preview and the confirm.
    f.member(world["org"], "王小明", id_number=f.id_number(7001, BIRTH))
    response = client.post(reverse("members:member_import_confirm"), {"token": token})
    assert response.status_code == 400 and "已有党员" in response.content.decode()
    assert Member.objects.count() == 1 and not (media / "imports" / f"{token}.xlsx").exists()

    page = client.post(reverse("members:member_import"), {"file": mem_file(mem_row(2))}).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    response = client.post(reverse("members:member_import_confirm"), {"token": token, "cancel": "1"})
    assert response.status_code == 302 and not (media / "imports" / f"{token}.xlsx").exists()
    assert Member.objects.count() == 1


def test_ui_token_is_bound_to_its_uploader(client, world, media):
    client.force_login(world["staff"])
    page = client.post(reverse("members:member_import"), {"file": mem_file(mem_row(1))}).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    other = f.user("admin_x", superuser=True)
    client.force_login(other)
    response = client.post(reverse("members:member_import_confirm"), {"token": token})
    assert response.status_code == 302 and Member.objects.count() == 0


# --- API -----------------------------------------------------------------------------------------


@pytest.mark.urls("tests.test_import")
def test_api_dry_run_then_import(world):
    api = APIClient()
    api.force_authenticate(world["staff"])
    file = ent_file(ent_row(1), ent_row(2))
    response = api.post("/api/enterprises/import/?dry_run=1", {"file": file}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json() == {"created": 0, "valid": 2, "dry_run": True}
    assert not Enterprise.objects.filter(name__startswith="创新科技").exists()
    file.seek(0)
    response = api.post("/api/enterprises/import/", {"file": file}, format="multipart")
    assert response.status_code == 201 and response.json()["created"] == 2
    assert Enterprise.objects.filter(name__startswith="创新科技").count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, object_type="enterprises.enterprise",
                                     detail__contains="rows=2").exists()


@pytest.mark.urls("tests.test_import")
def test_api_reports_every_error(world):
    api = APIClient()
    api.force_authenticate(world["staff"])
    file = mem_file(mem_row(1), mem_row(2, 手机号码="123"), mem_row(3, 所在党组织="乙支部"))
    response = api.post("/api/members/import/", {"file": file}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["error_count"] == 2
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "手机号码"), (4, "所在党组织")]
    assert all(e["reason"] for e in body["errors"])
    assert Member.objects.count() == 0


@pytest.mark.urls("tests.test_import")
def test_api_permissions_and_bad_requests(world):
    api = APIClient()
    member_user = f.user("member_b", Role.MEMBER, f.member(world["org"], "党员乙"))
    api.force_authenticate(member_user)
    response = api.post("/api/members/import/", {"file": mem_file(mem_row(1))}, format="multipart")
    assert response.status_code == 403
    api.force_authenticate(world["staff"])
    response = api.post("/api/members/import/", {}, format="multipart")
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "file"
    garbage = io.BytesIO(b"garbage")
    garbage.name = "x.xlsx"
    response = api.post("/api/members/import/", {"file": garbage}, format="multipart")
    assert response.status_code == 400 and response.json()["error_count"] == 1
    assert APIClient().post("/api/members/import/", {}, format="multipart").status_code in (401, 403)


def test_fast_insert_writes_what_the_orm_writes(world):
    """commit()'s executemany path and the ORM fallback (bulk_create + bulk_history_create) agree."""
    from jiceng.core.importing import bulk_insert

    fast = validate(ENTERPRISE_IMPORT, read_rows(ent_file(ent_row(1), ent_row(2))), world["staff"])
    orm = validate(ENTERPRISE_IMPORT, read_rows(ent_file(ent_row(1), ent_row(2))), world["staff"])
    commit(fast)
    for obj in fast.instances:  # free the codes for the second, identical batch
        Enterprise.objects.filter(pk=obj.pk).update(credit_code=f.uscc(9900 + obj.pk))
    ENTERPRISE_IMPORT.before_save(orm.instances)
    bulk_insert(Enterprise, orm.instances, key=None, using="default", history_user=world["staff"],
                history_reason="Excel 导入")
    assert all(obj.pk and not obj._state.adding for obj in fast.instances + orm.instances)

    def rows(objs, model, skip=("id", "created", "credit_code", "history_id", "history_date")):
        return [{k: v for k, v in row.items() if k not in skip}
                for row in model.filter(id__in=[o.pk for o in objs]).order_by("id").values()]

    assert rows(fast.instances, Enterprise.objects) == rows(orm.instances, Enterprise.objects)
    assert rows(fast.instances, Enterprise.history) == rows(orm.instances, Enterprise.history)
    record = Enterprise.history.get(id=fast.instances[0].pk)
    assert record.history_change_reason == "Excel 导入" and record.history_user == world["staff"]
    assert record.created == Enterprise.objects.get(pk=fast.instances[0].pk).created is not None


def test_fast_reader_reads_what_openpyxl_reads(tmp_path):
    """read_rows() takes a shortcut for inline strings; the values must be openpyxl's own."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    wb = Workbook()
    ws = wb.active
    ws.append(["文本", 12, 3.5, dt.datetime(2020, 7, 1), True, "=1+1", None, "  空格  "])
    ws.append([])
    ws.append([None, None, "第三行"])
    ws["A4"] = CellRichText(["富", TextBlock(InlineFont(b=True), "文本")])
    ws["B4"] = dt.date(1990, 5, 17)
    ws["C4"].value = "2016-07-01"
    ws["D4"].number_format = "@"
    ws["D4"] = "310110199005170255"
    ws["E6"] = "last"
    path = tmp_path / "types.xlsx"
    wb.save(path)
    sheet = load_workbook(path, read_only=True).worksheets[0]
    # openpyxl's values, except that a formula is a Formula (never its cached result).
    expected = [tuple(Formula(c.value[1:]) if c.data_type == "f" else c.value for c in row)
                for row in sheet.iter_rows()]
    got = list(read_rows(path))
    assert len(got) == len(expected) == 6
    for mine, theirs in zip(got, expected, strict=True):
        width = max(len(mine), len(theirs))
        assert list(mine) + [None] * (width - len(mine)) == list(theirs) + [None] * (width - len(theirs))
    assert got[3][0] == "富文本" and got[0][5] == Formula("1+1")


def test_oversized_upload_is_refused(client, world, media, monkeypatch):
    import jiceng.core.import_views as import_views

    monkeypatch.setattr(import_views, "MAX_FILE_BYTES", 100)
    client.force_login(world["staff"])
    response = client.post(reverse("members:member_import"), {"file": mem_file(mem_row(1))})
    assert response.status_code == 400 and "文件过大" in response.content.decode()


def test_new_instances_match_the_model_constructor(db):
    from jiceng.core.importing import _instance_factory

    for model in (Member, Enterprise):
        new = _instance_factory(model)
        first, second = new(), new()
        assert first is not second and first._state is not second._state and first._state.adding
        fresh = model()
        for model_field in model._meta.concrete_fields:
            assert getattr(first, model_field.attname) == getattr(fresh, model_field.attname)
        first.name = "甲"
        assert second.name == fresh.name
