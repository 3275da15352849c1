"""Booking rules and the approval flow, through the services every entry point uses."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng.accounts.models import Notification
from jiceng.holidays.models import HolidayDate, HolidayYear
from jiceng.venues import services
from jiceng.venues.models import Booking, Room
from tests.venues.conftest import at, next_weekday

pytestmark = pytest.mark.django_db


def request(world, start, end, user="contact", **kw):
    kw.setdefault("purpose", "主题党日")
    kw.setdefault("attendees", 10)
    return services.request_booking(room=kw.pop("room", world["room"]), start=start, end=end,
                                    requested_by=world[user], **kw)


def errors(exc_info) -> dict:
    return exc_info.value.message_dict


def test_request_then_approve_notifies_requester(world):
    day = next_weekday()
    booking = request(world, at(day, 10), at(day, 12), enterprise=world["ent"])
    assert booking.status == "requested" and booking.borrower == "攀达科技"
    # The room's managers hear about the request: street staff and the park's building worker, not the head.
    told = set(Notification.objects.filter(message__contains="待审批").values_list("user__username", flat=True))
    assert told == {"staff1", "worker1", "district_admin"}
    approved = services.approve_booking(booking, by=world["worker"])
    assert approved.status == "approved" and approved.decided_by == world["worker"] and approved.decided_at
    note = Notification.objects.get(user=world["contact"])
    assert "已批准" in note.message and note.url == approved.get_absolute_url()


def test_end_must_follow_start(world):
    day = next_weekday()
    with pytest.raises(ValidationError) as exc:
        request(world, at(day, 12), at(day, 12))
    assert errors(exc) == {"end": ["结束时间必须晚于开始时间。"]}
    with pytest.raises(ValidationError) as exc:
        request(world, at(day, 12), at(day, 11))
    assert "end" in errors(exc)


def test_no_booking_in_the_past(world):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        request(world, at(yesterday, 10), at(yesterday, 11))
    assert errors(exc) == {"start": ["开始时间已过,不能预约过去的时段。"]}


def test_booking_horizon_is_configurable(world, settings):
    settings.JICENG = {**settings.JICENG, "VENUES_BOOKING_HORIZON_DAYS": 30}
    day = next_weekday(weeks=6)
    with pytest.raises(ValidationError) as exc:
        request(world, at(day, 10), at(day, 11))
    assert errors(exc) == {"start": ["最多只能预约 30 天以内的时段。"]}


def test_attendees_within_capacity(world):
    day = next_weekday()
    with pytest.raises(ValidationError) as exc:
        request(world, at(day, 10), at(day, 11), attendees=41)
    assert errors(exc) == {"attendees": ["参加人数 41 超过该房间的容纳人数 40 人。"]}
    assert request(world, at(day, 10), at(day, 11), attendees=40).attendees == 40


def test_inside_opening_hours_every_part(world):
    day = next_weekday()
    for start, end in ((at(day, 8, 30), at(day, 10)), (at(day, 17), at(day, 18, 30)), (at(day, 7), at(day, 8))):
        with pytest.raises(ValidationError) as exc:
            request(world, start, end)
        assert errors(exc) == {"start": ["预约须在开放时间 09:00–18:00 之内。"]}
    # Exactly the opening hours is fine.
    assert request(world, at(day, 9), at(day, 18)).pk


def test_closed_weekday_and_no_spanning_days(world):
    saturday = next_weekday(6)
    with pytest.raises(ValidationError) as exc:
        request(world, at(saturday, 10), at(saturday, 11))
    assert "不是开放日" in errors(exc)["start"][0]
    day = next_weekday()
    with pytest.raises(ValidationError) as exc:
        request(world, at(day, 17), at(day + dt.timedelta(days=1), 10))
    assert "跨日" in errors(exc)["end"][0]


def test_public_holiday_closes_the_room_when_configured(world):
    day = next_weekday(3)
    # An admin-entered holiday table for that year makes the Wednesday a day off.
    year, _created = HolidayYear.objects.get_or_create(year=day.year, defaults={"published": True})
    HolidayDate.objects.create(holiday_year=year, date=day, is_workday=False, name="测试假日")
    room = world["room"]
    room.closed_on_holidays = True
    room.save()
    with pytest.raises(ValidationError) as exc:
        request(world, at(day, 10), at(day, 11))
    assert "法定节假日" in errors(exc)["start"][0]
    room.closed_on_holidays = False
    room.save()
    assert request(world, at(day, 10), at(day, 11)).pk


def test_overlap_with_approved_refused_touching_allowed(world):
    day = next_weekday()
    first = request(world, at(day, 10), at(day, 12))
    services.approve_booking(first, by=world["staff"])
    for start, end in ((at(day, 11), at(day, 13)), (at(day, 9), at(day, 10, 1)), (at(day, 10), at(day, 12)),
                       (at(day, 10, 30), at(day, 11))):
        with pytest.raises(ValidationError) as exc:
            request(world, start, end)
        assert errors(exc)["start"][0].startswith("该房间在 ")
        assert "10:00–12:00 已有已批准的预约" in errors(exc)["start"][0]
    before = request(world, at(day, 9), at(day, 10))
    after = request(world, at(day, 12), at(day, 13))
    services.approve_booking(before, by=world["staff"])
    services.approve_booking(after, by=world["staff"])
    assert Booking.objects.filter(status="approved").count() == 3
    # Another room at the same time is free.
    other = Room.objects.create(place=world["station1"], name="会议室", capacity=10, closed_on_holidays=False)
    assert request(world, at(day, 10), at(day, 12), room=other).pk


def test_competing_requests_queue_but_only_one_is_approved(world):
    day = next_weekday()
    a = request(world, at(day, 14), at(day, 16))
    b = request(world, at(day, 15), at(day, 17), user="secretary", organization=world["org"])
    services.approve_booking(b, by=world["worker"])
    with pytest.raises(ValidationError) as exc:
        services.approve_booking(a, by=world["worker"])
    assert "15:00–17:00 已有已批准的预约(攀达科技党支部)" in errors(exc)["start"][0]
    a.refresh_from_db()
    assert a.status == "requested"
    services.reject_booking(a, by=world["worker"], reason="时段已借出")
    a.refresh_from_db()
    assert a.status == "rejected" and a.reason == "时段已借出"
    assert "未获批准" in Notification.objects.filter(user=world["contact"]).first().message


def test_only_managers_decide(world):
    day = next_weekday()
    booking = request(world, at(day, 10), at(day, 11))
    for user in ("contact", "head", "secretary", "staff2"):
        with pytest.raises(ValidationError) as exc:
            services.approve_booking(booking, by=world[user])
        assert "status" in errors(exc)
    services.approve_booking(booking, by=world["admin"])


def test_reject_needs_reason_and_a_pending_request(world):
    day = next_weekday()
    booking = request(world, at(day, 10), at(day, 11))
    with pytest.raises(ValidationError) as exc:
        services.reject_booking(booking, by=world["staff"], reason="  ")
    assert errors(exc) == {"reason": ["驳回预约须说明理由。"]}
    services.approve_booking(booking, by=world["staff"])
    with pytest.raises(ValidationError) as exc:
        services.reject_booking(booking, by=world["staff"], reason="改变主意")
    assert errors(exc) == {"status": ["该预约当前为“已批准”,不能驳回。"]}
    with pytest.raises(ValidationError) as exc:
        services.approve_booking(booking, by=world["staff"])
    assert "不能批准" in errors(exc)["status"][0]


def test_cancel_by_requester_or_manager(world):
    day = next_weekday()
    own = request(world, at(day, 10), at(day, 11))
    with pytest.raises(ValidationError) as exc:
        services.cancel_booking(own, by=world["contact2"])
    assert "status" in errors(exc)
    services.cancel_booking(own, by=world["contact"])
    own.refresh_from_db()
    assert own.status == "cancelled" and own.cancelled_by == world["contact"]
    assert not Notification.objects.filter(user=world["contact"]).exists()
    # A cancelled booking frees the slot.
    approved = request(world, at(day, 10), at(day, 11), user="secretary")
    services.approve_booking(approved, by=world["staff"])
    with pytest.raises(ValidationError) as exc:
        services.cancel_booking(approved, by=world["staff"])
    assert errors(exc) == {"reason": ["管理人员取消他人的预约须说明理由。"]}
    services.cancel_booking(approved, by=world["staff"], reason="场地检修")
    assert "已被取消" in Notification.objects.filter(user=world["secretary"]).first().message
    again = request(world, at(day, 10), at(day, 11), user="contact")
    assert services.approve_booking(again, by=world["staff"]).status == "approved"
    with pytest.raises(ValidationError):
        services.cancel_booking(approved, by=world["staff"], reason="再取消")


def test_auto_approve_only_for_managers(world):
    day = next_weekday()
    staff_booking = request(world, at(day, 10), at(day, 11), user="worker", auto_approve=True)
    assert staff_booking.status == "approved" and staff_booking.decided_by == world["worker"]
    contact_booking = request(world, at(day, 11), at(day, 12), auto_approve=True)
    assert contact_booking.status == "requested"
    with pytest.raises(ValidationError) as exc:
        request(world, at(day, 10, 30), at(day, 11, 30), user="staff", auto_approve=True)
    assert "start" in errors(exc)


def test_room_and_units_must_be_in_reach(world):
    day = next_weekday()
    with pytest.raises(ValidationError) as exc:
        request(world, at(day, 10), at(day, 11), room=world["other_room"])
    assert errors(exc) == {"room": ["房间不存在或不在您可预约的范围内。"]}
    with pytest.raises(ValidationError) as exc:
        request(world, at(day, 10), at(day, 11), enterprise=world["other_ent"])
    assert "enterprise" in errors(exc)
    world["room"].active = False
    world["room"].save()
    with pytest.raises(ValidationError) as exc:
        request(world, at(day, 10), at(day, 11))
    assert errors(exc) == {"room": ["该房间暂停开放预约。"]}


def test_anonymous_or_missing_requester_refused(world):
    from django.contrib.auth.models import AnonymousUser

    day = next_weekday()
    for user in (None, AnonymousUser()):
        with pytest.raises(ValidationError) as exc:
            services.request_booking(room=world["room"], start=at(day, 10), end=at(day, 11), requested_by=user,
                                     purpose="x")
        assert "room" in errors(exc)


def test_room_rules(world):
    room = Room(place=world["station1"], name="x", capacity=0, opens_at=dt.time(18), closes_at=dt.time(9),
                open_weekdays="189", equipment=["projector", "laser"])
    with pytest.raises(ValidationError) as exc:
        room.full_clean()
    assert set(errors(exc)) == {"capacity", "closes_at", "open_weekdays", "equipment"}
    room = Room(place=world["station1"], name="y", capacity=5, equipment=["wifi", "projector", "wifi"])
    room.full_clean()
    assert room.equipment == ["projector", "wifi"]


def test_history_is_kept(world):
    day = next_weekday()
    booking = request(world, at(day, 10), at(day, 11))
    services.approve_booking(booking, by=world["staff"])
    assert [h.status for h in booking.history.order_by("history_date")] == ["requested", "approved"]


@pytest.mark.parametrize(("days", "label"), [("12345", "周一至周五"), ("12357", "周一至周三、周五、周日"),
                                             ("67", "周六、周日"), ("1234567", "周一至周日")])
def test_open_days_label(days, label):
    assert Room(open_weekdays=days).days_label == label
