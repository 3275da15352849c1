"""The ICS feed of a room's approved bookings, and the signed tokens calendar clients use to fetch it.

Calendar clients (Outlook, Apple/Google Calendar, phone calendars) cannot sign in, so the feed URL carries a
token signed with the site's SECRET_KEY that names the room and the user it was issued to. The feed is built
for that user, exactly as the room page would show it: the token stops working when the user is deactivated,
loses sight of the room, or the SECRET_KEY changes. Details (borrower, purpose) appear only for bookings the
user may see; others read "已预约" (booked). See docs/venues.md and docs/decisions.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import icalendar
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.sanitize import single_line

from .choices import BookingStatus
from .models import Booking, Room

SALT = "jiceng.venues.ics"
PRODID = "-//Jiceng//Venues//ZH"
PAST_DAYS = 90  # how far back the feed reaches; calendar clients keep what they already fetched
MAX_EVENTS = 1000  # the nearest ones; icalendar needs about 0.4 ms per event


def feed_token(room: Room, user) -> str:
    return signing.Signer(salt=SALT).sign_object({"r": room.pk, "u": user.pk}, compress=True)


def user_for_token(room_pk: int, token: str):
    """The active user a token was issued to for this room, or None (bad signature, other room, gone user)."""
    try:
        data = signing.Signer(salt=SALT).unsign_object(token or "")
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("r") != room_pk:
        return None
    return get_user_model().objects.filter(pk=data.get("u"), is_active=True).first()


def _uid(booking: Booking) -> str:
    # Stable whatever host name the feed is fetched under, so clients update events instead of duplicating them.
    return f"venues-booking-{booking.pk}@jiceng"


def room_calendar(room: Room, user) -> bytes:
    """VCALENDAR with one VEVENT per approved booking from PAST_DAYS ago on, times in Asia/Shanghai."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    since = timezone.now() - dt.timedelta(days=PAST_DAYS)
    bookings = list(Booking.objects.filter(room=room, status=BookingStatus.APPROVED, end__gte=since)
                    .select_related("enterprise", "organization", "requested_by").order_by("start")[:MAX_EVENTS])
    visible = set(Booking.objects.restrict(user).filter(pk__in=[b.pk for b in bookings]).values_list("pk", flat=True))
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", single_line(str(room)))
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    location = " ".join(part for part in (room.place.address, room.place.name, room.name) if part)
    for booking in bookings:
        event = icalendar.Event()
        event.add("uid", _uid(booking))
        event.add("dtstamp", (booking.decided_at or booking.created).astimezone(dt.UTC))
        event.add("last-modified", (booking.decided_at or booking.created).astimezone(dt.UTC))
        event.add("dtstart", booking.start.astimezone(tz))
        event.add("dtend", booking.end.astimezone(tz))
        if booking.pk in visible:
            event.add("summary", single_line(f"{booking.purpose}({booking.borrower})"))
            event.add("description", _("参加人数:%(n)d") % {"n": booking.attendees})
        else:
            event.add("summary", _("已预约"))
        event.add("location", single_line(location))
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
