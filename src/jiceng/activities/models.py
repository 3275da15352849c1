"""Organizational life and activities: clubs, recurring series, activities, sign-ups, attendance, ratings and the
三会一课 compliance rules.

Who organizes an activity (or a series) is exactly one of a party organization, a club, a service station or a
joint conference. The organizer's place is copied onto the row (`host`, `district`, `street`) so scoping and
per-street lists are single indexed filters, as for every located object.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields
from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager, ScopedQuerySet, as_union
from jiceng.core.validators import mask_phone, normalize_cn_mobile, validate_cn_mobile
from jiceng.matrix.tags import ALL_CELLS, ALL_THEMES, FlagsField
from jiceng.places.models import Located, PlaceKind


class ActivityKind(models.TextChoices):
    # The fixed organizational life (三会一课 and the rest of the regular party life).
    BRANCH_MEETING = "branch_meeting", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支委会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    PARTY_LECTURE = "party_lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    APPRAISAL = "appraisal", _("民主评议党员")
    # Other activities.
    LECTURE = "lecture", _("讲座")
    MICRO_LECTURE = "micro_lecture", _("午间微课堂")
    FILM = "film", _("观影")
    FORUM = "forum", _("论坛")
    VOLUNTEERING = "volunteering", _("志愿服务")
    SPORTS = "sports", _("文体活动")
    CLUB_ACTIVITY = "club_activity", _("社团活动")
    OTHER = "other", _("其他")


ORGANIZATIONAL_LIFE_KINDS = (
    ActivityKind.BRANCH_MEETING, ActivityKind.COMMITTEE_MEETING, ActivityKind.GROUP_MEETING,
    ActivityKind.PARTY_LECTURE, ActivityKind.THEME_DAY, ActivityKind.LIFE_MEETING, ActivityKind.APPRAISAL,
)


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("计划中")
    HELD = "held", _("已举行")
    CANCELLED = "cancelled", _("已取消")


class ClubKind(models.TextChoices):
    CLUB = "club", _("社团")
    ALLIANCE = "alliance", _("联盟")
    YOUTH_CLUB = "youth_club", _("青年社团")
    VOLUNTEER_TEAM = "volunteer_team", _("志愿服务队")


class ClubRole(models.TextChoices):
    LEADER = "leader", _("负责人")
    MEMBER = "member", _("成员")


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITLISTED = "waitlisted", _("候补")
    CANCELLED = "cancelled", _("已取消")


ACTIVE_SIGNUP_STATUSES = (SignUpStatus.CONFIRMED, SignUpStatus.WAITLISTED)


class AttendanceMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    LIST = "list", _("名单勾选")
    IMPORT = "import", _("导入")


class Period(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


# Roles that organize activities; which activities a holder may manage is narrowed by `Organized.manage_q`.
ORGANIZER_ROLES = ("district_admin", "street_staff", "building_worker", "org_secretary")


# --- the organizer -----------------------------------------------------------------------------------------------
class Organized(models.Model):
    """Exactly one organizer; its place is copied into `host`/`district`/`street` on save."""

    organization = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("主办党组织"))
    club = models.ForeignKey("activities.Club", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("主办社团"))
    station = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                limit_choices_to={"kind": PlaceKind.STATION}, verbose_name=_("主办党群服务站"))
    conference = models.ForeignKey("matching.JointConference", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("主办联席会议"))
    host = models.ForeignKey("places.Place", null=True, on_delete=models.PROTECT, related_name="+", editable=False)
    district = models.ForeignKey("places.Place", null=True, on_delete=models.PROTECT, related_name="+",
                                 editable=False)
    street = models.ForeignKey("places.Place", null=True, on_delete=models.PROTECT, related_name="+", editable=False)

    ORGANIZER_FIELDS = ("organization", "club", "station", "conference")

    class Meta:
        abstract = True

    @property
    def organizer(self):
        for name in self.ORGANIZER_FIELDS:
            if getattr(self, f"{name}_id"):
                return getattr(self, name)
        return None

    @property
    def organizer_label(self) -> str:
        organizer = self.organizer
        return str(organizer) if organizer is not None else ""

    def organizer_errors(self) -> dict:
        given = [name for name in self.ORGANIZER_FIELDS if getattr(self, f"{name}_id")]
        if len(given) != 1:
            return {"organization": _("主办方须且只能选择一个:党组织、社团、党群服务站或联席会议。")}
        if self.station_id and self.station.kind != PlaceKind.STATION:
            return {"station": _("所选地域不是党群服务站。")}
        return {}

    def organizer_place(self):
        if self.organization_id:
            return self.organization.place
        if self.club_id:
            return self.club.place
        if self.station_id:
            return self.station
        if self.conference_id:
            return self.conference.place
        return None

    def save(self, *args, **kwargs):
        place = self.organizer_place()
        if place is not None:
            self.host_id, self.district_id, self.street_id = place.pk, place.district_id, place.street_id
        super().save(*args, **kwargs)

    @classmethod
    def manage_q(cls, scope: Scope, prefix: str = "") -> models.Q:
        """Rows a holder of an organizer role may manage: by the organizer's place or organization subtree."""
        q = scope.place_q(f"{prefix}district", f"{prefix}street", f"{prefix}host__path")
        if scope.org_paths:
            from django.apps import apps

            # Each condition on a column of this table (a subquery on the small club and conference tables, not
            # a join): the database can then use an index per condition; with joined columns in the OR it read
            # all 270,000 activities in date order to find a branch's few (0.7 s).
            ids = scope.org_ids
            clubs = Club.objects.filter(organization__in=ids).values("pk")
            conferences = apps.get_model("matching", "JointConference").objects.filter(organization__in=ids)
            q |= models.Q(**{f"{prefix}organization__in": ids})
            q |= models.Q(**{f"{prefix}club__in": clubs})
            q |= models.Q(**{f"{prefix}conference__in": conferences.values("pk")})
        return q

    @classmethod
    def resync_location(cls, places) -> None:
        for place in places:
            cls._default_manager.filter(host=place).update(district_id=place.district_id, street_id=place.street_id)


