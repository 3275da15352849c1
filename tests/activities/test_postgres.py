"""Concurrent sign-ups for the last place and concurrent check-ins, with real row locks on PostgreSQL."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jiceng.activities import services
from jiceng.activities.models import Attendance, SignUp, SignUpStatus

from .conftest import make_activity

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def run_together(functions) -> list[str]:
    barrier = threading.Barrier(len(functions))
    outcomes: list[str] = []

    def attempt(fn):
        barrier.wait()
        try:
            outcomes.append(fn())
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(fn,)) for fn in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")


def test_one_place_left_exactly_one_is_confirmed(world):
    activity = make_activity(world["branch"], capacity=1)
    members = [world["m1"], world["m2"], world["m3"], world["outsider"]]
    outcomes = run_together([lambda m=m: services.sign_up(activity, member=m).status for m in members])
    assert sorted(outcomes) == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]
    positions = sorted(SignUp.objects.filter(status=SignUpStatus.WAITLISTED).values_list("position", flat=True))
    assert positions == [1, 2, 3]


def test_the_same_member_twice_at_once(world):
    activity = make_activity(world["branch"])
    outcomes = run_together([lambda: services.sign_up(activity, member=world["m1"]).status] * 3)
    assert sorted(outcomes) == ["confirmed", "refused", "refused"]


def test_concurrent_check_ins_record_one_attendance(world):
    import datetime as dt

    from django.utils import timezone

    activity = make_activity(world["branch"], start=timezone.now() + dt.timedelta(minutes=5))
    code = services.checkin_code(activity)
    outcomes = run_together([lambda: services.check_in(activity, code=code, member=world["m1"]).method] * 3)
    assert sorted(outcomes) == ["qr", "refused", "refused"]
    assert Attendance.objects.count() == 1
