"""Assigned work (党组织分配的工作) and the six-month rule: only organizational life counts as attending, a done
task counts as work, an overdue task given before the window lists the member; who may record tasks."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.activities.models import Activity, ActivityKind, ActivityStatus, Attendance
from jiceng.members import inactivity
from jiceng.members.models import AssignedWork, DuesPayment, Member
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)
CUTOFF = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


@pytest.fixture
def branch(tree):
    return f.organization(tree["park1"], "甲支部")


def attend(org, member, day: dt.date, kind=ActivityKind.THEME_DAY, status=ActivityStatus.HELD) -> None:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(19)))
    activity = Activity.objects.create(title="活动", kind=kind, organization=org, start=start,
                                       end=start + dt.timedelta(hours=1), status=status)
    Attendance.objects.create(activity=activity, member=member, checked_in_at=start)


def active(member, branch) -> None:
    """Dues and organizational life in the window: only work can list the member."""
    attend(branch, member, dt.date(2026, 9, 1))
    DuesPayment.objects.create(member=member, month=dt.date(2026, 9, 1), amount="10.00", method="cash",
                               paid_on=dt.date(2026, 9, 1))


def listed(member) -> dict:
    rows = inactivity.inactive_members(Member.objects.filter(pk=member.pk))
    return rows[0].missing if rows else {}


def test_only_organizational_life_counts_as_attending(branch):
    lecture_only = f.member(branch, "只听讲座")
    attend(branch, lecture_only, dt.date(2026, 9, 1), kind=ActivityKind.LECTURE)
    attend(branch, lecture_only, dt.date(2026, 9, 2), kind=ActivityKind.CLUB_ACTIVITY)
    attend(branch, lecture_only, dt.date(2026, 9, 3), kind=ActivityKind.PARTY_LECTURE,
           status=ActivityStatus.CANCELLED)
    theme = f.member(branch, "参加主题党日")
    attend(branch, theme, dt.date(2026, 9, 1), kind=ActivityKind.THEME_DAY)
    assert "attendance" in listed(lecture_only)
    assert "attendance" not in listed(theme)
    assert inactivity.source_labels()["attendance"] == "参加组织生活"


@pytest.mark.parametrize(("assigned", "due", "done", "is_listed"), [
    (dt.date(2026, 3, 1), dt.date(2026, 4, 1), None, True),  # given before the window, overdue, undone
    (dt.date(2026, 5, 31), dt.date(2026, 7, 1), None, True),  # the day before the window's first day
    (dt.date(2026, 6, 1), dt.date(2026, 7, 1), None, False),  # given on the window's first day: not six months yet
    (dt.date(2026, 3, 1), dt.date(2027, 1, 1), None, False),  # not due yet
    (dt.date(2026, 3, 1), None, None, False),  # no due date: never overdue
    (dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 6, 1), False),  # done on the window's first day
])
def test_work_lists_a_member_only_for_old_overdue_undone_tasks(branch, assigned, due, done, is_listed):
    member = f.member(branch, "有任务")
    active(member, branch)
    AssignedWork.objects.create(task="走访", member=member, organization=branch, assigned=assigned, due=due,
                                done=done)
    assert ("work" in listed(member)) == is_listed
    assert (member in inactivity.inactive_queryset(Member.objects.all())) == is_listed


def test_work_done_since_the_cutoff_keeps_a_member_with_an_old_task_off_the_list(branch):
    member = f.member(branch, "另有完成")
    active(member, branch)
    AssignedWork.objects.create(task="旧任务", member=member, organization=branch, assigned=dt.date(2026, 1, 5),
                                due=dt.date(2026, 2, 1))
    AssignedWork.objects.create(task="新任务", member=member, organization=branch, assigned=dt.date(2026, 8, 1),
                                due=dt.date(2026, 9, 1), done=dt.date(2026, 8, 20))
    assert listed(member) == {}


def test_members_without_work_are_not_listed_for_it(branch):
    member = f.member(branch, "无任务")
    active(member, branch)
    assert listed(member) == {}
    assert "work" not in listed(f.member(branch, "什么都没有"))


@pytest.fixture
def people(tree, branch):
    other = f.organization(tree["building2"], "乙支部")
    m1, outsider = f.member(branch, "本支部党员"), f.member(other, "外支部党员")
    return {"branch": branch, "other": other, "m1": m1, "outsider": outsider,
            "secretary": f.user("sec", Role.ORG_SECRETARY, branch),
            "member": f.user("mem", Role.MEMBER, m1),
            "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"])}


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_who_may_record_assigned_work(people):
    body = {"task": "宣讲", "member": people["m1"].pk, "organization": people["branch"].pk,
            "assigned": "2026-11-01", "due": "2026-11-30"}
    r = api(people["secretary"]).post("/api/assigned-work/", body, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["overdue"] is True and AssignedWork.objects.get().recorded_by == people["secretary"]
    pk = r.json()["id"]
    # A member reads their own tasks but does not write; another street's officer does not see them.
    assert api(people["member"]).get(f"/api/assigned-work/{pk}/").status_code == 200
    assert api(people["member"]).post("/api/assigned-work/", body, format="json").status_code == 403
    assert api(people["staff2"]).get(f"/api/assigned-work/{pk}/").status_code == 404
    assert api(people["staff2"]).patch(f"/api/assigned-work/{pk}/", {"done": "2026-12-01"}).status_code == 404
    # Another branch's member is not the secretary's to give work to.
    r = api(people["secretary"]).post("/api/assigned-work/", {**body, "member": people["outsider"].pk},
                                      format="json")
    assert r.status_code == 400 and "member" in r.json()
    # Bad dates name their field.
    r = api(people["secretary"]).post("/api/assigned-work/", {**body, "due": "2026-10-01"}, format="json")
    assert r.status_code == 400 and "due" in r.json()
    r = api(people["secretary"]).patch(f"/api/assigned-work/{pk}/", {"done": "2027-01-01"}, format="json")
    assert r.status_code == 400 and "done" in r.json()
    r = api(people["secretary"]).patch(f"/api/assigned-work/{pk}/", {"done": "2026-12-01"}, format="json")
    assert r.status_code == 200 and r.json()["overdue"] is False


def test_the_pages(client, people):
    work = AssignedWork.objects.create(task="走访流动党员", member=people["m1"], organization=people["branch"],
                                       assigned=dt.date(2026, 3, 1), due=dt.date(2026, 4, 1))
    client.force_login(people["secretary"])
    page = client.get(reverse("members:work_list"), {"state": "overdue"})
    assert page.status_code == 200 and "走访流动党员" in page.content.decode()
    assert "走访流动党员" not in client.get(reverse("members:work_list"), {"state": "done"}).content.decode()
    assert client.get(reverse("members:work_detail", args=[work.pk])).status_code == 200
    r = client.post(reverse("members:work_edit", args=[work.pk]), {
        "task": "走访流动党员", "member": people["m1"].pk, "organization": people["branch"].pk,
        "assigned": "2026-03-01", "due": "2026-04-01", "done": "2026-12-05"})
    assert r.status_code == 302 and AssignedWork.objects.get().done == dt.date(2026, 12, 5)
    report = client.get(reverse("members:inactivity"), {"organization": people["branch"].pk}).content.decode()
    assert "做党组织分配的工作" in report and "本支部党员" in report
    client.force_login(people["member"])
    assert client.get(reverse("members:work_edit", args=[work.pk])).status_code == 403
    client.force_login(people["staff2"])
    assert client.get(reverse("members:work_detail", args=[work.pk])).status_code == 404
