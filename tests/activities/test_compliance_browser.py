"""In a real browser: a branch secretary whose branch has a committee sees the last full quarter short of one
支委会, records it (the meeting, marked held, with its minutes), and the quarter turns green."""

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.activities import compliance
from jiceng.activities.models import Activity, ActivityKind, ActivityStatus, Attendance, ComplianceRule, MeetingRecord
from jiceng.organizations.models import CommitteeMember
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def held(org, kind, day, attendee):
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(19)))
    activity = Activity.objects.create(title=str(kind), kind=kind, organization=org, start=start,
                                       end=start + dt.timedelta(hours=1), status=ActivityStatus.HELD)
    Attendance.objects.create(activity=activity, member=attendee)


@pytest.fixture
def quarter():
    tree = f.district_tree()
    branch = f.organization(tree["building1"], "锐思软件党支部")
    members = [f.member(branch, name) for name in ("王立新", "林晓雯", "张三", "李四", "王五", "赵六", "钱七")]
    for member in members[:3]:
        CommitteeMember.objects.create(organization=branch, member=member, position="member")
    f.user("secretary", Role.ORG_SECRETARY, branch)
    year, q = compliance.last_full_quarter()
    start, end = compliance.quarter_bounds(year, q)
    months = [start.replace(month=start.month + n) for n in range(3)]
    # Everything the branch's structure asks for, except the committee meeting of the quarter's last month.
    for rule in ComplianceRule.objects.filter(active=True).exclude(kind=ActivityKind.GROUP_MEETING):
        days = [m.replace(day=10) for m in months] if rule.period == "month" else [start.replace(day=12)]
        for day in days:
            if rule.kind == ActivityKind.COMMITTEE_MEETING and day.month == months[2].month:
                continue
            held(branch, rule.kind, day, members[0])
    return {"branch": branch, "year": year, "quarter": q, "missing": months[2].replace(day=15), "members": members}


def test_a_secretary_records_the_missing_committee_meeting_and_the_quarter_turns_green(page, quarter):
    branch, missing = quarter["branch"], quarter["missing"]
    url = f"/activities/compliance/?year={quarter['year']}&quarter={quarter['quarter']}&organization={branch.pk}"
    login(page, "secretary")
    page.goto(url)
    row = page.get_by_test_id("branch-row")
    assert row.get_attribute("data-status") == "gap"
    assert "支委会:0/1 次" in row.inner_text()
    assert page.locator('[data-kind="group_meeting"] [data-testid="not-applicable"]').get_attribute("title") \
        == "支部未设党小组"
    assert page.get_by_test_id("legend-na").is_visible()

    # Record the meeting: the activity, marked held, and its minutes.
    page.goto("/activities/new/")
    page.fill("#id_title", "支委会")
    page.select_option("#id_kind", "committee_meeting")
    page.select_option("#id_organization", str(branch.pk))
    page.fill("#id_start", f"{missing:%Y-%m-%d}T19:00")
    page.fill("#id_end", f"{missing:%Y-%m-%d}T20:00")
    with page.expect_navigation():
        page.get_by_test_id("activity-form").locator("button[type=submit]").click()
    with page.expect_navigation():
        page.get_by_role("button", name="标记为已举行").click()
    assert "已举行" in page.get_by_test_id("status").inner_text()
    form = page.get_by_test_id("record-form")
    form.locator("#id_topic").fill("研究第三季度发展党员工作")
    form.locator("#id_chair").select_option(str(quarter["members"][0].pk))
    form.locator("#id_recorder").select_option(str(quarter["members"][1].pk))
    with page.expect_navigation():
        page.get_by_test_id("record-save").click()
    assert "会议记录已保存" in page.inner_text("body")
    assert page.get_by_test_id("record-topic").inner_text() == "研究第三季度发展党员工作"
    assert MeetingRecord.objects.get().activity.kind == ActivityKind.COMMITTEE_MEETING

    page.goto(url)
    row = page.get_by_test_id("branch-row")
    assert row.get_attribute("data-status") == "met"
    assert page.locator('[data-kind="committee_meeting"]').get_attribute("data-status") == "met"
    assert page.get_by_test_id("compliant-count").inner_text() == "1"
    assert row.locator(".text-green", has_text="无").is_visible()
