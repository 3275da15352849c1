"""Calendar feeds (ICS) and the check-in QR code.

Calendar clients cannot sign in, so a feed URL carries a signed token naming what it shows (an organization's
activities or one member's sign-ups). The token never expires; it is shown only to people who may see the feed.
"""

from __future__ import annotations

import datetime as dt

import qrcode
import qrcode.image.svg
from django.core import signing
from django.db.models import QuerySet
from django.utils import timezone
from icalendar import Calendar, Event

from jiceng.core.sanitize import single_line, strip_control_chars

from .models import ACTIVE_SIGNUP_STATUSES, Activity, ActivityStatus

FEED_SALT = "jiceng.activities.ics"
ORGANIZATION, MEMBER = "org", "member"
# Feeds show what is recent and what is coming, not the whole history.
PAST_DAYS, FUTURE_DAYS = 90, 400


def feed_token(kind: str, pk: int) -> str:
    return signing.dumps([kind, pk], salt=FEED_SALT)


def read_token(token: str) -> tuple[str, int]:
    """(kind, pk) from a feed token; raises signing.BadSignature for anything not made by `feed_token`."""
    value = signing.loads(token, salt=FEED_SALT)
    if not (isinstance(value, list) and len(value) == 2 and value[0] in (ORGANIZATION, MEMBER)
            and isinstance(value[1], int)):
        raise signing.BadSignature("malformed feed token")
    return value[0], value[1]


def feed_activities(kind: str, pk: int, now: dt.datetime | None = None) -> QuerySet[Activity]:
    now = now or timezone.now()
    qs = Activity.objects.filter(start__gte=now - dt.timedelta(days=PAST_DAYS),
                                 start__lt=now + dt.timedelta(days=FUTURE_DAYS))
    if kind == ORGANIZATION:
        from jiceng.organizations.models import Organization

        found = Organization.objects.filter(pk=pk).first()
        qs = qs.filter(found.subtree_q()) if found else qs.none()
    else:
        qs = qs.filter(signups__member_id=pk, signups__status__in=ACTIVE_SIGNUP_STATUSES)
    return qs.select_related("place").order_by("start", "pk").distinct()


def ics(activities, name: str, base_url: str = "") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Jiceng//activities//ZH")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", single_line(name))
    cal.add("x-wr-timezone", "Asia/Shanghai")
    stamp = timezone.now()
    for activity in activities:
        event = Event()
        event.add("uid", f"activity-{activity.pk}@jiceng")
        event.add("dtstamp", stamp)
        event.add("dtstart", activity.start)
        event.add("dtend", activity.end)
        event.add("summary", single_line(activity.title))
        where = ", ".join(part for part in (activity.place.name if activity.place_id else "", activity.location)
                          if part)
        if where:
            event.add("location", single_line(where))
        if activity.description:
            event.add("description", strip_control_chars(activity.description))
        event.add("status", "CANCELLED" if activity.status == ActivityStatus.CANCELLED else "CONFIRMED")
        if base_url:
            event.add("url", base_url + activity.get_absolute_url())
        cal.add_component(event)
    return cal.to_ical()


def qr_svg(text: str) -> str:
    """An SVG QR code (no image library needed), sized by its container."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    # Let CSS size the code on the door screen.
    return svg.replace('width="', 'data-width="', 1).replace('height="', 'data-height="', 1)
