"""The attendance stage of `jiceng seed`: exact counts, what save() would have set, realistic gaps and ratings."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from jiceng.activities.models import ORGANIZATIONAL_LIFE_KINDS, Activity, ActivityKind, Attendance, Rating
from jiceng.members import pioneer
from jiceng.members.models import Member
from jiceng.operations.seeding import SCALES, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(db):
    call_command("seed", scale="demo", seed=7, verbosity=0)


def test_exact_attendance_count_and_proportional_scale(seeded):
    assert Attendance.objects.count() == SCALES["demo"].attendance
    assert table_counts()["attendance"] == SCALES["demo"].attendance
    # The demo is the city scaled down by members: the same attendance per member.
    demo, city = SCALES["demo"], SCALES["city"]
    assert demo.attendance / demo.members == pytest.approx(city.attendance / city.members, rel=0.01)
    assert city.attendance >= 2_000_000


def test_activities_keep_their_attendance_count(seeded):
    """The matrix report sums Activity.attendance_count: the seed's raw inserts leave every activity recounted."""
    counted = Counter(Attendance.objects.values_list("activity_id", flat=True))
    kept = dict(Activity.objects.values_list("pk", "attendance_count"))
    assert sum(kept.values()) == Attendance.objects.count() > 0
    assert {pk: n for pk, n in kept.items() if n} == dict(counted)


def test_activities_have_what_save_would_set(seeded):
    for index, act in enumerate(Activity.objects.select_related("organization__place").order_by("pk")):
        place = act.organization.place
        assert (act.host_id, act.district_id, act.street_id) == (place.pk, place.district_id, place.street_id)
        assert act.end > act.start and act.start <= timezone.now()
        assert act.created < act.start
        if index % 10 == 0:
            act.full_clean()
    # save() changes none of the denormalized fields.
    for act in Activity.objects.order_by("pk")[:20]:
        before = (act.host_id, act.district_id, act.street_id)
        act.save()
        act.refresh_from_db()
        assert (act.host_id, act.district_id, act.street_id) == before


def test_attendance_rows_are_consistent(seeded):
    rows = Attendance.objects.select_related("activity", "member")
    for row in rows.order_by("pk"):
        hours = row.activity.duration_hours
        if row.activity.kind == ActivityKind.VOLUNTEERING:
            assert row.hours in (hours, hours - 1)
        else:
            assert row.hours == hours
        assert row.member.join_date <= row.activity.start.date()  # nobody attends before joining
    pairs = Counter(rows.values_list("activity_id", "member_id"))
    assert max(pairs.values()) == 1
    # Members attend their own organization's organizational life.
    foreign = rows.filter(activity__kind__in=ORGANIZATIONAL_LIFE_KINDS).exclude(
        activity__organization=F("member__organization"))
    assert not foreign.exists()


def test_compliance_has_holes_and_lectures_are_rated(seeded):
    # Some organizations skip some months' theme party day; most hold most of them.
    per_org = Counter(Activity.objects.filter(kind=ActivityKind.THEME_DAY).values_list("organization_id", flat=True))
    assert min(per_org.values()) < max(per_org.values())
    assert Activity.objects.filter(kind=ActivityKind.VOLUNTEERING).exists()
    ratings = Rating.objects.select_related("activity")
    assert ratings.exists()
    for rating in ratings:
        assert rating.activity.speaker_id and rating.member_id != rating.activity.speaker_id
        assert Attendance.objects.filter(activity=rating.activity, member=rating.member).exists()
        assert 1 <= rating.score <= 5


def test_pioneer_index_on_seeded_data(seeded):
    year = pioneer.parse_period("year")
    last = pioneer.parse_period(str(year.start.year - 1))
    rows = pioneer.scores(Member.objects.all(), last.start, year.end)
    assert rows[0].total > 0 and all(r.total == sum(c.points for c in r.components) for r in rows)
    assert {c.code for r in rows[:50] for c in r.components if c.quantity} >= {
        "organizational_life", "activity", "volunteer_hours", "lecture_rating"}


def test_same_seed_same_attendance(db):
    def attendance():
        return list(Attendance.objects.order_by("activity_id", "member_id")
                    .values_list("activity__title", "member__id_number", "hours")[:300])

    with transaction.atomic():
        call_command("seed", scale="demo", seed=5, verbosity=0)
        first = attendance()
        transaction.set_rollback(True)
    call_command("seed", scale="demo", seed=5, verbosity=0)
    assert attendance() == first
