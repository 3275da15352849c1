"""The calendar in a real browser: a district admin pastes next year's notice, previews it, saves it, and an
open demand's provisional deadline is recomputed."""

import datetime as dt

import pytest

from jiceng.accounts.models import Role
from jiceng.demands import workflow
from jiceng.demands.models import Category
from tests import factories as f
from tests.conftest import login, open_menu

from .conftest import NOTICE_2027

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_admin_imports_the_notice_and_deadlines_follow(page):
    tree = f.district_tree()
    f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"])
    staff = f.user("staff", Role.STREET_STAFF, tree["street1"])
    slow = Category.objects.create(code="slow", name="慢件", deadline_days=15)
    demand = workflow.accept(workflow.submit(text="办公室空调坏了,已经三天没人来修", place=tree["building1"]),
                             user=staff, category=slow, today=dt.date(2027, 1, 20))
    assert demand.due_provisional and demand.due_date == dt.date(2027, 2, 16)

    login(page, "district_admin")
    open_menu(page, "分析报告", "节假日安排")
    assert page.locator("tr[data-year='2027'] [data-testid=source]").get_attribute("data-source") == "provisional"
    page.get_by_test_id("import").click()
    page.fill("#id_year", "2027")
    page.fill("#id_text", NOTICE_2027)
    page.get_by_test_id("preview").click()
    preview = page.get_by_test_id("preview-days")
    assert preview.locator("tr[data-kind=off]").count() == 29
    assert preview.locator("tr[data-date='2027-01-31']").get_attribute("data-kind") == "work"
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    assert page.url.endswith("/holidays/2027/")
    assert page.get_by_test_id("source").get_attribute("data-source") == "notice"
    assert "2027-02-17" in page.get_by_test_id("recomputations").inner_text()

    demand.refresh_from_db()
    assert demand.due_date == dt.date(2027, 2, 17) and not demand.due_provisional
