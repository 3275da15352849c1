"""Loading the demo: the command, accounts that were there before, and the story's dates on any day (each test
loads the demo itself; the tests that only read it share one load in tests/test_demo.py)."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from jiceng.demands.models import Demand, DemandEvent, Visit
from jiceng.holidays.calendar import WorkCalendar
from jiceng.operations.demo import PASSWORD, load_demo
from jiceng.risk.models import FollowUp

from .test_demo import _counts

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_demo_command(db, capsys):
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    first = out.getvalue()
    printed = first + "".join(capsys.readouterr())
    assert "节假日安排" not in printed and "期限待定" not in printed  # no calendar warning, whatever the date
    from jiceng.risk.models import FollowUp

    assert FollowUp.objects.exists() and not FollowUp.objects.filter(due_date__isnull=True).exists()
    assert "admin" in first and PASSWORD in first and "http://127.0.0.1:8000/" in first
    before = _counts()
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert _counts() == before
    assert "演示数据已存在" in out.getvalue()
    # The login table is the same on the second run.
    assert first[first.index("演示账号"):] == out.getvalue()[out.getvalue().index("演示账号"):]


def test_existing_accounts_are_left_alone(db):
    get_user_model().objects.create_superuser(username="admin", password="my-own-secret")
    summary = load_demo()
    assert summary["preexisting_users"] == ["admin"]
    assert get_user_model().objects.get(username="admin").check_password("my-own-secret")
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert "（原密码）" in out.getvalue() and "admin" in out.getvalue()


@pytest.mark.parametrize("day", [
    dt.date(2026, 10, 9),  # the first working day after the National Day holiday
    dt.date(2027, 1, 3),  # a Sunday
])
def test_deadlines_are_the_workflows_own_on_any_day(day):
    with time_machine.travel(dt.datetime.combine(day, dt.time(9, 30), tzinfo=SHANGHAI), tick=False):
        load_demo()
        calendar = WorkCalendar()
        accepted = Demand.objects.filter(accepted_on__isnull=False).select_related("category")
        assert accepted.count() >= 40
        for demand in accepted:
            assert demand.due_date == calendar.deadline(demand.accepted_on, demand.category.deadline_days).date
            assert demand.accepted_on <= day and demand.created.date() <= day
            assert calendar.is_workday(demand.accepted_on) or demand.accepted_on == day
        # Nothing in the story happens after now.
        now = timezone.now()
        assert not DemandEvent.objects.filter(created__gt=now).exists()
        assert not Visit.objects.filter(date__gte=day).exists()
        assert not FollowUp.objects.filter(created__gt=now).exists()
        if calendar.is_workday(day):
            assert Demand.objects.filter(status__in=("accepted", "assigned"), due_date=day).exists()
        assert Demand.objects.filter(status__in=("accepted", "assigned"), due_date__lt=day).exists()
