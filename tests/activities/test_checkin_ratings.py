"""QR check-in (valid, expired, foreign, tampered, second), the attendance list, and ratings of speakers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng.activities import services
from jiceng.activities.models import ActivityKind, Attendance, AttendanceMethod

from .conftest import make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(world):
    start = timezone.now() + dt.timedelta(minutes=30)
    return make_activity(world["branch"], start=start, hours=1, title="午间微课堂", kind=ActivityKind.MICRO_LECTURE,
                         speaker=world["m3"], speaker_name="王五")


def code_at(activity, when):
    from unittest import mock

    with mock.patch("django.core.signing.time.time", return_value=when.timestamp()):
        return services.checkin_code(activity)


def test_valid_code_records_attendance_once(world, lecture):
    code = services.checkin_code(lecture)
    attendance = services.check_in(lecture, code=code, member=world["m1"], user=world["u1"])
    assert attendance.method == AttendanceMethod.QR and attendance.hours == Decimal("1.00")
    with pytest.raises(ValidationError) as exc:
        services.check_in(lecture, code=code, member=world["m1"])
    assert exc.value.message_dict == {"member": ["您已签到,无需重复签到。"]}
    assert Attendance.objects.filter(activity=lecture).count() == 1


def test_expired_code(world, lecture):
    old = code_at(lecture, timezone.now() - dt.timedelta(minutes=16))
    with pytest.raises(ValidationError) as exc:
        services.check_in(lecture, code=old, member=world["m1"])
    assert "过期" in exc.value.message_dict["code"][0]


def test_code_outside_the_window(world, lecture):
    code = services.checkin_code(lecture)
    with pytest.raises(ValidationError) as exc:
        services.check_in(lecture, code=code, member=world["m1"], now=lecture.start - dt.timedelta(hours=2))
    assert "尚未开始" in exc.value.message_dict["code"][0]
    with pytest.raises(ValidationError) as exc:
        services.verify_checkin_code(lecture, code, now=lecture.end + dt.timedelta(minutes=1))
    assert "已结束" in exc.value.message_dict["code"][0]


def test_foreign_and_tampered_codes(world, lecture):
    other = make_activity(world["branch"], start=lecture.start, title="另一场")
    with pytest.raises(ValidationError) as exc:
        services.check_in(lecture, code=services.checkin_code(other), member=world["m1"])
    assert "另一场活动" in exc.value.message_dict["code"][0]
    code = services.checkin_code(lecture)
    for bad in (code[:-2] + ("AA" if not code.endswith("AA") else "BB"), f"{other.pk}" + code[len(str(lecture.pk)):],
                "garbage", ""):
        with pytest.raises(ValidationError) as exc:
            services.check_in(lecture, code=bad, member=world["m1"])
        assert "无效" in exc.value.message_dict["code"][0]
    # A new secret invalidates the codes shown before.
    lecture.checkin_secret = "rotated"
    lecture.save()
    with pytest.raises(ValidationError):
        services.check_in(lecture, code=code, member=world["m1"])
    assert not Attendance.objects.exists()


def test_user_without_member_cannot_check_in(world, lecture):
    with pytest.raises(ValidationError) as exc:
        services.check_in(lecture, code=services.checkin_code(lecture), member=None)
    assert "member" in exc.value.message_dict


def test_attendance_list_adds_and_removes_but_keeps_qr(world, lecture):
    services.check_in(lecture, code=services.checkin_code(lecture), member=world["m1"])
    services.sign_up(lecture, member=world["outsider"])  # signed-up members from elsewhere can be ticked too
    result = services.record_attendance(lecture, member_ids=[world["m2"].pk, world["outsider"].pk],
                                        user=world["secretary"])
    assert result == {"added": 2, "removed": 0}
    result = services.record_attendance(lecture, member_ids=[world["outsider"].pk], user=world["secretary"])
    assert result == {"added": 0, "removed": 1}
    assert set(Attendance.objects.values_list("member__name", flat=True)) == {"张三", "赵六"}
    with pytest.raises(ValidationError) as exc:
        services.record_attendance(lecture, member_ids=[999999], user=world["secretary"])
    assert "member_ids" in exc.value.message_dict


def test_one_rating_per_attendee(world, lecture):
    services.check_in(lecture, code=services.checkin_code(lecture), member=world["m1"])
    with pytest.raises(ValidationError) as exc:
        services.rate(lecture, member=world["m2"], score=5)
    assert exc.value.message_dict == {"member": ["只有签到出席的党员才能评价。"]}
    with pytest.raises(ValidationError) as exc:
        services.rate(lecture, member=world["m1"], score=6)
    assert "score" in exc.value.message_dict
    services.rate(lecture, member=world["m1"], score=4, comment="讲得透彻")
    with pytest.raises(ValidationError) as exc:
        services.rate(lecture, member=world["m1"], score=5)
    assert "只能评价一次" in exc.value.message_dict["member"][0]
    services.record_attendance(lecture, member_ids=[world["m2"].pk])
    services.rate(lecture, member=world["m2"], score=5)
    stats = services.speaker_stats(world["m3"])
    assert (stats["average"], stats["count"], stats["talks"]) == (Decimal("4.50"), 2, 1)


def test_no_rating_without_speaker(world):
    start = timezone.now() - dt.timedelta(minutes=10)
    meeting = make_activity(world["branch"], start=start, kind=ActivityKind.BRANCH_MEETING, title="支部党员大会")
    services.record_attendance(meeting, member_ids=[world["m1"].pk])
    with pytest.raises(ValidationError) as exc:
        services.rate(meeting, member=world["m1"], score=5)
    assert "activity" in exc.value.message_dict
