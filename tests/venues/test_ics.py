"""The room's ICS feed: parsed back with icalendar, it holds exactly the approved bookings, in Beijing time."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.urls import reverse

from jiceng.venues import ics, services
from tests.venues.conftest import at, next_weekday

pytestmark = pytest.mark.django_db
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def feed(client, room, user):
    return client.get(reverse("venues:room_ics", args=[room.pk]), {"token": ics.feed_token(room, user)})


def test_feed_parses_back_to_the_approved_bookings(world, client):
    day = next_weekday()
    room = world["room"]
    lecture = services.request_booking(room=room, start=at(day, 12), end=at(day, 13), requested_by=world["contact"],
                                       purpose="青年微党课", attendees=30, enterprise=world["ent"])
    services.approve_booking(lecture, by=world["worker"])
    party_day = services.request_booking(room=room, start=at(day + dt.timedelta(days=2), 14),
                                         end=at(day + dt.timedelta(days=2), 16), requested_by=world["secretary"],
                                         purpose="主题党日", organization=world["org"])
    services.approve_booking(party_day, by=world["worker"])
    services.request_booking(room=room, start=at(day, 15), end=at(day, 16), requested_by=world["contact"],
                             purpose="还在排队")
    cancelled = services.request_booking(room=room, start=at(day, 9), end=at(day, 10), requested_by=world["staff"],
                                         purpose="已取消", auto_approve=True)
    services.cancel_booking(cancelled, by=world["staff"])

    response = feed(client, room, world["contact"])  # no session: the token is the credential
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["VERSION"]) == "2.0" and "Jiceng" in str(cal["PRODID"])
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = cal.walk("VEVENT")
    assert len(events) == 2
    by_uid = {str(e["UID"]): e for e in events}
    assert set(by_uid) == {f"venues-booking-{lecture.pk}@jiceng", f"venues-booking-{party_day.pk}@jiceng"}
    first = by_uid[f"venues-booking-{lecture.pk}@jiceng"]
    start, end = first.decoded("DTSTART"), first.decoded("DTEND")
    assert start == lecture.start and end == lecture.end
    assert start.tzinfo.key == "Asia/Shanghai" and (start.hour, end.hour) == (12, 13)
    assert first["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert first.decoded("DTSTAMP").tzinfo is not None
    assert str(first["SUMMARY"]) == "青年微党课(攀达科技)" and "多功能厅" in str(first["LOCATION"])
    # The contact may not see the branch's booking: its slot is there, its details are not.
    second = by_uid[f"venues-booking-{party_day.pk}@jiceng"]
    assert str(second["SUMMARY"]) == "已预约"
    # The station's worker sees both in full.
    cal = icalendar.Calendar.from_ical(feed(client, room, world["worker"]).content)
    assert sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT")) == ["主题党日(攀达科技党支部)", "青年微党课(攀达科技)"]


def test_bad_or_foreign_tokens_are_404(world, client):
    room, other = world["room"], world["other_room"]
    url = reverse("venues:room_ics", args=[room.pk])
    assert client.get(url).status_code == 404
    assert client.get(url, {"token": "garbage"}).status_code == 404
    token = ics.feed_token(room, world["contact"])
    assert client.get(url, {"token": token[:-2] + "xx"}).status_code == 404
    # A token for one room does not open another.
    assert client.get(reverse("venues:room_ics", args=[other.pk]), {"token": token}).status_code == 404
    # A token issued to someone who cannot see the room (or no longer can) opens nothing.
    assert feed(client, other, world["contact"]).status_code == 404
    world["contact"].is_active = False
    world["contact"].save()
    assert client.get(url, {"token": token}).status_code == 404


def test_room_page_shows_the_users_feed_url(world, client):
    client.force_login(world["contact"])
    page = client.get(reverse("venues:room_detail", args=[world["room"].pk])).content.decode()
    token = ics.feed_token(world["room"], world["contact"])
    assert f"/venues/rooms/{world['room'].pk}/calendar.ics?token={token}" in page