MANAGED_LISTED = 20_000  # beyond this many activities, attendance and sign-up scopes keep the subquery


def managed_activities(scope: Scope) -> list[int] | models.QuerySet:
    """The ids of the activities a user may manage, for the attendance and sign-up scopes; fetched once a request.

    Listed by id when there are few (a branch: tens; a street: about a thousand): a subquery left PostgreSQL to
    guess how many attendance rows it matches, and with the empty club table's statistics it guessed all of them
    and read the 2,000,000 rows in order to find a branch's fifty (0.3 s). Beyond 20,000 (SQLite takes at most
    32,766 parameters) they stay a subquery (as a union of indexed conditions, decision 032).
    """
    if "activities_managed" not in scope.memo:
        managed = Activity.objects.filter(as_union(Activity, Activity.manage_q(scope))).order_by().values_list(
            "pk", flat=True)
        ids = list(managed[:MANAGED_LISTED + 1])
        scope.memo["activities_managed"] = ids if len(ids) <= MANAGED_LISTED else managed
    return scope.memo["activities_managed"]


def managed_q(scope: Scope) -> models.Q:
    """Attendance and sign-up rows of the activities a user may manage (see `managed_activities`).

    Beyond the listed size, on PostgreSQL, the conditions go on the joined activity: it then walks the scope's
    activities by index and each one's rows (a district's 167,000: 0.19 s to count as a semi-join over all
    2,000,000 rows, 75 ms as a join; its newest fifty: 0.22 s against 2 ms).
    """
    managed = managed_activities(scope)
    if isinstance(managed, list) or connection.vendor == "sqlite":
        # SQLite walks the rows in the list's order and looks each activity up in the subquery's set (as a join it
        # sorted a district's 167,000 rows: 0.4 s).
        return models.Q(activity__in=managed)
    return Activity.manage_q(scope, prefix="activity__")


def _member_organizations(scope: Scope):
    from jiceng.members.models import Member

    return Member.objects.filter(pk__in=scope.member_ids).values("organization")


