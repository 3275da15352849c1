"""一推三公示 and 有事找楼长 in a real browser: the council nominates, the three notices run (the clock moved forward
past each period), the head appears on the building page, and the next demand at the building reaches them."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiceng.accounts.models import Role
from jiceng.demands import intake
from jiceng.governance import services
from jiceng.governance.models import Seat
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 16, 9, 30, tzinfo=SHANGHAI)  # a Monday


@pytest.fixture
def data(monkeypatch):
    monkeypatch.setattr(intake, "MIN_SECONDS", 0)
    tree = f.district_tree()
    f.user("staff1", Role.STREET_STAFF, tree["street1"])
    council = services.create_council(place=tree["building1"], name="创智天地1号楼楼事会")
    seats = {s.code: s for s in Seat.objects.all()}
    start = dt.date(2025, 1, 1)
    services.add_member(council, seat=seats["party_secretary"], name="赵书记", term_start=start)
    services.add_member(council, seat=seats["property_manager"], name="邵经理", title="物业经理", term_start=start,
                        user=f.user("louzhang"))
    return {"tree": tree, "council": council}


def test_nominate_three_notices_head_on_the_building_page_and_next_demand(page, data, browser, live_server):
    council, building = data["council"], data["tree"]["building1"]
    with time_machine.travel(START, tick=True) as clock:
        login(page, "staff1")
        page.goto(council.get_absolute_url())
        page.select_option("#id_nominee", label="邵经理")
        with page.expect_navigation():
            page.get_by_test_id("nominate").click()
        assert page.get_by_test_id("status").inner_text() == "公示中"
        assert page.get_by_test_id("notice-1").get_by_test_id("ends-on").inner_text() == "2026-03-23"

        # The printable notice.
        with page.context.expect_page() as printed:
            page.get_by_test_id("print-1").click()
        notice = printed.value
        notice.wait_for_load_state()
        assert "邵经理" in notice.get_by_test_id("notice").inner_text()
        notice.close()

        for stage in (1, 2, 3):
            ends = page.get_by_test_id(f"notice-{stage}").get_by_test_id("ends-on").inner_text()
            assert page.get_by_test_id("advance").count() == 0  # not before the period is over
            # The day after the period, in the morning.
            clock.move_to(dt.datetime.combine(dt.date.fromisoformat(ends) + dt.timedelta(days=1), dt.time(9, 30),
                                              tzinfo=SHANGHAI))
            url = page.url
            page.goto(url)
            if "/accounts/login" in page.url:  # the session expired while the clock moved on
                login(page, "staff1")
                page.goto(url)
            with page.expect_navigation():
                page.get_by_test_id("advance").click()
        assert page.get_by_test_id("status").inner_text() == "已任命"

        # The head appears on the building page.
        head = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
        login(head, "louzhang")
        head.goto(building.get_absolute_url())
        assert "邵经理" in head.get_by_test_id("building-head").inner_text()

        # Someone in the building submits a demand there: the form says who the head is, and it reaches them.
        visitor = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
        visitor.goto(f"/demands/submit/?place={building.pk}")
        assert "邵经理" in visitor.get_by_test_id("head-note").inner_text()
        visitor.fill("#id_text", "1号楼地下车库入口积水,进出很不方便,希望尽快处理")
        with visitor.expect_navigation():
            visitor.click("button:has-text('提交')")
        head.goto("/demands/inbox/")
        routed = head.get_by_test_id("routed")
        assert "地下车库入口积水" in routed.inner_text()
        routed.get_by_role("link").first.click()
        head.wait_for_url("**/demands/*/")
        assert head.get_by_test_id("forward").count() == 1  # the head may handle it or forward it to the street
