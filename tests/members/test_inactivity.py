"""The six-month rule report (党章第九条): who is listed, at the window's first day, and page by page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.activities.models import Activity, ActivityKind, ActivityStatus, Attendance
from jiceng.members import inactivity
from jiceng.members.models import DuesPayment, Member
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 7)  # window: 2026-06-01 onwards (INACTIVITY_MONTHS = 6)
CUTOFF = dt.date(2026, 6, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        yield


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.get_current_timezone())


def attended(org, member, when: dt.datetime) -> None:
    activity = Activity.objects.create(title="主题党日", kind=ActivityKind.THEME_DAY, organization=org,
                                       start=when, end=when + dt.timedelta(hours=1), status=ActivityStatus.HELD)
    Attendance.objects.create(activity=activity, member=member, checked_in_at=when)


def paid(member, month: dt.date) -> None:
    DuesPayment.objects.create(member=member, month=month, amount="10.00", method="cash", paid_on=month)


@pytest.fixture
def branch(tree):
    return f.organization(tree["park1"], "甲支部")


def test_cutoff_is_the_first_day_six_months_back():
    assert inactivity.cutoff_date(TODAY) == CUTOFF
    assert inactivity.cutoff_date(dt.date(2026, 8, 31)) == dt.date(2026, 2, 1)


def test_a_record_on_the_first_day_of_the_window_counts_and_the_day_before_does_not(branch):
    on_time = f.member(branch, "准时", join_date=dt.date(2015, 7, 1))
    attended(branch, on_time, local(CUTOFF, 0, 0))  # 00:00 local on the first day
    paid(on_time, CUTOFF)
    late = f.member(branch, "差一天", join_date=dt.date(2015, 7, 1))
    attended(branch, late, local(CUTOFF - dt.timedelta(days=1), 23, 59))
    paid(late, CUTOFF)

    rows = {row.member.name: row.missing for row in inactivity.inactive_members(Member.objects.all())}
    assert "准时" not in rows
    assert rows["差一天"] == {"attendance": CUTOFF - dt.timedelta(days=1)}


def test_recent_joiners_and_those_who_left_are_not_listed(branch):
    f.member(branch, "新党员", join_date=CUTOFF + dt.timedelta(days=1))
    f.member(branch, "已出党", join_date=dt.date(2010, 1, 1), left_on=dt.date(2026, 3, 1))
    never = f.member(branch, "从未参加", join_date=CUTOFF)  # joined on the first day: six months are possible
    rows = inactivity.inactive_members(Member.objects.all())
    assert [(row.member, row.missing) for row in rows] == [(never, {"dues": None, "attendance": None})]


def test_the_page_lists_fifty_at_a_time_with_a_bounded_number_of_queries(client, branch, django_assert_max_num_queries):
    first = (Member.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    Member.objects.bulk_create([
        Member(pk=first + i, name=f"党员{i:03d}", name_pinyin=f"dangyuan{i:03d}", gender="M",
               birth_date=dt.date(1990, 1, 1), id_number=f.id_number(500 + i), join_date=dt.date(2015, 7, 1),
               organization=branch)
        for i in range(73)
    ])
    client.force_login(f.user("sec", Role.ORG_SECRETARY, branch))
    url = reverse("members:inactivity")
    with django_assert_max_num_queries(14):
        first_page = client.get(url, {"organization": branch.pk}).content.decode()
    assert "党员000" in first_page and "党员049" in first_page and "党员050" not in first_page
    assert "1 / 2" in first_page
    second_page = client.get(url, {"organization": branch.pk, "page": 2}).content.decode()
    assert "党员050" in second_page and "党员072" in second_page and "党员000" not in second_page