# --- clubs -------------------------------------------------------------------------------------------------------
class Club(Located):
    """A club or alliance (社团/联盟, seed 000: 23 youth clubs; seed 004: 25 alliances)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=ClubKind.choices, default=ClubKind.CLUB)
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="clubs", verbose_name=_("指导党组织"))
    description = models.TextField(_("简介"), blank=True, max_length=2000)
    members = models.ManyToManyField("members.Member", through="ClubMembership", related_name="clubs", blank=True,
                                     verbose_name=_("成员"))
    active = models.BooleanField(_("活跃"), default=True)
    history = HistoricalRecords(excluded_fields=["district", "street"])

    objects = ScopedManager()
    edit_roles = ORGANIZER_ROLES

    class Meta:
        verbose_name = _("社团联盟")
        verbose_name_plural = _("社团联盟")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="club_unique_name_in_place",
                                               violation_error_message=_("该地域已有同名社团。"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return pk_url("activities:club_detail", self.pk)

    @classmethod
    def manage_q(cls, scope: Scope) -> models.Q:
        return scope.place_q("district", "street", "place__path") | scope.org_q("organization__path")

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        q = cls.manage_q(scope)
        # Clubs are open to the people of their street: members, secretaries and unit contacts find and join
        # the clubs of the street where their organization or unit is.
        if scope.member_ids:
            from jiceng.members.models import Member

            q |= models.Q(pk__in=ClubMembership.objects.filter(member_id__in=scope.member_ids).values("club"))
            q |= models.Q(street__in=Member.objects.filter(pk__in=scope.member_ids).values("organization__street"))
        if scope.org_paths:
            from jiceng.organizations.models import Organization

            q |= models.Q(street__in=Organization.objects.filter(scope.org_q("path")).values("street"))
        if scope.enterprise_ids:
            from jiceng.enterprises.models import Enterprise

            q |= models.Q(street__in=Enterprise.objects.filter(pk__in=scope.enterprise_ids).values("street"))
        return q


class ClubMembership(models.Model):
    club = models.ForeignKey(Club, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("社团"))
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="club_memberships",
                               verbose_name=_("党员"))
    role = models.CharField(_("角色"), max_length=8, choices=ClubRole.choices, default=ClubRole.MEMBER)
    joined = fields.DateField(_("加入日期"), default=timezone.localdate)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("社团成员")
        verbose_name_plural = _("社团成员")
        ordering = ["role", "joined", "pk"]
        constraints = [models.UniqueConstraint(fields=["club", "member"], name="club_membership_unique",
                                               violation_error_message=_("该党员已是本社团成员。"))]

    def __str__(self) -> str:
        return f"{self.club} · {self.member} · {self.get_role_display()}"


# --- recurring series --------------------------------------------------------------------------------------------
class Series(Organized):
    """A recurring activity: an RFC 5545 RRULE (built from a simple form) expanded into Activity rows."""

    title = models.CharField(_("标题"), max_length=100)
    kind = models.CharField(_("活动类型"), max_length=24, choices=ActivityKind.choices)
    rrule = models.CharField(_("重复规则"), max_length=200,
                             help_text=_("RFC 5545 RRULE,例如 FREQ=MONTHLY;BYDAY=+2TH(每月第二个星期四)。"))
    start_date = fields.DateField(_("开始日期"))
    until = fields.DateField(_("结束日期"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("次数"), null=True, blank=True,
                                             validators=[MinValueValidator(1), MaxValueValidator(500)])
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("默认人数上限"), null=True, blank=True,
                                           validators=[MinValueValidator(1), MaxValueValidator(100_000)])
    room = models.ForeignKey("venues.Room", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("默认场地"))
    place = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("活动地点"))
    location = models.CharField(_("地点说明"), max_length=200, blank=True)
    public = models.BooleanField(_("公开报名"), default=False)
    speaker_name = models.CharField(_("主讲人"), max_length=50, blank=True)
    description = models.TextField(_("活动内容"), blank=True, max_length=4000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["host", "district", "street"])

    objects = ScopedManager()
    edit_roles = ORGANIZER_ROLES

    class Meta:
        verbose_name = _("系列活动")
        verbose_name_plural = _("系列活动")
        ordering = ["-start_date", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return pk_url("activities:series_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return cls.manage_q(scope)

    def clean(self) -> None:
        errors = self.organizer_errors()
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("结束时间必须晚于开始时间。")
        if self.until and self.start_date and self.until < self.start_date:
            errors["until"] = _("结束日期不能早于开始日期。")
        if not self.until and not self.count:
            errors["until"] = _("请填写结束日期或次数,系列活动不能无限重复。")
        elif self.until and self.count:
            errors["count"] = _("结束日期与次数只能填写一项。")
        if not errors and self.kind:
            from .compliance import check_structure

            errors.update(check_structure(self))
        if errors:
            raise ValidationError(errors)


# --- activities --------------------------------------------------------------------------------------------------
class ActivityQuerySet(ScopedQuerySet):
    def newest_first(self, user) -> ActivityQuerySet:
        """Newest first. A member (no place or organization scope) sees a handful of activities among many: let
        the database collect them through the member's indexes and sort them, instead of walking the whole date
        index looking for them (Coalesce(start, end) equals start but is not the indexed column)."""
        from jiceng.core.scoping import scope_for

        scope = scope_for(user)
        if scope.everything or scope.district_ids or scope.street_ids or scope.place_paths or scope.org_paths:
            return self.order_by("-start", "-pk")
        return self.order_by(models.functions.Coalesce("start", "end").desc(), "-pk")

    def counted(self) -> ActivityQuerySet:
        """Activities that count as held for compliance: not cancelled, and marked held or with attendance."""
        attended = models.Exists(Attendance.objects.filter(activity=models.OuterRef("pk")))
        return self.exclude(status=ActivityStatus.CANCELLED).filter(models.Q(status=ActivityStatus.HELD) | attended)


def new_checkin_secret() -> str:
    return secrets.token_urlsafe(12)


class Activity(Organized):
    title = models.CharField(_("标题"), max_length=100)
    kind = models.CharField(_("活动类型"), max_length=24, choices=ActivityKind.choices, db_index=True)
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    place = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("活动地点"))
    location = models.CharField(_("地点说明"), max_length=200, blank=True)
    booking = models.OneToOneField("venues.Booking", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="activity", editable=False, verbose_name=_("场地预约"))
    capacity = models.PositiveIntegerField(_("人数上限"), null=True, blank=True,
                                           validators=[MinValueValidator(1), MaxValueValidator(100_000)],
                                           help_text=_("留空表示不限人数;报满后进入候补名单。"))
    public = models.BooleanField(_("公开报名"), default=False,
                                 help_text=_("公开活动任何人都可凭手机号报名,登录用户均可看到。"))
    speaker_name = models.CharField(_("主讲人"), max_length=50, blank=True)
    speaker = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="lectures", verbose_name=_("主讲党员"))
    description = models.TextField(_("活动内容"), blank=True, max_length=4000)
    series = models.ForeignKey(Series, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities",
                               verbose_name=_("所属系列"))
    occurrence_date = fields.DateField(_("规则日期"), null=True, blank=True, editable=False,
                                       help_text=_("系列规则给出的日期(顺延前)。"))
    on_holiday = models.BooleanField(_("节假日"), default=False,
                                     help_text=_("规则日期是法定节假日或休息日。"))
    status = models.CharField(_("状态"), max_length=12, choices=ActivityStatus.choices,
                              default=ActivityStatus.PLANNED)
    # The 3×3 matrix and the 党建+ themes (seeds 000, 002; jiceng.matrix, docs/decisions/063).
    cells = FlagsField(_("党建矩阵"), kind="cells", help_text=_("工作对象 × 工作目标,可选多格。"))
    themes = FlagsField(_("党建+主题"), kind="themes")
    checkin_secret = models.CharField(max_length=32, default=new_checkin_secret, editable=False)
    # 出席人次 kept on the activity (recount_attendance): the report by matrix cell sums it from the activities'
    # index instead of joining two million attendance rows (2.5 s city-wide; decision 080).
    attendance_count = models.PositiveIntegerField(_("出席人次"), default=0, editable=False)
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("创建人"))
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["host", "district", "street", "checkin_secret", "reminded_at",
                                                "attendance_count"])

    objects = ActivityQuerySet.as_manager()
    edit_roles = ORGANIZER_ROLES

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-start", "-pk"]
        indexes = [
            # Compliance counts: per organization and kind within a date range.
            models.Index(fields=["organization", "kind", "start"], name="activity_org_kind_start"),
            # The activities by date (city-wide), a district's or a street's; with the status, the matrix tags and
            # the attendance count in the index, the report by matrix cell reads them without visiting the rows (a
            # district's year at city scale: about half the time, benchmarks/results/matrix-report.md).
            models.Index(fields=["start", "status", "cells", "themes", "attendance_count"], name="activity_start"),
            models.Index(fields=["district", "start", "status", "cells", "themes", "attendance_count"],
                         name="activity_district_start"),
            models.Index(fields=["street", "start", "status", "cells", "themes", "attendance_count"],
                         name="activity_street_start"),
            models.Index(fields=["club", "start"], name="activity_club_start"),
            models.Index(fields=["public", "start"], name="activity_public_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="activity_end_after_start",
                                   violation_error_message=_("结束时间必须晚于开始时间。")),
            models.UniqueConstraint(fields=["series", "occurrence_date"], name="activity_once_per_occurrence",
                                    condition=models.Q(series__isnull=False)),
            models.CheckConstraint(condition=models.Q(cells__lte=ALL_CELLS, themes__lte=ALL_THEMES),
                                   name="activity_known_tags"),
        ]

    def __str__(self) -> str:
        return f"{self.title} {timezone.localtime(self.start):%Y-%m-%d}" if self.start else self.title

    def get_absolute_url(self) -> str:
        return pk_url("activities:activity_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        q = cls.manage_q(scope)
        if scope.member_ids:
            q |= models.Q(organization__in=_member_organizations(scope))
            q |= models.Q(club__in=ClubMembership.objects.filter(member_id__in=scope.member_ids).values("club"))
            q |= models.Q(pk__in=SignUp.objects.filter(member_id__in=scope.member_ids).values("activity"))
            q |= models.Q(pk__in=Attendance.objects.filter(member_id__in=scope.member_ids).values("activity"))
        if scope.user_id is not None:
            q |= models.Q(public=True)
        return as_union(cls, q)

    def save(self, *args, **kwargs):
        # attendance_count is written by recount_attendance alone: an instance read before a check-in must not put
        # its stale count back when it is saved (an edit of the title, a status change).
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [f.name for f in self._meta.concrete_fields
                                       if not f.primary_key and f.name != "attendance_count"]
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors = self.organizer_errors()
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("结束时间必须晚于开始时间。")
        if self.speaker_id and not self.speaker_name:
            self.speaker_name = self.speaker.name
        if not errors and self.kind:
            # A 支委会 of a branch without a committee, a 党小组会 of a branch without groups (decision 035).
            from .compliance import check_structure

            errors.update(check_structure(self))
        if errors:
            raise ValidationError(errors)

    @property
    def duration_hours(self) -> Decimal:
        seconds = (self.end - self.start).total_seconds()
        return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))

    @property
    def is_organizational_life(self) -> bool:
        return self.kind in ORGANIZATIONAL_LIFE_KINDS

    @property
    def has_speaker(self) -> bool:
        return bool(self.speaker_id or self.speaker_name)

    def has_started(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.start


class SignUp(models.Model):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("活动"))
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="activity_signups", verbose_name=_("党员"))
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[validate_cn_mobile])
    status = models.CharField(_("状态"), max_length=12, choices=SignUpStatus.choices,
                              default=SignUpStatus.CONFIRMED)
    position = models.PositiveIntegerField(_("候补顺序"), null=True, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("报名账号"))
    created = models.DateTimeField(_("报名时间"), default=timezone.now)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True, editable=False)

    objects = ScopedManager()
    personal_fields = {"phone": mask_phone}

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["activity", "status", "position", "created", "pk"]
        indexes = [
            models.Index(fields=["activity", "status", "position"], name="signup_activity_queue"),
            models.Index(fields=["member", "status"], name="signup_member_status"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="signup_one_active_per_member",
                                    condition=models.Q(member__isnull=False, status__in=ACTIVE_SIGNUP_STATUSES),
                                    violation_error_message=_("您已报名该活动,不能重复报名。")),
            models.UniqueConstraint(fields=["activity", "phone"], name="signup_one_active_per_phone",
                                    condition=models.Q(member__isnull=True, status__in=ACTIVE_SIGNUP_STATUSES),
                                    violation_error_message=_("该手机号已报名该活动,不能重复报名。")),
            models.CheckConstraint(condition=models.Q(member__isnull=False) | ~models.Q(phone=""),
                                   name="signup_member_or_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} · {self.activity_id}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        q = managed_q(scope)
        if scope.member_ids:
            q |= models.Q(member_id__in=scope.member_ids)
        return as_union(cls, q)

    @property
    def display_name(self) -> str:
        return self.member.name if self.member_id else self.name

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def clean(self) -> None:
        self.phone = normalize_cn_mobile(self.phone)
        if not self.member_id:
            errors = {}
            if not self.name.strip():
                errors["name"] = _("请填写姓名。")
            if not self.phone:
                errors["phone"] = _("请填写手机号码。")
            if errors:
                raise ValidationError(errors)


class AttendanceQuerySet(ScopedQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Rows added in bulk send no signals: their activities are recounted here (Activity.attendance_count)."""
        created = super().bulk_create(objs, *args, **kwargs)
        ids = {row.activity_id for row in created}
        if ids:
            recount_attendance(Activity.objects.filter(pk__in=ids))
        return created


