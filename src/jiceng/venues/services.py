"""Venue use cases: request, approve, reject and cancel bookings; room photos. Each one is a transaction.

The overlap rule (two approved bookings of one room never overlap) is checked after locking the room's row,
so two approvals of the same room run one after the other and the second sees the first: on PostgreSQL with
SELECT ... FOR UPDATE, on SQLite with an UPDATE of the row (which takes the database's write lock). On
PostgreSQL an exclusion constraint backs this up; its IntegrityError becomes the same ValidationError.

The activities app books a room in the same step as scheduling an activity through `request_booking(...,
auto_approve=True)`; keep these signatures stable.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import RoleAssignment
from jiceng.accounts.notify import notify

from .choices import OPEN_STATUSES, BookingStatus
from .models import (
    MANAGER_ROLES,
    NO_OVERLAP_CONSTRAINT,
    PHOTOS_PER_ROOM,
    Booking,
    Room,
    RoomPhoto,
    managed_rooms_q,
    validate_photo,
)

DEFAULT_HORIZON_DAYS = 730


class BookingError(ValidationError):
    """A booking rule was broken; `message_dict` names the field (start, end, attendees, room, status…)."""


def _error(field: str, message: str) -> BookingError:
    return BookingError({field: [message]})


# --- who may do what ---------------------------------------------------------------------------------------
def approval_queue(user) -> QuerySet[Booking]:
    """Requests still to come that wait for a decision at the stations `user` manages (the approval queue)."""
    return Booking.objects.restrict(user).filter(
        managed_rooms_q(user, "room__district", "room__street", "room__place__path"),
        status=BookingStatus.REQUESTED, end__gt=timezone.now())


def can_manage(user, room: Room) -> bool:
    """District admins, street staff and building workers whose scope holds the room's place; superusers."""
    return Room.objects.filter(pk=room.pk).filter(managed_rooms_q(user)).exists()


def can_cancel(user, booking: Booking) -> bool:
    return booking.requested_by_id == user.pk or can_manage(user, booking.room)


def room_managers(room: Room) -> list:
    """Users who manage the room (to tell them a request is waiting)."""
    place = room.place
    ancestors = [int(part) for part in place.path.strip("/").split("/") if part]
    assignments = RoleAssignment.objects.filter(role__in=MANAGER_ROLES, place_id__in=ancestors,
                                                user__is_active=True).select_related("user", "place")
    users = {}
    for ra in assignments:
        if ra.role == "district_admin" and ra.place_id != place.district_id:
            continue
        if ra.role == "street_staff" and ra.place_id != place.street_id:
            continue
        users[ra.user_id] = ra.user
    return list(users.values())


# --- the overlap rule --------------------------------------------------------------------------------------
def _lock_room(room: Room) -> None:
    """Serialize bookings of one room for the rest of the transaction."""
    if connection.features.has_select_for_update:
        Room.objects.select_for_update().filter(pk=room.pk).values_list("pk", flat=True).first()
    else:
        # SQLite has no row locks: writing the row takes the database's write lock until commit.
        Room.objects.filter(pk=room.pk).update(capacity=F("capacity"))


def _clash_error(clash: Booking) -> BookingError:
    return _error("start", _("该房间在 %(start)s–%(end)s 已有已批准的预约(%(who)s),请换一个时段或房间。")
                  % {"start": f"{clash.local_start:%Y-%m-%d %H:%M}", "end": f"{clash.local_end:%H:%M}",
                     "who": clash.borrower})


def _overlap_error() -> BookingError:
    return _error("start", _("该房间在此时段已有已批准的预约,请换一个时段或房间。"))


def _save_approved(booking: Booking, fields: list[str] | None = None) -> None:
    """Check the overlap (the room is locked) and save; the database constraint is the last line."""
    clash = booking.clashes().first()
    if clash is not None:
        raise _clash_error(clash)
    try:
        with transaction.atomic():
            booking.save(update_fields=fields)
    except IntegrityError as exc:
        if NO_OVERLAP_CONSTRAINT in str(exc):
            raise _overlap_error() from exc
        raise


