"""Party-mass service stations (党群服务阵地): the three-level network of seed 001 (豫园: 1 中心, 6 站, 11 点 — 18 in
all), their opening hours, amenities (seed 003: 阅读角, 减压室, 一网通办 and 24-hour tax terminals) as data, the staff
on duty by weekday, and — through the venues app — the rooms they lend.

A station *is* a place of kind `station` in the place tree (its name, address and WGS-84 coordinates live there, so
rooms, service catalogues and activities that point at the place keep working); `Station` adds what only a station
has. The 500 m service circles (seed 003) are computed in `circles.py` from the places of kind `station`.

Who sees what (docs/permissions.md, "Stations"): like rooms, a station is visible to every signed-in user whose scope
touches its street (units and members use the stations of their street); district admins and street staff of the
station's district/street edit it. The public station page shows what a passer-by may know (no staff phones).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core.i18n import localized
from jiceng.core.scoping import Scope, ScopedManager
from jiceng.core.validators import mask_phone, validate_cn_mobile
from jiceng.places.models import Located, Place, PlaceKind
from jiceng.venues.choices import Weekday
from jiceng.venues.models import validate_weekdays

EDIT_ROLES = ("district_admin", "street_staff")


class StationLevel(models.TextChoices):
    """The three levels of seed 001's network (三级党建网络), highest first."""

    CENTER = "center", _("党群服务中心")
    STATION = "station", _("党群服务站")
    POINT = "point", _("党群服务点")


# A station's parent is exactly one level up (中心 → 站 → 点): a 站 under a 点, or a 点 under a 点, is refused.
PARENT_LEVEL = {StationLevel.STATION: StationLevel.CENTER, StationLevel.POINT: StationLevel.STATION}
LEVEL_RANK = {StationLevel.CENTER: 0, StationLevel.STATION: 1, StationLevel.POINT: 2}


