"""The screen in a real browser: open, connected to its stream; a demand submitted on the public form in another
browser context shows on it within 2 s, without reloading."""

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from jiceng.accounts.models import Role
from jiceng.demands import intake
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

START = dt.datetime(2026, 6, 17, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def data(monkeypatch):
    monkeypatch.setattr(intake, "MIN_SECONDS", 0)
    tree = f.district_tree()
    f.user("screen_staff", Role.STREET_STAFF, tree["street1"])
    return tree


def test_a_demand_from_the_public_form_reaches_the_open_screen_within_two_seconds(page, data, browser, live_server):
    problems = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    with time_machine.travel(START, tick=True):
        login(page, "screen_staff")
        page.set_viewport_size({"width": 1920, "height": 1080})
        page.goto("/screen/")
        expect(page.get_by_test_id("screen-title")).to_have_text(data["street1"].name)
        expect(page.get_by_test_id("today-total")).to_have_text("0")
        expect(page.locator("#chart-today canvas")).to_have_count(1)  # ECharts drew (no CSP violation)
        expect(page.get_by_test_id("screen-live")).to_have_class("screen-live on")  # the stream is open

        # Another street's demand: the screen stays at 0.
        other = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
        other.goto(f"/demands/submit/?place={data['park2'].pk}")
        other.fill("#id_text", "殷行园区门口的路灯坏了好几天")
        with other.expect_navigation():
            other.click("button:has-text('提交')")

        visitor = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
        visitor.goto(f"/demands/submit/?place={data['building1'].pk}")
        visitor.fill("#id_text", "1号楼地下车库入口积水,进出很不方便,希望尽快处理")
        with visitor.expect_navigation():
            visitor.click("button:has-text('提交')")
        submitted = time.monotonic()
        expect(page.get_by_test_id("today-total")).to_have_text("1", timeout=2000)
        assert time.monotonic() - submitted < 2
        expect(page.get_by_test_id("month-total")).to_have_text("1")
        expect(page.get_by_test_id("feed")).to_contain_text("地下车库入口积水")
        expect(page.get_by_test_id("feed")).not_to_contain_text("殷行园区门口")
    assert not problems, problems
