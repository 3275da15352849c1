"""In a real browser: a street officer tags an activity in its form (the 3×3 grid's checkboxes and a theme), and the
report by matrix cell shows the cell's count change; the number links to the list holding that activity."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.activities import services
from jiceng.activities.models import ActivityKind, Attendance
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

START = dt.datetime(2026, 6, 15, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_tag_an_activity_in_the_form_and_see_the_report_cell_change(page, live_server):
    with time_machine.travel(START, tick=True):
        tree = f.district_tree()
        branch = f.organization(tree["building1"], "攀达科技党支部")
        members = [f.member(branch, name) for name in ("张三", "李四")]
        f.user("staff1", Role.STREET_STAFF, tree["street1"])
        start = timezone.make_aware(dt.datetime(2026, 6, 10, 12))
        activity = services.create_activity(title="绿色出行党员志愿服务", kind=ActivityKind.VOLUNTEERING,
                                            organization=branch, start=start, end=start + dt.timedelta(hours=3))
        Attendance.objects.bulk_create([Attendance(activity=activity, member=m, hours=3) for m in members])

        login(page, "staff1")
        page.goto("/matrix/?year=2026")
        cell = page.get_by_test_id("cell-users-serve")
        assert cell.locator("[data-figure=activities] strong").inner_text() == "0"

        page.goto(f"/activities/{activity.pk}/edit/")
        grid = page.get_by_test_id("matrix-cells")
        assert grid.locator("input[type=checkbox]").count() == 9
        grid.get_by_label("用户·服务").check()
        grid.get_by_label("员工·引领").check()
        page.get_by_test_id("themes-themes").get_by_label("党建+公益").check()
        with page.expect_navigation():
            page.get_by_test_id("activity-form").locator("button[type=submit]").click()
        assert "用户·服务" in page.get_by_test_id("matrix-tags").inner_text()

        page.goto("/matrix/?year=2026")
        cell = page.get_by_test_id("cell-users-serve")
        assert cell.locator("[data-figure=activities] strong").inner_text() == "1"
        assert cell.locator("[data-figure=attendance] strong").inner_text() == "2"
        assert "党建+公益 1" in cell.inner_text()
        assert page.get_by_test_id("cell-users-organize").locator("[data-figure=activities] strong").inner_text() \
            == "0"
        with page.expect_navigation():
            cell.locator("[data-figure=activities]").click()
        assert "target=users" in page.url and "goal=serve" in page.url
        assert "绿色出行党员志愿服务" in page.inner_text("main" if page.locator("main").count() else "body")
