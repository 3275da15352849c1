"""Booking a room in the same step as creating an activity (venues.request_booking, auto-approved for room
managers); a booking error names the room field and nothing is saved."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from jiceng.activities import recurrence, services
from jiceng.activities.models import Activity, ActivityKind, Series
from jiceng.places.models import PlaceKind
from jiceng.venues.models import Booking, Room
from tests import factories as f

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(world):
    station = f.place("创智天地党群服务站", PlaceKind.STATION, world["tree"]["park1"])
    return Room.objects.create(place=station, name="多功能厅", capacity=40, closed_on_holidays=False,
                               open_weekdays="1234567", opens_at=dt.time(8), closes_at=dt.time(21))


def next_thursday() -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=7)
    return day + dt.timedelta(days=(3 - day.weekday()) % 7)


def create(world, user, room, start, **kw):
    kw.setdefault("title", "主题党日")
    return services.create_activity(user=user, room=room, kind=ActivityKind.THEME_DAY,
                                    organization=world["branch"], start=start, end=start + dt.timedelta(hours=1),
                                    capacity=20, **kw)


def test_room_manager_books_and_it_is_approved(world, room):
    activity = create(world, world["staff"], room, at(next_thursday(), 12))
    booking = activity.booking
    assert booking.status == "approved" and booking.room == room and booking.attendees == 20
    assert booking.organization == world["branch"] and booking.purpose == "主题党日"
    assert activity.place == room.place


def test_secretary_request_awaits_approval(world, room):
    activity = create(world, world["secretary"], room, at(next_thursday(), 12))
    assert activity.booking.status == "requested"


def test_overlap_names_the_room_and_saves_nothing(world, room):
    start = at(next_thursday(), 12)
    create(world, world["staff"], room, start)
    with pytest.raises(ValidationError) as exc:
        create(world, world["staff"], room, start + dt.timedelta(minutes=30), title="另一场")
    assert "room" in exc.value.message_dict
    assert Activity.objects.count() == 1 and Booking.objects.count() == 1
    with pytest.raises(ValidationError) as exc:
        create(world, world["staff"], room, at(next_thursday(), 22))
    assert "room" in exc.value.message_dict and Activity.objects.count() == 1


def test_form_shows_the_booking_error(client, world, room):
    client.force_login(world["staff"])
    day = next_thursday()
    create(world, world["staff"], room, at(day, 12))
    r = client.post(reverse("activities:activity_add"), {
        "title": "党课", "kind": "party_lecture", "organization": world["branch"].pk,
        "start": f"{day}T12:30", "end": f"{day}T13:30", "room": room.pk})
    assert r.status_code == 200 and "room" in r.context["form"].errors
    assert not Activity.objects.filter(title="党课").exists()


def test_cancelling_the_activity_releases_the_room(world, room):
    activity = create(world, world["staff"], room, at(next_thursday(), 12))
    services.set_status(activity, "cancelled", user=world["staff"])
    activity.booking.refresh_from_db()
    assert activity.booking.status == "cancelled"


def test_series_books_every_occurrence(world, room):
    first = next_thursday()
    series = Series.objects.create(title="主题党日", kind=ActivityKind.THEME_DAY, organization=world["branch"],
                                   rrule="FREQ=WEEKLY;BYDAY=TH", start_date=first, count=3,
                                   start_time=dt.time(12), end_time=dt.time(13), room=room)
    created = recurrence.generate(series, user=world["staff"], room=room, default="keep")
    assert len(created) == 3 and all(a.booking and a.booking.status == "approved" for a in created)
    # A clash on one date undoes the whole generation.
    other = Series.objects.create(title="支委会", kind=ActivityKind.COMMITTEE_MEETING, organization=world["branch"],
                                  rrule="FREQ=WEEKLY;BYDAY=TH", start_date=first, count=3,
                                  start_time=dt.time(12, 30), end_time=dt.time(13, 30))
    with pytest.raises(ValidationError) as exc:
        recurrence.generate(other, user=world["staff"], room=room, default="keep")
    assert "room" in exc.value.message_dict
    assert not other.activities.exists() and Booking.objects.count() == 3