class Attendance(models.Model):
    # No one-column indexes: attendance_once_per_member leads with the activity and attendance_member_at with the
    # member, and two million rows make every redundant index a cost to plan and to write (decision 056).
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendances",
                                 verbose_name=_("活动"), db_index=False)
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="attendances", verbose_name=_("党员"), db_index=False)
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[validate_cn_mobile])
    checked_in_at = models.DateTimeField(_("签到时间"), default=timezone.now)
    method = models.CharField(_("签到方式"), max_length=8, choices=AttendanceMethod.choices,
                              default=AttendanceMethod.LIST)
    hours = models.DecimalField(_("时长(小时)"), max_digits=5, decimal_places=2, blank=True,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))],
                                help_text=_("默认为活动时长,用于统计志愿服务时长。"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("登记人"))

    objects = AttendanceQuerySet.as_manager()
    personal_fields = {"phone": mask_phone}

    class Meta:
        verbose_name = _("出席记录")
        verbose_name_plural = _("出席记录")
        ordering = ["checked_in_at", "pk"]
        indexes = [
            # The six-month rule and the pioneer index read a member's attendance by date; activity and hours are in
            # the index too, so the pioneer aggregate never visits the table rows.
            models.Index(fields=["member", "checked_in_at", "activity", "hours"], name="attendance_member_at"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="attendance_once_per_member",
                                    violation_error_message=_("该党员已签到,不能重复签到。")),
            models.UniqueConstraint(fields=["activity", "phone"], name="attendance_once_per_phone",
                                    condition=models.Q(member__isnull=True),
                                    violation_error_message=_("该手机号已签到,不能重复签到。")),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} · {self.activity_id}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        q = managed_q(scope)
        if scope.member_ids:
            q |= models.Q(member_id__in=scope.member_ids)
        return as_union(cls, q)

    @property
    def display_name(self) -> str:
        return self.member.name if self.member_id else self.name

    def save(self, *args, **kwargs):
        if self.hours is None:
            self.hours = self.activity.duration_hours
        super().save(*args, **kwargs)


