"""A building worker of the market logs a contact with one of its households in a real browser, finds it in the
menu, and turns the matter raised into a demand, which then opens in the demand workflow."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiceng.accounts.models import Role
from jiceng.demands.models import Demand
from jiceng.grids.models import ContactLog, HouseholdContact, HouseholdKind
from jiceng.places.models import PlaceKind
from tests import factories as f
from tests.conftest import login, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NOW = dt.datetime(2026, 3, 16, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def data():
    tree = f.district_tree()
    market = f.place("五角场市场", PlaceKind.MARKET, tree["street1"])
    branch = f.organization(market, "五角场市场联合党支部")
    member = f.member(branch, "黄建国")
    f.user("market_worker", Role.BUILDING_WORKER, market)
    household = HouseholdContact(kind=HouseholdKind.BUSINESS, name="黄记南北货", address="A区18号", place=market,
                                 member=member)
    household.full_clean()
    household.save()
    return {"household": household}


def test_worker_logs_a_contact_and_turns_it_into_a_demand(page, data):
    with time_machine.travel(NOW, tick=True):
        login(page, "market_worker")
        open_menu(page, "网格与联系户", "党员联系户")
        page.get_by_role("link", name="黄记南北货").click()
        page.select_option("#id_way", "visit")
        page.fill("#id_raised", "市场东侧消防通道被货物占用,请协调清理")
        with page.expect_navigation():
            page.get_by_test_id("log-form").get_by_role("button").click()
        log = page.get_by_test_id("contact-log")
        assert "2026-03-16" in log.inner_text() and "消防通道" in log.inner_text()
        with page.expect_navigation():
            page.get_by_test_id("to-demand").click()
        demand = Demand.objects.get()
        assert ContactLog.objects.get().demand == demand
        link = page.get_by_test_id("log-demand")
        assert link.inner_text() == demand.tracking_code
        with page.expect_navigation():
            link.click()
        assert "消防通道" in page.content()
