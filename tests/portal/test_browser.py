"""An anonymous visitor on a phone (390 px) scans the 楼宇码: opens /p/<id>/, signs up for an activity, leaves a
message on its wall and submits a demand from the building's page."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiceng.activities.models import ActivityMessage
from jiceng.demands import intake
from jiceng.demands.models import Demand
from tests.portal.conftest import build_portal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

START = dt.datetime(2026, 5, 12, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_phone_visitor_signs_up_and_submits_a_demand(browser, live_server, default_data, tree, monkeypatch):
    monkeypatch.setattr(intake, "MIN_SECONDS", 0)
    with time_machine.travel(START, tick=True):
        data = build_portal(tree)
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", is_mobile=True, has_touch=True,
                                      viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"/p/{data['building'].pk}/")
        assert page.get_by_test_id("building-name").inner_text() == "创智天地1号楼"
        assert "楼长李明" in page.get_by_test_id("head").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
        assert "党员王秘密" not in page.content()

        page.get_by_test_id("activities").get_by_text("午间微课堂:个税汇算").click()
        page.fill("#id_name", "白领小周")
        page.fill("#id_phone", "13512345678")
        with page.expect_navigation():
            page.get_by_test_id("public-form").locator("button[type=submit]").click()
        assert data["public"].signups.filter(phone="13512345678", name="白领小周").exists()

        page.goto(f"/activities/{data['public'].pk}/public/")
        wall = page.get_by_test_id("wall-form")
        wall.locator("#id_text").fill("期待,中午见!")
        wall.locator("#id_phone").fill("13512345678")
        with page.expect_navigation():
            wall.locator("button[type=submit]").click()
        assert ActivityMessage.objects.get().status == "pending"
        assert "期待,中午见!" not in page.get_by_test_id("wall").inner_text()  # not before approval

        page.goto(f"/p/{data['building'].pk}/")
        form = page.get_by_test_id("public-form")
        form.locator("#id_text").fill("三楼茶水间的饮水机坏了,麻烦看看。")
        form.locator("#id_requester_phone").fill("13512345678")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert "/demands/track/" in page.url
        demand = Demand.objects.get(text="三楼茶水间的饮水机坏了,麻烦看看。")
        assert demand.place == data["building"]
        context.close()
