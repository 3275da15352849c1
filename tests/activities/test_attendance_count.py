"""Activity.attendance_count (出席人次, decision 080): every way attendance is written or removed keeps it equal to the
activity's attendance rows, and saving an activity read before a check-in does not put a stale count back."""

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.activities import services
from jiceng.activities.models import Activity, Attendance, recount_attendance

from .conftest import make_activity

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(world):
    return make_activity(world["branch"], start=timezone.now() - dt.timedelta(minutes=10), hours=1, title="党课")


def kept(activity) -> int:
    return Activity.objects.values_list("attendance_count", flat=True).get(pk=activity.pk)


def test_every_write_path_keeps_the_count(world, lecture):
    stale = Activity.objects.get(pk=lecture.pk)  # read before anyone checks in
    services.check_in(lecture, code=services.checkin_code(lecture), member=world["m1"])  # a QR check-in
    assert kept(lecture) == 1
    services.record_attendance(lecture, member_ids=[world["m2"].pk, world["m3"].pk], user=world["secretary"])
    assert kept(lecture) == 3  # the ticked list, written in bulk
    services.record_attendance(lecture, member_ids=[world["m3"].pk], user=world["secretary"])
    assert kept(lecture) == 2  # unticked: a queryset delete
    stale.title = "党课(改期)"
    stale.save()  # its count was 0 when read
    assert kept(lecture) == 2 and Activity.objects.get(pk=lecture.pk).title == "党课(改期)"
    world["m1"].delete()  # the member's rows go by cascade
    assert kept(lecture) == Attendance.objects.filter(activity=lecture).count() == 1


def test_bulk_create_and_recount(world, lecture):
    other = make_activity(world["branch"], start=lecture.start, title="主题党日")
    Attendance.objects.bulk_create([Attendance(activity=activity, member=member, hours=1) for activity, member in (
        (lecture, world["m1"]), (other, world["m1"]), (other, world["m2"]))])
    assert (kept(lecture), kept(other)) == (1, 2)
    Activity.objects.filter(pk__in=[lecture.pk, other.pk]).update(attendance_count=7)  # as a raw insert leaves it
    assert recount_attendance(Activity.objects.filter(pk__in=[lecture.pk, other.pk])) == 2
    assert (kept(lecture), kept(other)) == (1, 2)
    Attendance.objects.filter(activity=other).delete()
    assert kept(other) == 0
