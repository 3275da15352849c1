"""Demo venues (seed 004: a service centre lends its rooms free to units): rooms in the 创智天地 and 五角场 stations,
a few bookings — approved ones on the calendar and one request waiting in the station's queue.

Idempotent: rooms are found by station and name; bookings are added only while the demo rooms have none.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from jiceng.places.models import Place, PlaceKind

from . import services
from .models import Booking, Room

DISTRICT, STREET, PARK = "杨浦区", "五角场街道", "创智天地"
PARK_STATION = "创智天地党群服务站"
STREET_STATION = "五角场青年社区党群服务站"

ROOMS = [
    # station, name, capacity, equipment, hours, weekdays, description
    (PARK_STATION, "多功能厅", 80, ["projector", "screen", "microphone", "speakers", "wifi"], (9, 21), "123456",
     "可举办讲座、微党课、观影和联谊活动;使用单位可更换投影内容(主题背景)。"),
    (PARK_STATION, "党员活动室", 30, ["screen", "whiteboard", "wifi", "tea"], (9, 18), "12345",
     "适合支部党员大会、主题党日和党小组会。"),
    (PARK_STATION, "洽谈室", 8, ["whiteboard", "tea"], (9, 18), "12345", "小型座谈、谈心谈话。"),
    (STREET_STATION, "青年学堂", 50, ["projector", "microphone", "wifi"], (9, 21), "1234567",
     "面向园区青年的课程与沙龙。"),
]


def _say(say, text: str) -> None:
    if say is not None:
        say(text)


def _open_day(room: Room, after: dt.date, weekday: int | None = None) -> dt.date:
    """The first day after `after` (on `weekday` if given) on which the room opens."""
    day = after + dt.timedelta(days=1)
    for _ in range(60):
        if (weekday is None or day.isoweekday() == weekday) and room.closed_reason(day) is None:
            return day
        day += dt.timedelta(days=1)
    return day


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load(users: dict[str, Any], today: dt.date, say=None) -> None:
    street = Place.objects.filter(name=STREET, kind=PlaceKind.STREET, parent__name=DISTRICT).first()
    park = Place.objects.filter(name=PARK, parent=street).first() if street else None
    if park is None:
        return
    stations = {
        PARK_STATION: Place.objects.filter(parent=park, kind=PlaceKind.STATION).first()
        or Place.objects.create(name=PARK_STATION, kind=PlaceKind.STATION, parent=park,
                                address="上海市杨浦区淞沪路 270 号", lat=park.lat, lng=park.lng),
        STREET_STATION: Place.objects.filter(parent=street, kind=PlaceKind.STATION).first(),
    }
    rooms: dict[str, Room] = {}
    created = 0
    for station_name, name, capacity, equipment, (opens, closes), weekdays, description in ROOMS:
        station = stations.get(station_name)
        if station is None:
            continue
        room = Room.objects.filter(place=station, name=name).first()
        if room is None:
            room = Room(place=station, name=name, capacity=capacity, equipment=equipment,
                        opens_at=dt.time(opens), closes_at=dt.time(closes), open_weekdays=weekdays,
                        description=description)
            room.full_clean()
            room.save()
            created += 1
        rooms[name] = room
    if created:
        _say(say, f"阵地共享:新增场地 {created} 个。")
    if not rooms or Booking.objects.filter(room__in=rooms.values()).exists():
        return
    _bookings(users, today, rooms)
    _say(say, f"阵地共享:新增预约 {Booking.objects.filter(room__in=rooms.values()).count()} 条。")


def _bookings(users: dict[str, Any], today: dt.date, rooms: dict[str, Room]) -> None:
    from jiceng.enterprises.models import Enterprise
    from jiceng.operations.demo import PANDA_BRANCH, PANDA_COMPANY
    from jiceng.organizations.models import Organization

    contact, secretary = users.get("unit_contact"), users.get("org_secretary")
    worker, staff = users.get("building_worker"), users.get("street_staff")
    panda = Enterprise.objects.filter(name=PANDA_COMPANY).first()
    branch = Organization.objects.filter(name=PANDA_BRANCH).first()
    hall, party_room = rooms.get("多功能厅"), rooms.get("党员活动室")
    meeting, school = rooms.get("洽谈室"), rooms.get("青年学堂")

    def book(room, day, hours, user, purpose, attendees, *, enterprise=None, organization=None, approver=None):
        if room is None or user is None:
            return None
        booking = services.request_booking(room=room, start=_at(day, *hours[0]), end=_at(day, *hours[1]),
                                           requested_by=user, purpose=purpose, attendees=attendees,
                                           enterprise=enterprise, organization=organization)
        if approver is not None:
            services.approve_booking(booking, by=approver)
        return booking

    if hall is not None:
        tuesday = _open_day(hall, today, weekday=2)
        # Seed 004: lunchtime micro-lectures and the Tuesday film at noon.
        book(hall, tuesday, ((12, 0), (13, 0)), contact, "青年微党课:数字经济与青年创业", 60, enterprise=panda,
             approver=worker)
        book(hall, _open_day(hall, tuesday, weekday=2), ((12, 0), (13, 30)), worker, "午间主题微电影", 70,
             approver=worker)
    if party_room is not None:
        thursday = _open_day(party_room, today + dt.timedelta(days=7), weekday=4)
        book(party_room, thursday, ((14, 0), (16, 0)), secretary, "主题党日:欢迎党员回家", 25,
             organization=branch, approver=worker)
    if meeting is not None:
        book(meeting, _open_day(meeting, today + dt.timedelta(days=2)), ((10, 0), (11, 30)), contact,
             "企业党建工作座谈", 6, enterprise=panda)
    if school is not None:
        book(school, _open_day(school, today + dt.timedelta(days=3), weekday=6), ((14, 0), (16, 0)), staff,
             "青年文体联盟:读书分享会", 40, approver=staff)
