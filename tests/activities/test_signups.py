"""Sign-up with capacity, waiting list and promotion; double sign-up; closing at the start; reminders."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng.accounts.models import Notification
from jiceng.activities import services
from jiceng.activities.models import SignUp, SignUpStatus

from .conftest import make_activity

pytestmark = pytest.mark.django_db


def test_capacity_waiting_list_and_promotion(world):
    activity = make_activity(world["branch"], capacity=2)
    first = services.sign_up(activity, member=world["m1"], user=world["u1"])
    second = services.sign_up(activity, member=world["m2"], user=world["u2"])
    third = services.sign_up(activity, member=world["m3"], user=world["u3"])
    public = None
    assert [first.status, second.status] == [SignUpStatus.CONFIRMED, SignUpStatus.CONFIRMED]
    assert (third.status, third.position) == (SignUpStatus.WAITLISTED, 1)
    assert "候补名单第 1 位" in services.signup_message(third)
    promoted = services.cancel_signup(first)
    assert promoted.pk == third.pk
    third.refresh_from_db()
    assert (third.status, third.position) == (SignUpStatus.CONFIRMED, None)
    assert Notification.objects.filter(user=world["u3"], message__contains="候补成功").count() == 1
    assert public is None
    # Cancelling a waiting-list entry frees nothing and promotes nobody.
    fourth = services.sign_up(activity, member=world["m1"])
    assert fourth.status == SignUpStatus.WAITLISTED
    assert services.cancel_signup(fourth) is None


def test_double_sign_up_is_refused(world):
    activity = make_activity(world["branch"])
    services.sign_up(activity, member=world["m1"])
    with pytest.raises(ValidationError) as exc:
        services.sign_up(activity, member=world["m1"])
    assert exc.value.message_dict == {"member": ["您已报名该活动,不能重复报名。"]}
    assert SignUp.objects.filter(activity=activity).count() == 1


def test_public_sign_up_by_phone(world):
    closed = make_activity(world["branch"])
    with pytest.raises(ValidationError) as exc:
        services.sign_up(closed, name="路人", phone="13912345678")
    assert "activity" in exc.value.message_dict
    activity = make_activity(world["branch"], public=True)
    with pytest.raises(ValidationError) as exc:
        services.sign_up(activity, name="", phone="12345")
    assert set(exc.value.message_dict) == {"name", "phone"}
    signup = services.sign_up(activity, name="白领小王", phone="+86 139-1234-5678")
    assert signup.phone == "13912345678" and signup.phone_masked == "139****5678"
    with pytest.raises(ValidationError) as exc:
        services.sign_up(activity, name="小王", phone="13912345678")
    assert "phone" in exc.value.message_dict


def test_sign_up_closes_at_start(world):
    activity = make_activity(world["branch"])
    with pytest.raises(ValidationError) as exc:
        services.sign_up(activity, member=world["m1"], now=activity.start)
    assert exc.value.message_dict == {"activity": ["活动已开始,报名已截止。"]}


def test_reminders_once_for_tomorrow(world):
    now = timezone.now()
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    start = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(12)))
    soon = make_activity(world["branch"], start=start, title="明天的微课堂")
    later = make_activity(world["branch"], start=start + dt.timedelta(days=2), title="后天之后")
    services.sign_up(soon, member=world["m1"])
    services.sign_up(later, member=world["m1"])
    assert services.send_reminders(now) == 1
    assert services.send_reminders(now) == 0
    messages = list(Notification.objects.filter(user=world["u1"]).values_list("message", flat=True))
    assert len(messages) == 1 and "明天的微课堂" in messages[0]
