"""Seed 004 in a real browser: the branch secretary schedules the monthly theme party day (second Thursday) with
the station's room, a member signs up, checks in through the URL behind the door screen's QR code and rates the
speaker; the branch's 三会一课 page then shows the quarter with the theme day counted."""

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.activities import compliance
from jiceng.activities.models import Activity, Attendance, Rating, Series
from jiceng.places.models import PlaceKind
from jiceng.venues.models import Room
from tests import factories as f
from tests.conftest import login, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def data():
    tree = f.district_tree()
    station = f.place("创智天地党群服务站", PlaceKind.STATION, tree["park1"])
    room = Room.objects.create(place=station, name="党员活动室", capacity=30, closed_on_holidays=False,
                               open_weekdays="1234567", opens_at="08:00", closes_at="21:00")
    branch = f.organization(tree["building1"], "攀达科技党支部")
    member = f.member(branch, "张三")
    f.member(branch, "李四")
    f.user("secretary", Role.ORG_SECRETARY, branch)
    f.user("zhangsan", Role.MEMBER, member)
    return {"room": room, "branch": branch, "member": member}


def test_theme_day_sign_up_check_in_rating_compliance(page, data, browser, live_server):
    today = timezone.localdate()
    # 1. The secretary schedules the theme day: monthly, second Thursday, three times, in the station's room.
    login(page, "secretary")
    open_menu(page, "组织生活", "活动")
    page.get_by_test_id("new-series").click()
    page.fill("#id_title", "主题党日")
    page.select_option("#id_kind", "theme_day")
    assert page.locator("#id_organization").input_value() == str(data["branch"].pk)  # their branch, preselected
    assert page.locator("#id_ordinal").input_value() == "2" and page.locator("#id_weekday").input_value() == "3"
    page.fill("#id_start_date", today.isoformat())
    page.fill("#id_count", "3")
    page.fill("#id_start_time", "12:00")
    page.fill("#id_end_time", "13:30")
    page.select_option("#id_room", str(data["room"].pk))
    page.fill("#id_speaker_name", "林晓雯")
    with page.expect_navigation():
        page.get_by_test_id("preview-button").click()
    preview = page.get_by_test_id("preview")
    assert "FREQ=MONTHLY;BYDAY=+2TH" in preview.inner_text()
    assert preview.locator("tbody tr").count() == 3
    with page.expect_navigation():
        page.get_by_test_id("confirm-series").click()
    assert "已创建系列活动,共 3 次" in page.inner_text("body")
    assert page.get_by_test_id("rrule").inner_text() == "FREQ=MONTHLY;BYDAY=+2TH"
    series = Series.objects.get()
    first = series.activities.order_by("start").first()
    assert timezone.localtime(first.start).weekday() == 3 and 8 <= timezone.localtime(first.start).day <= 14 \
        or first.on_holiday
    assert first.booking is not None and first.booking.room == data["room"]

    # 2. A member signs up on the activity page.
    member = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    login(member, "zhangsan")
    member.goto(f"/activities/{first.pk}/")
    with member.expect_navigation():
        member.get_by_test_id("sign-up").click()
    assert "报名成功" in member.inner_text("body")
    assert "您已报名" in member.get_by_test_id("my-signup").inner_text()

    # The day has come: the first theme day starts in a quarter of an hour (check-in opens an hour before).
    start = timezone.now() + dt.timedelta(minutes=15)
    Activity.objects.filter(pk=first.pk).update(start=start, end=start + dt.timedelta(minutes=90))

    # 3. The door screen shows the QR code; the member opens the URL behind it and confirms.
    page.goto(f"/activities/{first.pk}/")
    page.get_by_test_id("door-link").click()
    assert page.get_by_test_id("qr").locator("svg").count() == 1
    checkin_url = page.get_by_test_id("checkin-url").get_attribute("href")
    member.goto(checkin_url)
    with member.expect_navigation():
        member.get_by_test_id("confirm-checkin").click()
    assert "签到成功" in member.inner_text("body")
    assert member.get_by_test_id("attended").is_visible()
    assert Attendance.objects.filter(activity=first, member=data["member"], method="qr").exists()
    member.goto(checkin_url)
    assert "您已签到" in member.get_by_test_id("checkin-error").inner_text()

    # 4. The member rates the speaker.
    member.goto(f"/activities/{first.pk}/")
    form = member.get_by_test_id("rating-form")
    form.locator("input[name=score][value='5']").check()
    form.locator("textarea[name=comment]").fill("主题鲜明,形式新颖")
    with member.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "感谢您的评价" in member.inner_text("body")
    assert "本场平均 5.00 分,共 1 人评价" in member.get_by_test_id("rating-summary").inner_text()
    assert Rating.objects.get().score == 5
    member.context.close()

    # 5. The branch's 三会一课 page shows this quarter with the theme day counted.
    open_menu(page, "组织生活", "三会一课")
    year, quarter = compliance.current_quarter()
    assert page.get_by_test_id("quarter-label").inner_text() == f"{year} 年第 {quarter} 季度"
    row = page.get_by_test_id("branch-row").filter(has_text="攀达科技党支部")
    assert row.count() == 1
    month_index = (timezone.localtime(start).month - 1) % 3
    theme_column = page.locator("[data-testid=compliance-table] thead th").all_inner_texts().index(
        next(t for t in page.locator("[data-testid=compliance-table] thead th").all_inner_texts()
             if t.startswith("主题党日")))
    badges = row.locator("td").nth(theme_column).locator(".badge")
    assert badges.nth(month_index).inner_text() == "1"