def recount_attendance(activities: models.QuerySet[Activity]) -> int:
    """Set `Activity.attendance_count` from the attendance rows, in one UPDATE. A saved or deleted attendance row
    recounts its activity (signals in apps.py, cascades included), as does `Attendance.objects.bulk_create`; code
    that inserts rows otherwise (the city seed's raw inserts) calls this after. Returns the activities updated."""
    rows = (Attendance.objects.filter(activity=models.OuterRef("pk")).order_by().values("activity")
            .annotate(n=models.Count("pk")).values("n"))
    return activities.order_by().update(
        attendance_count=Coalesce(models.Subquery(rows), 0))


class Rating(models.Model):
    """An attendee's 1–5 rating of a talk (seed 004: the audience rates the youth micro-lecturer)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="ratings", verbose_name=_("活动"))
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="activity_ratings",
                               verbose_name=_("评价人"))
    score = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("评语"), blank=True, max_length=1000)
    created = models.DateTimeField(_("评价时间"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("评价")
        verbose_name_plural = _("评价")
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="rating_once_per_member",
                                    violation_error_message=_("您已评价过该活动。")),
            models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_5",
                                   violation_error_message=_("评分须为 1 至 5 分。")),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} · {self.score}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return models.Q(activity__in=Activity.objects.filter(Activity.scope_q(scope)).values("pk"))


# --- 三会一课 compliance ----------------------------------------------------------------------------------------
class ComplianceRule(models.Model):
    """A fixed organizational-life requirement for branches: at least `minimum` activities of `kind` per period."""

    kind = models.CharField(_("活动类型"), max_length=24, choices=ActivityKind.choices, unique=True)
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    minimum = models.PositiveSmallIntegerField(_("最少次数"), default=1,
                                               validators=[MinValueValidator(1), MaxValueValidator(31)])
    active = models.BooleanField(_("启用"), default=True)
    counts_parent = models.BooleanField(
        _("上级组织的也计入"), default=False,
        help_text=_("上级党委、党总支组织的该类活动,计入有党员参加的各支部(如统一组织的党课、主题党日)。"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("组织生活要求")
        verbose_name_plural = _("组织生活要求")
        ordering = ["order", "kind"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ≥ {self.minimum} / {self.get_period_display()}"


# --- meeting records -------------------------------------------------------------------------------------------
# Photos are accepted by their content, not their name (OWASP File Upload Cheat Sheet: validate the file type by
# its signature, limit the size): JPEG, PNG or WebP, at most 5 MB.
MEETING_PHOTO_MAX_BYTES = 5 * 1024 * 1024
MEETING_PHOTO_EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}


def photo_format(head: bytes) -> str | None:
    """The image format its first bytes announce (None: not a JPEG, PNG or WebP image)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