class Amenity(models.Model):
    """A facility a station offers (设施), as data: seed 003's list comes with the migration; admins add more."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    icon = models.CharField(_("图标"), max_length=32, blank=True, help_text=_("Tabler 图标名,如 book。"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("站点设施")
        verbose_name_plural = _("站点设施")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return localized(self.name, self.name_en)


def station_scope_q(scope: Scope, prefix: str = "") -> models.Q:
    """Stations (or rows reached through `prefix`, e.g. "station__") that a scope sees: those in its place scope and,
    like rooms (venues.models.Room.scope_q), every station of a street where the user's organization, enterprise or
    membership sits — a station serves its whole street."""
    from jiceng.enterprises.models import Enterprise
    from jiceng.members.models import Member
    from jiceng.organizations.models import Organization

    def home(located, street: str = "street", district: str = "district") -> models.Q:
        return (models.Q(**{f"{prefix}street__in": located.filter(**{f"{street}__isnull": False}).values(street)})
                | models.Q(**{f"{prefix}district__in": located.filter(**{f"{street}__isnull": True})
                              .values(district)}))

    q = scope.place_q(f"{prefix}district", f"{prefix}street", f"{prefix}place__path")
    if scope.org_paths:
        q |= home(Organization.objects.filter(scope.org_q("path")))
    if scope.enterprise_ids:
        q |= home(Enterprise.objects.filter(pk__in=scope.enterprise_ids))
    if scope.member_ids:
        q |= home(Member.objects.filter(pk__in=scope.member_ids), "organization__street", "organization__district")
    return q


class Station(Located):
    place = models.OneToOneField(Place, on_delete=models.PROTECT, related_name="station",
                                 verbose_name=_("站点地域"), limit_choices_to={"kind": PlaceKind.STATION})
    level = models.CharField(_("层级"), max_length=8, choices=StationLevel.choices, default=StationLevel.STATION,
                             db_index=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("上级站点"), help_text=_("中心 → 站 → 点,上级须恰好高一级。"))
    open_weekdays = models.CharField(_("开放日"), max_length=7, default="12345", validators=[validate_weekdays],
                                     help_text=_("ISO 星期数字,1 为周一,7 为周日。"))
    opens_at = models.TimeField(_("开放时间"), default=dt.time(9, 0))
    closes_at = models.TimeField(_("关闭时间"), default=dt.time(17, 30))
    hours_note = models.CharField(_("开放说明"), max_length=200, blank=True,
                                  help_text=_("如:自助区 24 小时开放;法定节假日闭站。"))
    amenities = models.ManyToManyField(Amenity, blank=True, related_name="stations", verbose_name=_("设施"))
    phone = models.CharField(_("站点电话"), max_length=20, blank=True, help_text=_("对外公布的座机或热线。"))
    description = models.TextField(_("简介"), blank=True, max_length=2000)
    history = HistoricalRecords(excluded_fields=["district", "street"])

    objects = ScopedManager()
    edit_roles = EDIT_ROLES

    class Meta:
        verbose_name = _("党群服务站点")
        verbose_name_plural = _("党群服务站点")
        ordering = ["place__path"]
        constraints = [
            models.CheckConstraint(condition=models.Q(closes_at__gt=models.F("opens_at")),
                                   name="stations_closes_after_opens",
                                   violation_error_message=_("关闭时间须晚于开放时间。")),
        ]

    def __str__(self) -> str:
        return self.place.name if self.place_id else ""

    # The place's fields, read as the station's own (the API's `name`, `address`, `lat`, `lng`, `located_in`).
    @property
    def name(self) -> str:
        return self.place.name

    @property
    def address(self) -> str:
        return self.place.address

    @property
    def lat(self):
        return self.place.lat

    @property
    def lng(self):
        return self.place.lng

    @property
    def located_in(self) -> Place | None:
        return self.place.parent

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return station_scope_q(scope)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.place_id and self.place.kind != PlaceKind.STATION:
            errors["place"] = _("站点须是类型为“党群服务站”的地域。")
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("关闭时间须晚于开放时间。")
        parent_error = self.parent_error()
        if parent_error:
            errors["parent"] = parent_error
        elif self.pk and self.level:
            child_levels = set(Station.objects.filter(parent_id=self.pk).values_list("level", flat=True))
            wrong = [lvl for lvl in child_levels if PARENT_LEVEL.get(lvl) != self.level]
            if wrong:
                errors["level"] = _("该站点下还有“%(child)s”,改为“%(level)s”后层级不符;请先调整下级站点。") % {
                    "child": StationLevel(wrong[0]).label, "level": StationLevel(self.level).label}
        if errors:
            raise ValidationError(errors)

    def parent_error(self) -> str | None:
        """Why the parent cannot stand above this station (None when it can)."""
        if not self.parent_id:
            return None
        parent = self.parent
        if self.pk and parent.pk == self.pk:
            return _("站点不能是自己的上级。")
        wanted = PARENT_LEVEL.get(self.level)
        if wanted is None:
            return _("党群服务中心是最高一级,不能再设上级站点。")
        if parent.level != wanted:
            if LEVEL_RANK[StationLevel(parent.level)] >= LEVEL_RANK[StationLevel(self.level)]:
                return _("“%(level)s”不能设在“%(parent)s”之下:上级须是“%(wanted)s”。") % {
                    "level": StationLevel(self.level).label, "parent": StationLevel(parent.level).label,
                    "wanted": StationLevel(wanted).label}
            return _("上级须恰好高一级:“%(level)s”的上级须是“%(wanted)s”。") % {
                "level": StationLevel(self.level).label, "wanted": StationLevel(wanted).label}
        # One network per district (no cross-district links: architecture.md, sharding by district).
        if self.place_id and parent.district_id and self.place.district_id != parent.district_id:
            return _("上级站点须在同一个区。")
        return None

    def weekday_labels(self) -> list[str]:
        labels = dict(Weekday.choices)
        return [str(labels[d]) for d in sorted(self.open_weekdays or "")]

    def get_absolute_url(self) -> str:
        return reverse("stations:station_detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("stations:station_public", args=[self.pk])


class Duty(models.Model):
    """Who is on duty at a station on a weekday (值班表)."""

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="duties", verbose_name=_("站点"))
    weekday = models.CharField(_("星期"), max_length=1, choices=Weekday.choices)
    name = models.CharField(_("值班人员"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, blank=True, help_text=_("如:站长、两新老师、志愿者。"))
    phone = models.CharField(_("手机号"), max_length=20, blank=True, validators=[validate_cn_mobile])
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("账号"))
    history = HistoricalRecords()
    personal_fields = {"phone": mask_phone}

    objects = ScopedManager()
    edit_roles = EDIT_ROLES

    class Meta:
        verbose_name = _("站点值班")
        verbose_name_plural = _("站点值班")
        ordering = ["station", "weekday", "name"]
        constraints = [
            models.UniqueConstraint(fields=["station", "weekday", "name"], name="stations_duty_once_a_day",
                                    violation_error_message=_("此人当天已在值班表中。")),
        ]

    def __str__(self) -> str:
        return f"{self.station} {self.get_weekday_display()} {self.name}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return station_scope_q(scope, "station__")

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)
