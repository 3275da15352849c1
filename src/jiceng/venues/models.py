"""Venues (阵地共享, seed 004): rooms in service stations lent free to units, and their bookings.

Who sees what (docs/permissions.md, "Venues"):
- a room is visible to every signed-in user whose scope touches the room's street (units borrow rooms across
  their street): district admins their district, street staff their street, building workers/heads the streets
  of their buildings, secretaries the streets of their organizations, unit contacts the street of their
  enterprise, members the street of their organization;
- a room is managed (edited, its bookings approved or rejected) by the place roles whose scope contains the
  room's place — district admin, street staff, building worker — and by superusers (`managed_rooms_q`);
- a booking is visible in the place scope of its room, to its requester, to the contact of the borrowing
  enterprise and to the secretaries of the borrowing organization.

Invariants: end after start, on one day, inside the room's opening hours; attendees within capacity; two
approved bookings of one room never overlap (the service checks under a row lock on the room; on PostgreSQL
an exclusion constraint, created by migration 0002, makes it impossible).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager, ScopedQuerySet, scope_for
from jiceng.places.models import Located, Place

from .choices import STATUS_COLOURS, BookingStatus, Equipment, Weekday

# Place roles that manage the rooms within their scope (and approve their bookings).
MANAGER_ROLES = ("district_admin", "street_staff", "building_worker")
# Name of the PostgreSQL exclusion constraint (migration 0002); an IntegrityError naming it is an overlap.
NO_OVERLAP_CONSTRAINT = "venues_booking_no_overlap"

PHOTO_TYPES = ["jpg", "jpeg", "png", "webp"]
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTOS_PER_ROOM = 12
MAX_CAPACITY = 10_000


def _home_q(located: models.QuerySet, street: str = "street", district: str = "district") -> models.Q:
    """Rooms in the streets of some located rows (their district when a row sits above street level)."""
    return (models.Q(street__in=located.filter(**{f"{street}__isnull": False}).values(street))
            | models.Q(district__in=located.filter(**{f"{street}__isnull": True}).values(district)))


def managed_rooms_q(user, district: str = "district", street: str = "street", path: str = "place__path") -> models.Q:
    """Rows that `user` manages, located through the given field names (rooms by default; places pass
    ("district", "street", "path"), bookings ("room__district", "room__street", "room__place__path")).

    Built from the parts of the user's scope that the managing roles grant: district admins' districts, street
    staff's streets and building workers' places (`worker_place_paths`; building heads share the workers' place
    scope but only read)."""
    scope = scope_for(user)
    if scope.everything:
        return models.Q()
    q = models.Q(pk__in=[])
    if scope.district_ids:
        q |= models.Q(**{f"{district}_id__in": sorted(scope.district_ids)})
    if scope.street_ids:
        q |= models.Q(**{f"{street}_id__in": sorted(scope.street_ids)})
    for place_path in sorted(scope.worker_place_paths):
        q |= models.Q(**{f"{path}__startswith": place_path})
    return q


class RoomQuerySet(ScopedQuerySet):
    def managed_by(self, user) -> RoomQuerySet:
        return self.filter(managed_rooms_q(user))


def validate_weekdays(value: str) -> None:
    if not value or any(ch not in Weekday.values for ch in value) or len(set(value)) != len(value):
        raise ValidationError(_("开放日须为 1(周一)至 7(周日)中不重复的数字,至少一天。"), code="weekdays")


def validate_equipment(value) -> None:
    if not isinstance(value, list) or any(code not in Equipment.values for code in value):
        raise ValidationError(_("设备须从列表中选择:%(codes)s。") % {"codes": "、".join(Equipment.values)},
                              code="equipment")


class Room(Located):
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="rooms",
                              verbose_name=_("所在服务站"), help_text=_("通常是党群服务站,也可以是其他地域。"))
    name = models.CharField(_("房间名称"), max_length=100)
    capacity = models.PositiveIntegerField(_("容纳人数"), validators=[MinValueValidator(1),
                                                                 MaxValueValidator(MAX_CAPACITY)])
    equipment = models.JSONField(_("设备"), default=list, blank=True, validators=[validate_equipment])
    equipment_note = models.CharField(_("其他设备"), max_length=200, blank=True)
    opens_at = models.TimeField(_("每日开放时间"), default=dt.time(9, 0))
    closes_at = models.TimeField(_("每日关闭时间"), default=dt.time(18, 0))
    open_weekdays = models.CharField(_("开放日"), max_length=7, default="12345", validators=[validate_weekdays],
                                     help_text=_("ISO 星期数字,1 为周一,7 为周日。"))
    closed_on_holidays = models.BooleanField(_("法定节假日闭馆"), default=True)
    description = models.TextField(_("说明"), blank=True, max_length=2000)
    active = models.BooleanField(_("开放预约"), default=True)
    history = HistoricalRecords(excluded_fields=["district", "street"])

    objects = RoomQuerySet.as_manager()
    edit_roles = MANAGER_ROLES

    class Meta:
        verbose_name = _("活动场地")
        verbose_name_plural = _("活动场地")
        ordering = ["place__path", "name"]
        constraints = [
            models.UniqueConstraint(fields=["place", "name"], name="venues_room_unique_name_per_place"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1), name="venues_room_capacity_positive"),
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")),
                                   name="venues_room_closes_after_opens"),
        ]

    def __str__(self) -> str:
        return f"{self.place} · {self.name}" if self.place_id else self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        from jiceng.enterprises.models import Enterprise
        from jiceng.members.models import Member
        from jiceng.organizations.models import Organization

        q = models.Q(district__in=scope.district_ids) | models.Q(street__in=scope.street_ids)
        if scope.place_paths:
            q |= _home_q(Place.objects.filter(path__in=scope.place_paths))
        if scope.org_paths:
            q |= _home_q(Organization.objects.filter(scope.org_q("path")))
        if scope.enterprise_ids:
            q |= _home_q(Enterprise.objects.filter(pk__in=scope.enterprise_ids))
        if scope.member_ids:
            q |= _home_q(Member.objects.filter(pk__in=scope.member_ids), "organization__street",
                         "organization__district")
        return q

    def get_absolute_url(self) -> str:
        return pk_url("venues:room_detail", self.pk)

    def clean(self) -> None:
        if self.opens_at is not None and self.closes_at is not None and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("关闭时间必须晚于开放时间。")})
        self._normalize()

    def _normalize(self) -> None:
        # One spelling per room: equipment in the choices' order without repeats, weekdays sorted.
        if isinstance(self.equipment, list):
            self.equipment = [code for code in Equipment.values if code in self.equipment]
        if isinstance(self.open_weekdays, str):
            self.open_weekdays = "".join(sorted(set(self.open_weekdays)))

    def save(self, *args, **kwargs):
        self._normalize()
        super().save(*args, **kwargs)

    # --- opening hours ------------------------------------------------------------------------
    @property
    def weekday_labels(self) -> list[str]:
        return [str(Weekday(ch).label) for ch in sorted(self.open_weekdays) if ch in Weekday.values]

    @property
    def equipment_labels(self) -> list[str]:
        return [str(Equipment(code).label) for code in self.equipment if code in Equipment.values]

    @property
    def days_label(self) -> str:
        """Open days with runs of three or more shortened: "周一至周五、周日"."""
        days = sorted(int(ch) for ch in self.open_weekdays if ch in Weekday.values)
        runs: list[list[int]] = []
        for day in days:
            if runs and day == runs[-1][-1] + 1:
                runs[-1].append(day)
            else:
                runs.append([day])
        label = Weekday.labels
        parts = []
        for run in runs:
            if len(run) >= 3:
                parts.append(str(_("%(first)s至%(last)s") % {"first": label[run[0] - 1], "last": label[run[-1] - 1]}))
            else:
                parts.extend(str(label[day - 1]) for day in run)
        return "、".join(parts)

    @property
    def hours_label(self) -> str:
        return f"{self.days_label} {self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def closed_reason(self, day: dt.date) -> str | None:
        """Why the room is closed all of `day`, or None when it opens that day."""
        if str(day.isoweekday()) not in self.open_weekdays:
            return str(_("%(day)s 不是开放日(开放日:%(days)s)。")
                       % {"day": day.isoformat(), "days": self.days_label})
        if self.closed_on_holidays and is_public_holiday(day):
            return str(_("%(day)s 是法定节假日,闭馆。") % {"day": day.isoformat()})
        return None


def is_public_holiday(day: dt.date) -> bool:
    """A Monday–Friday that the official calendar makes a day off (provisionally, for a year without a notice)."""
    from jiceng.holidays.calendar import WorkCalendar

    if day.isoweekday() > 5:
        return False
    return not WorkCalendar().is_workday(day)


def photo_upload_to(instance: RoomPhoto, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"venues/rooms/{timezone.localdate():%Y/%m}/{instance.room_id or 'new'}.{extension}"


# First bytes of each accepted image format: a renamed document is refused even with a .jpg name.
PHOTO_SIGNATURES = {"jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",),
                    "webp": (b"RIFF",)}


def validate_photo(upload) -> None:
    """Type (by name and content), size; used by the form, the API and the model."""
    name = getattr(upload, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in PHOTO_TYPES:
        raise ValidationError(_("照片“%(name)s”的类型不支持,只能上传 JPG、PNG 或 WebP 图片。") % {"name": name},
                              code="photo_type")
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("照片“%(name)s”超过 5 MB。") % {"name": name}, code="photo_size")
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    if not any(head.startswith(sig) for sig in PHOTO_SIGNATURES[extension]) or (
            extension == "webp" and head[8:12] != b"WEBP"):
        raise ValidationError(_("照片“%(name)s”的内容不是有效的图片。") % {"name": name}, code="photo_content")


class RoomPhoto(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="photos", verbose_name=_("房间"))
    file = models.FileField(_("照片"), upload_to=photo_upload_to,
                            validators=[FileExtensionValidator(PHOTO_TYPES), validate_photo])
    name = models.CharField(_("文件名"), max_length=200)
    caption = models.CharField(_("说明"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("大小"))
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("场地照片")
        verbose_name_plural = _("场地照片")
        ordering = ["room", "pk"]

    def __str__(self) -> str:
        return self.caption or self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return models.Q(room__in=Room.objects.filter(Room.scope_q(scope)).values("pk"))

    def get_absolute_url(self) -> str:
        return reverse("venues:photo", args=[self.room_id, self.pk])


class Booking(models.Model):
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("房间"))
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="venue_bookings", verbose_name=_("申请人"))
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="venue_bookings", verbose_name=_("借用单位"))
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="venue_bookings",
                                     verbose_name=_("借用党组织"))
    purpose = models.CharField(_("用途"), max_length=200)
    attendees = models.PositiveIntegerField(_("参加人数"), default=0, validators=[MaxValueValidator(MAX_CAPACITY)])
    status = models.CharField(_("状态"), max_length=16, choices=BookingStatus.choices,
                              default=BookingStatus.REQUESTED, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("审批人"))
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("取消人"))
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reason = models.TextField(_("驳回/取消理由"), blank=True, max_length=1000)
    created = models.DateTimeField(_("申请时间"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("场地预约")
        verbose_name_plural = _("场地预约")
        ordering = ["-start", "-pk"]
        indexes = [models.Index(fields=["room", "status", "start"], name="venues_booking_room_slot")]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")),
                                   name="venues_booking_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.local_start:%Y-%m-%d %H:%M}–{self.local_end:%H:%M}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        q = scope.place_q("room__district", "room__street", "room__place__path")
        if scope.user_id:
            q |= models.Q(requested_by_id=scope.user_id)
        if scope.enterprise_ids:
            q |= models.Q(enterprise_id__in=scope.enterprise_ids)
        if scope.org_paths:
            q |= scope.org_q("organization__path")
        return q

    def get_absolute_url(self) -> str:
        return pk_url("venues:booking_detail", self.pk)

    @property
    def local_start(self) -> dt.datetime:
        return timezone.localtime(self.start)

    @property
    def local_end(self) -> dt.datetime:
        return timezone.localtime(self.end)

    @property
    def colour(self) -> str:
        return STATUS_COLOURS.get(self.status, "secondary")

    @property
    def borrower(self) -> str:
        """Who borrows the room, for lists and calendars."""
        names = [str(x) for x in (self.enterprise, self.organization) if x is not None]
        if names:
            return " / ".join(names)
        return self.requested_by.get_username() if self.requested_by_id else ""

    def clean(self) -> None:
        """The booking's own rules (the overlap and "not in the past" need the database and the clock: services)."""
        if self.start is None or self.end is None:
            return
        if self.end <= self.start:
            raise ValidationError({"end": _("结束时间必须晚于开始时间。")})
        start, end = self.local_start, self.local_end
        if start.date() != end.date():
            raise ValidationError({"end": _("预约不能跨日:请在同一天内结束,多日活动请分别预约。")})
        if not self.room_id:
            return
        room = self.room
        closed = room.closed_reason(start.date())
        if closed:
            raise ValidationError({"start": closed})
        if start.time() < room.opens_at or end.time() > room.closes_at:
            raise ValidationError({"start": _("预约须在开放时间 %(opens)s–%(closes)s 之内。")
                                   % {"opens": f"{room.opens_at:%H:%M}", "closes": f"{room.closes_at:%H:%M}"}})
        if self.attendees is not None and self.attendees > room.capacity:
            raise ValidationError({"attendees": _("参加人数 %(n)d 超过该房间的容纳人数 %(capacity)d 人。")
                                   % {"n": self.attendees, "capacity": room.capacity}})

    def clashes(self) -> models.QuerySet[Booking]:
        """Approved bookings of the same room whose time overlaps this one (touching ends do not overlap)."""
        return (Booking.objects.filter(room_id=self.room_id, status=BookingStatus.APPROVED,
                                       start__lt=self.end, end__gt=self.start)
                .exclude(pk=self.pk).select_related("enterprise", "organization", "requested_by"))