def _check_time(start: dt.datetime, end: dt.datetime) -> None:
    for field, value in (("start", start), ("end", end)):
        if not isinstance(value, dt.datetime):
            raise _error(field, _("请填写日期和时间。"))
        if timezone.is_naive(value):
            raise _error(field, _("时间必须带时区。"))
    if start < timezone.now():
        raise _error("start", _("开始时间已过,不能预约过去的时段。"))
    horizon = horizon_days()
    if start > timezone.now() + dt.timedelta(days=horizon):
        raise _error("start", _("最多只能预约 %(days)d 天以内的时段。") % {"days": horizon})


def horizon_days() -> int:
    """How far ahead rooms can be booked: settings.JICENG["VENUES_BOOKING_HORIZON_DAYS"] (default two years)."""
    return int(settings.JICENG.get("VENUES_BOOKING_HORIZON_DAYS", DEFAULT_HORIZON_DAYS))


# --- use cases ---------------------------------------------------------------------------------------------
def request_booking(*, room: Room, start: dt.datetime, end: dt.datetime, requested_by: AbstractBaseUser,
                    purpose: str, attendees: int = 0, enterprise=None, organization=None,
                    auto_approve: bool = False) -> Booking:
    """Ask to borrow `room`; with `auto_approve` and a user who manages the room it is approved at once."""
    from jiceng.enterprises.models import Enterprise
    from jiceng.organizations.models import Organization

    if requested_by is None or not requested_by.is_authenticated:
        raise _error("room", _("预约须由登录用户提出。"))
    if room is None or not Room.objects.restrict(requested_by).filter(pk=room.pk).exists():
        raise _error("room", _("房间不存在或不在您可预约的范围内。"))
    if not room.active:
        raise _error("room", _("该房间暂停开放预约。"))
    _check_time(start, end)
    if enterprise is not None and not Enterprise.objects.restrict(requested_by).filter(pk=enterprise.pk).exists():
        raise _error("enterprise", _("借用单位不存在或不在您的范围内。"))
    if organization is not None and not Organization.objects.restrict(requested_by).filter(
            pk=organization.pk).exists():
        raise _error("organization", _("借用党组织不存在或不在您的范围内。"))
    booking = Booking(room=room, start=start, end=end, requested_by=requested_by, purpose=(purpose or "").strip(),
                      attendees=attendees, enterprise=enterprise, organization=organization)
    booking.full_clean(exclude=["requested_by", "status", "decided_by", "cancelled_by"])
    approve = auto_approve and can_manage(requested_by, room)
    with transaction.atomic():
        if approve:
            _lock_room(room)
            booking.status, booking.decided_by, booking.decided_at = (BookingStatus.APPROVED, requested_by,
                                                                      timezone.now())
            _save_approved(booking)
        else:
            clash = booking.clashes().first()
            if clash is not None:  # no point queueing a request for a slot that is already given away
                raise _clash_error(clash)
            booking.save()
            managers = [u for u in room_managers(room) if u.pk != requested_by.pk]
            notify(managers, "venues.booking_requested", {"booking": booking, "who": booking.borrower}, _queue_url())
    return booking


def _queue_url() -> str:
    from django.urls import reverse

    return reverse("venues:approvals")


def _refresh_locked(booking: Booking) -> Booking:
    """Lock the room, then re-read the booking: the state seen afterwards is the committed one."""
    _lock_room(booking.room)
    return Booking.objects.select_related("room", "room__place", "requested_by").get(pk=booking.pk)


def approve_booking(booking: Booking, *, by: AbstractBaseUser) -> Booking:
    if not can_manage(by, booking.room):
        raise _error("status", _("只有该房间所在服务站的管理人员可以审批。"))
    with transaction.atomic():
        current = _refresh_locked(booking)
        if current.status != BookingStatus.REQUESTED:
            raise _error("status", _("该预约当前为“%(status)s”,不能批准。") % {"status": current.get_status_display()})
        if current.end <= timezone.now():
            raise _error("start", _("该预约的时段已过,不能批准。"))
        current.full_clean(exclude=["requested_by", "decided_by", "cancelled_by", "enterprise", "organization"])
        current.status, current.decided_by, current.decided_at = BookingStatus.APPROVED, by, timezone.now()
        _save_approved(current, ["status", "decided_by", "decided_at"])
        notify([current.requested_by], "venues.booking_approved", {"booking": current}, current.get_absolute_url())
    return current


