"""Demands in a real browser: the public form → a worker accepts and dispatches → the assignee resolves →
the requester rates it with the tracking code."""

import pytest

from jiceng.accounts.models import Role
from jiceng.demands import intake
from jiceng.demands.models import Demand
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def data(monkeypatch):
    monkeypatch.setattr(intake, "MIN_SECONDS", 0)
    tree = f.district_tree()
    f.user("worker", Role.BUILDING_WORKER, tree["park1"])
    f.user("handler", Role.BUILDING_WORKER, tree["building1"])
    return tree


def test_public_demand_to_rating(page, data, browser, live_server):
    # 1. Anyone submits through the public form, without logging in.
    page.goto("/demands/submit/")
    page.fill("#id_text", "创智天地1号楼三楼的电梯经常停运,上下班很不方便,希望尽快检修")
    page.select_option("#id_place", label="创智天地1号楼")
    page.fill("#id_requester_phone", "13912345678")
    with page.expect_navigation():
        page.click("button:has-text('提交')")
    code = page.get_by_test_id("tracking-code").inner_text()
    assert page.get_by_test_id("track-status").inner_text() == "已提交"

    # 2. The building worker accepts it (category suggested) and dispatches it to a colleague.
    worker = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    login(worker, "worker")
    worker.goto("/demands/inbox/")
    worker.get_by_test_id("waiting").get_by_role("link").first.click()
    assert "物业与设施" in worker.inner_text("body")
    with worker.expect_navigation():
        worker.get_by_test_id("accept").click()
    worker.select_option("#id_assignee_user", label="handler · 创智天地1号楼")
    with worker.expect_navigation():
        worker.get_by_test_id("assign").click()
    assert Demand.objects.get(tracking_code=code).status == "assigned"

    # 3. The assignee resolves it from their inbox.
    handler = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    login(handler, "handler")
    handler.goto("/demands/inbox/")
    handler.get_by_test_id("assigned").get_by_role("link").first.click()
    handler.fill("[data-testid=resolve-note]", "已联系物业更换电梯控制板")
    with handler.expect_navigation():
        handler.get_by_test_id("resolve").click()

    # 4. The requester rates it with the tracking code.
    page.goto("/demands/track/")
    page.fill("input[name=code]", code)
    with page.expect_navigation():
        page.click("button:has-text('查询')")
    assert page.get_by_test_id("track-status").inner_text() == "已办结"
    assert "已联系物业更换电梯控制板" in page.inner_text("body")
    page.get_by_test_id("rate-form").locator("select").select_option("5")
    with page.expect_navigation():
        page.click("button:has-text('提交评价')")
    assert page.get_by_test_id("track-status").inner_text() == "已关闭"
    demand = Demand.objects.get(tracking_code=code)
    assert demand.rating == 5 and demand.status == "closed"
