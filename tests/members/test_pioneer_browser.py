"""The pioneer index in a real browser: street staff open it from the menu, read a member's breakdown, propose the
innovation pioneers and export them."""

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.activities.models import Activity, ActivityKind, ActivityStatus, Attendance
from tests import factories as f
from tests.conftest import login, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def data():
    tree = f.district_tree()
    branch = f.organization(tree["building1"], "攀达科技党支部")
    zhang, li = f.member(branch, "张三"), f.member(branch, "李四")
    f.member(f.organization(tree["building2"], "殷行贸易党支部"), "赵六")
    start = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0, 30)))
    for kind, who in ((ActivityKind.THEME_DAY, [zhang, li]), (ActivityKind.VOLUNTEERING, [zhang])):
        act = Activity.objects.create(title=str(kind.label), kind=kind, organization=branch, start=start,
                                      end=start + dt.timedelta(hours=3), status=ActivityStatus.HELD)
        for member in who:
            Attendance.objects.create(activity=act, member=member, checked_in_at=start)
    f.user("staff", Role.STREET_STAFF, tree["street1"])
    return {"zhang": zhang, "li": li}


def test_leaderboard_breakdown_and_selection(page, data):
    login(page, "staff")
    open_menu(page, "组织生活", "先锋指数")
    rows = page.get_by_test_id("pioneer-row")
    assert rows.count() == 2  # the other street's member is not listed
    first = rows.first
    assert "张三" in first.inner_text() and first.get_by_test_id("total").inner_text() == "5"  # 2 + 3 hours
    assert rows.nth(1).get_by_test_id("total").inner_text() == "2"

    first.get_by_role("link", name="张三").click()
    breakdown = page.get_by_test_id("breakdown")
    assert breakdown.locator("[data-component=volunteer_hours]").inner_text().split()[-1] == "3"
    assert page.get_by_test_id("breakdown-total").inner_text() == "5"

    page.fill("#id_top", "1")
    page.get_by_role("button", name="评选").click()
    assert page.get_by_test_id("pioneer-list").locator("li").count() == 1
    with page.expect_download() as download:
        page.get_by_test_id("export").click()
    assert download.value.suggested_filename.startswith("pioneer-")
