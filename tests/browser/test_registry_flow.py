"""Main registry flows in a real browser: log in, search a member by pinyin, coverage report and export."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from jiceng.accounts.models import Role
from tests import factories as f
from tests.conftest import login, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def data():
    tree = f.district_tree()
    org = f.organization(tree["park1"], "攀达科技党支部")
    covered = f.enterprise(tree["building1"], "攀达科技")
    f.cover(org, covered)
    f.enterprise(tree["building1"], "未覆盖大企业", employees=120)
    f.member(org, "张三", employer=covered)
    f.member(org, "李四", employer=covered)
    f.user("staff", Role.STREET_STAFF, tree["street1"])
    return tree


def test_search_member_by_pinyin(page, data):
    login(page, "staff")
    open_menu(page, "基础信息", "党员")
    page.fill("input[name=q]", "zs")
    page.click("button:has-text('查询')")
    table = page.get_by_test_id("object-table")
    assert "张三" in table.inner_text()
    assert "李四" not in table.inner_text()
    page.get_by_role("link", name="张三").click()
    body = page.inner_text("body")
    assert "正式党员" in body and "变更历史" in body
    assert "****" in body  # phone masked


def test_coverage_report_and_export(page, data):
    login(page, "staff")
    page.goto("/organizations/coverage/")
    summary = page.get_by_test_id("coverage-summary")
    assert page.get_by_test_id("enterprises").inner_text() == "2"
    assert page.get_by_test_id("org-covered").inner_text() == "1"
    assert "50%" in summary.inner_text()
    assert "未覆盖大企业" in page.inner_text("body")
    with page.expect_download() as info:
        page.get_by_test_id("export").click()
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))["覆盖率"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "五角场街道" and rows[1][1] == 2 and rows[1][2] == 1
