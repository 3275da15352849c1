"""Seed 004 in a real browser: a unit contact requests a room of the park's service station, the station's
building worker approves it in the queue, and the booking appears on the room's week calendar."""

import pytest

from jiceng.accounts.models import Role
from jiceng.places.models import PlaceKind
from jiceng.venues.models import Booking, Room
from tests import factories as f
from tests.conftest import login, open_menu
from tests.venues.conftest import next_weekday

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def data():
    tree = f.district_tree()
    station = f.place("创智天地党群服务站", PlaceKind.STATION, tree["park1"])
    room = Room.objects.create(place=station, name="多功能厅", capacity=80, closed_on_holidays=False,
                               equipment=["projector", "microphone"], opens_at="09:00", closes_at="21:00")
    ent = f.enterprise(tree["building1"], "攀达科技")
    f.user("contact", Role.UNIT_CONTACT, ent)
    f.user("worker", Role.BUILDING_WORKER, tree["park1"])
    return {"room": room, "ent": ent}


def test_contact_requests_worker_approves_calendar_shows_it(page, data, browser, live_server):
    room, day = data["room"], next_weekday()
    # 1. The unit contact finds the room through the menu and asks for Tuesday noon.
    login(page, "contact")
    open_menu(page, "组织生活", "阵地预约")
    page.get_by_role("link", name="多功能厅").click()
    assert "投影仪" in page.get_by_test_id("equipment").inner_text()
    page.get_by_test_id("book").click()
    page.fill("#id_date", day.isoformat())
    page.fill("#id_start", "12:00")
    page.fill("#id_end", "13:00")
    page.fill("#id_purpose", "青年微党课")
    page.fill("#id_attendees", "60")
    assert page.locator("#id_enterprise").input_value() == str(data["ent"].pk)  # their only unit, preselected
    with page.expect_navigation():
        page.click("button:has-text('提交预约')")
    assert "已提交预约申请" in page.inner_text("body")
    assert page.get_by_test_id("status").get_attribute("data-status") == "requested"
    booking = Booking.objects.get()

    # 2. The station's building worker approves it from the queue.
    worker = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    login(worker, "worker")
    worker.goto("/venues/bookings/approvals/")
    row = worker.locator(f"[data-testid=request][data-booking='{booking.pk}']")
    assert "攀达科技" in row.inner_text() and "青年微党课" in row.inner_text()
    with worker.expect_navigation():
        row.get_by_test_id("approve").click()
    assert "已批准预约" in worker.inner_text("body")
    assert worker.locator(f"[data-testid=request][data-booking='{booking.pk}']").count() == 0
    worker.context.close()

    # 3. The contact sees it approved on the room's week calendar, in Tuesday's column.
    page.goto(f"/venues/rooms/{room.pk}/?week={day.isoformat()}")
    column = page.locator(f"[data-testid=calendar-day][data-date='{day.isoformat()}']")
    block = column.locator(f"[data-testid=calendar-booking][data-booking='{booking.pk}']")
    assert block.get_attribute("data-status") == "approved"
    assert "12:00–13:00" in block.inner_text() and "青年微党课" in block.inner_text()
    assert block.is_visible()