def validate_meeting_photo(upload) -> None:
    """Size and content of a meeting photo; the message names the file (the form and the API put it under the
    `photo` field)."""
    name = getattr(upload, "name", "") or ""
    if upload.size > MEETING_PHOTO_MAX_BYTES:
        raise ValidationError(_("会议照片“%(name)s”超过 5 MB。") % {"name": name}, code="photo_size")
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    if photo_format(head) is None:
        raise ValidationError(_("会议照片“%(name)s”不是 JPEG、PNG 或 WebP 图片(按文件内容判断)。") % {"name": name},
                              code="photo_content")


def meeting_photo_upload_to(instance: MeetingPhoto, filename: str) -> str:
    # The stored name is ours (the format the content announces), never the uploaded one.
    return (f"activities/meetings/{timezone.localdate():%Y/%m}/{instance.record_id or 'new'}-"
            f"{secrets.token_hex(8)}.{MEETING_PHOTO_EXTENSIONS.get(instance.format, 'bin')}")


def meeting_members(activity: Activity):
    """The members a meeting's record may name (chair, recorder, absentees): the organizing organization's members
    and those under it; a party group's are its branch's (members belong to branches, not to groups)."""
    from jiceng.members.models import Member
    from jiceng.organizations.models import OrgKind

    org = activity.organization if activity.organization_id else None
    if org is None:
        return Member.objects.none()
    if org.kind == OrgKind.PARTY_GROUP and org.parent_id:
        org = org.parent
    return Member.objects.active().filter(org.subtree_q())