def reject_booking(booking: Booking, *, by: AbstractBaseUser, reason: str) -> Booking:
    reason = (reason or "").strip()
    if not reason:
        raise _error("reason", _("驳回预约须说明理由。"))
    if not can_manage(by, booking.room):
        raise _error("status", _("只有该房间所在服务站的管理人员可以审批。"))
    with transaction.atomic():
        current = _refresh_locked(booking)
        if current.status != BookingStatus.REQUESTED:
            raise _error("status", _("该预约当前为“%(status)s”,不能驳回。") % {"status": current.get_status_display()})
        current.status, current.decided_by, current.decided_at = BookingStatus.REJECTED, by, timezone.now()
        current.reason = reason[:1000]
        current.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        notify([current.requested_by], "venues.booking_rejected", {"booking": current, "reason": current.reason},
               current.get_absolute_url())
    return current


def cancel_booking(booking: Booking, *, by: AbstractBaseUser, reason: str = "") -> Booking:
    """The requester withdraws, or a manager cancels (with a reason, and the requester is told)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        current = _refresh_locked(booking)
        if not can_cancel(by, current):
            raise _error("status", _("只有申请人或该房间的管理人员可以取消预约。"))
        if current.status not in OPEN_STATUSES:
            raise _error("status", _("该预约当前为“%(status)s”,不能取消。") % {"status": current.get_status_display()})
        if current.end <= timezone.now():
            raise _error("status", _("该预约已结束,不能取消。"))
        by_manager = current.requested_by_id != by.pk
        if by_manager and not reason:
            raise _error("reason", _("管理人员取消他人的预约须说明理由。"))
        current.status, current.cancelled_by, current.cancelled_at = BookingStatus.CANCELLED, by, timezone.now()
        current.reason = reason[:1000]
        current.save(update_fields=["status", "cancelled_by", "cancelled_at", "reason"])
        if by_manager:
            notify([current.requested_by], "venues.booking_cancelled", {"booking": current, "reason": current.reason},
                   current.get_absolute_url())
    return current


def add_photo(room: Room, upload, *, by: AbstractBaseUser, caption: str = "") -> RoomPhoto:
    if not can_manage(by, room):
        raise _error("file", _("只有该房间的管理人员可以上传照片。"))
    if upload is None:
        raise _error("file", _("请选择照片。"))
    try:
        validate_photo(upload)
    except ValidationError as exc:
        raise BookingError({"file": exc.messages}) from exc
    with transaction.atomic():
        _lock_room(room)
        if room.photos.count() >= PHOTOS_PER_ROOM:
            raise _error("file", _("每个房间最多 %(n)d 张照片。") % {"n": PHOTOS_PER_ROOM})
        photo = RoomPhoto(room=room, file=upload, name=upload.name[:200], size=upload.size, caption=caption[:100])
        photo.save()
    return photo


def delete_photo(photo: RoomPhoto, *, by: AbstractBaseUser) -> None:
    if not can_manage(by, photo.room):
        raise _error("file", _("只有该房间的管理人员可以删除照片。"))
    photo.file.delete(save=False)
    photo.delete()


def week_bookings(room: Room, monday: dt.date) -> list[Booking]:
    """Requested and approved bookings of the room in the week starting `monday` (local time)."""
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    end = start + dt.timedelta(days=7)
    return list(Booking.objects.filter(room=room, status__in=OPEN_STATUSES, start__lt=end, end__gt=start)
                .select_related("enterprise", "organization", "requested_by").order_by("start"))


def queue_rows(requests: list[Booking]) -> list[dict]:
    """For each pending request: the approved booking it clashes with (if any) and how many other pending
    requests want an overlapping slot — two queries for the whole page, not two per row."""
    if not requests:
        return []
    rooms = {b.room_id for b in requests}
    low, high = min(b.start for b in requests), max(b.end for b in requests)
    others = list(Booking.objects.filter(room_id__in=rooms, status__in=OPEN_STATUSES, start__lt=high, end__gt=low)
                  .select_related("enterprise", "organization", "requested_by"))
    rows = []
    for booking in requests:
        overlapping = [o for o in others if o.room_id == booking.room_id and o.pk != booking.pk
                       and o.start < booking.end and booking.start < o.end]
        clash = next((o for o in overlapping if o.status == BookingStatus.APPROVED), None)
        rivals = sum(1 for o in overlapping if o.status == BookingStatus.REQUESTED)
        rows.append({"booking": booking, "clash": clash, "rivals": rivals})
    return rows