class MeetingRecord(models.Model):
    """The record (会议记录) of an organizational-life meeting: topic, chair, recorder, who was expected, who was
    absent and why, what was decided, photos. One per activity; attendance itself stays in Attendance."""

    activity = models.OneToOneField(Activity, on_delete=models.CASCADE, related_name="record",
                                    verbose_name=_("活动"))
    topic = models.CharField(_("会议主题"), max_length=200)
    chair = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("主持人"))
    recorder = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("记录人"))
    expected = models.PositiveIntegerField(_("应到人数"), null=True, blank=True,
                                           validators=[MaxValueValidator(100_000)],
                                           help_text=_("留空时按组织计算:支委会为委员人数,其余为本组织党员人数。"))
    decisions = models.TextField(_("决定事项"), blank=True, max_length=4000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("记录提交人"))
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")
        ordering = ["-activity_id"]

    def __str__(self) -> str:
        return self.topic

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return models.Q(activity__in=Activity.objects.filter(Activity.scope_q(scope)).values("pk"))

    def clean(self) -> None:
        errors = {}
        activity = self.activity if self.activity_id else None
        if activity is not None:
            if not activity.is_organizational_life or not activity.organization_id:
                errors["activity"] = _("只有党组织的组织生活(三会一课等)可以填写会议记录。")
            else:
                pool = meeting_members(activity)
                for name in ("chair", "recorder"):
                    member_id = getattr(self, f"{name}_id")
                    if member_id and not pool.filter(pk=member_id).exists():
                        errors[name] = _("%(field)s须是本组织的党员。") % {
                            "field": self._meta.get_field(name).verbose_name}
        if errors:
            raise ValidationError(errors)

    @property
    def computed_expected(self) -> int | None:
        """Who should attend, from the structure: the committee's seats for a 支委会, the members of the organizing
        organization (with those under it) otherwise; None for a 党小组会 (group membership is not recorded).
        Lists read the counts from `with_counts` instead of asking per row."""
        activity = self.activity
        if not activity.organization_id or activity.kind == ActivityKind.GROUP_MEETING:
            return None
        if activity.kind == ActivityKind.COMMITTEE_MEETING:
            if hasattr(self, "seats_n"):
                return self.seats_n or 0
            from jiceng.organizations.models import CommitteeMember

            return CommitteeMember.objects.filter(organization=activity.organization_id).count()
        if hasattr(self, "members_n"):
            return self.members_n or 0
        return meeting_members(activity).count()

    @property
    def expected_attendance(self) -> int | None:
        return self.expected if self.expected is not None else self.computed_expected

    @property
    def actual_attendance(self) -> int:
        if hasattr(self, "attendance_n"):
            return self.attendance_n or 0
        return self.activity.attendances.count()


def with_counts(records: models.QuerySet[MeetingRecord]) -> models.QuerySet[MeetingRecord]:
    """Records with the counts their expected and actual attendance need, as subqueries of the one list query."""
    from jiceng.members.models import Member
    from jiceng.organizations.models import CommitteeMember, OrgKind

    def count(qs) -> models.Subquery:
        return models.Subquery(qs.order_by().annotate(g=models.Value(1)).values("g")
                               .annotate(n=models.Count("pk")).values("n"))

    pool_path = models.Case(
        models.When(activity__organization__kind=OrgKind.PARTY_GROUP, then="activity__organization__parent__path"),
        default="activity__organization__path")
    return records.annotate(pool_path=pool_path).annotate(
        seats_n=count(CommitteeMember.objects.filter(organization=models.OuterRef("activity__organization"))),
        members_n=count(Member.objects.active().filter(organization__path__startswith=models.OuterRef("pool_path"))),
        attendance_n=count(Attendance.objects.filter(activity=models.OuterRef("activity"))))


class MeetingAbsence(models.Model):
    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="absences",
                               verbose_name=_("会议记录"))
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("缺席党员"))
    reason = models.CharField(_("缺席原因"), max_length=200)

    class Meta:
        verbose_name = _("缺席记录")
        verbose_name_plural = _("缺席记录")
        ordering = ["record", "pk"]
        constraints = [models.UniqueConstraint(fields=["record", "member"], name="meeting_absence_once",
                                               violation_error_message=_("该党员的缺席原因已登记。"))]

    def __str__(self) -> str:
        return f"{self.member} · {self.reason}"


class MeetingPhoto(models.Model):
    record = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="photos",
                               verbose_name=_("会议记录"))
    file = models.FileField(_("照片"), upload_to=meeting_photo_upload_to, validators=[validate_meeting_photo])
    format = models.CharField(_("格式"), max_length=8, editable=False)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小"))
    uploaded = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("会议照片")
        verbose_name_plural = _("会议照片")
        ordering = ["record", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("activities:meeting_photo", args=[self.record.activity_id, self.pk])


# --- the message wall (留言墙) ---------------------------------------------------------------------------------------
class MessageStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")


WALL_MESSAGE_MAX = 200


class ActivityMessage(models.Model):
    """A short message on an activity's wall, shown publicly only once a moderator approved it (docs/decisions/078).

    Written by someone who signed up (no login: proven by the mobile number they signed up with) or by a signed-in
    user. The phone is kept to tie the message to the sign-up and is never shown."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="messages", verbose_name=_("活动"))
    text = models.CharField(_("留言"), max_length=WALL_MESSAGE_MAX)
    author_name = models.CharField(_("署名"), max_length=50)
    phone = models.CharField(_("手机号码"), max_length=11, blank=True)
    signup = models.ForeignKey(SignUp, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("报名"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("留言账号"))
    status = models.CharField(_("状态"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING,
                              db_index=True)
    created = models.DateTimeField(_("留言时间"), default=timezone.now)
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("审核人"))
    moderated_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["phone"])

    objects = ScopedManager()
    personal_fields = {"phone": mask_phone}

    class Meta:
        verbose_name = _("活动留言")
        verbose_name_plural = _("活动留言")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["activity", "status", "created"], name="activity_message_wall")]

    def __str__(self) -> str:
        return f"{self.author_name}: {self.text[:20]}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        # The moderators' messages (the activities they manage) and one's own.
        q = managed_q(scope)
        if scope.user_id is not None:
            q |= models.Q(user_id=scope.user_id)
        return as_union(cls, q)
