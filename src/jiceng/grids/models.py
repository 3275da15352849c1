"""Micro-grids (微网格), household contacts (党员联系户) and old-district renovation projects (旧区改造).

- A grid is a polygon (GeoJSON, WGS-84) in a street with its grid branch, its contact (网格联络员) and the members
  assigned to it by residence or workplace; seed 002 (园艺村) gives each ~1 km² grid 15–20 members, thresholds
  kept as data (`GridSettings`).
- A household contact is a business household (个体工商户) or a residential household assigned to one member
  (seed 001: every member of the 豫园 market keeps contact with 50), with the contacts logged; a matter raised
  becomes a demand through the demands workflow.
- A renovation project (seed 002, 老西门 蓬莱路地块) counts its households and signings, holds consultation
  rounds and three-party mediation cases, and runs a temporary branch whose members keep their home branch
  (`RenovationMember`, beside `Member.organization` as decision 039 keeps party groups beside it).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields
from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager
from jiceng.places.models import Located, PlaceKind

from . import geometry

GRID_PLACE_KINDS = (PlaceKind.STREET, PlaceKind.COMMUNITY, PlaceKind.VILLAGE)
PLACE_EDITORS = ("district_admin", "street_staff")


class GridSettings(models.Model):
    """The rules of grids and household contacts as one row an administrator edits (admin site); without the
    row the defaults below apply. Seed 002: a grid of about 1 km² with 15–20 members; seed 001: 50 households
    per member."""

    min_members = models.PositiveSmallIntegerField(_("网格党员下限"), default=15)
    max_members = models.PositiveSmallIntegerField(_("网格党员上限"), default=20)
    households_per_member = models.PositiveSmallIntegerField(
        _("每名党员联系户数"), default=50, validators=[MinValueValidator(1)])
    cell_side_m = models.PositiveIntegerField(
        _("生成网格边长(米)"), default=1000, validators=[MinValueValidator(100), MaxValueValidator(10_000)])
    street_reach_m = models.PositiveIntegerField(
        _("无边界街道的网格半径(米)"), default=5000, validators=[MinValueValidator(100)],
        help_text=_("街道只有中心坐标、没有边界时,网格各顶点须在此距离之内。"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("网格与联系户规则")
        verbose_name_plural = _("网格与联系户规则")

    def __str__(self) -> str:
        return str(_("网格与联系户规则"))

    def clean(self) -> None:
        if self.min_members is not None and self.max_members is not None and self.min_members > self.max_members:
            raise ValidationError({"max_members": _("上限不能小于下限。")})

    @classmethod
    def current(cls) -> GridSettings:
        """The stored row, or the defaults (unsaved: a read never writes)."""
        return cls.objects.order_by("pk").first() or cls()


class StreetBoundary(models.Model):
    """A street's outline (GeoJSON polygon): grids are checked to lie inside it and cells generated over it."""

    street = models.OneToOneField("places.Place", on_delete=models.CASCADE, related_name="grid_boundary",
                                  limit_choices_to={"kind": PlaceKind.STREET}, verbose_name=_("街道"))
    geometry = models.JSONField(_("边界(GeoJSON)"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("街道边界")
        verbose_name_plural = _("街道边界")

    def __str__(self) -> str:
        return str(self.street)

    def clean(self) -> None:
        if self.street_id and self.street.kind != PlaceKind.STREET:
            raise ValidationError({"street": _("边界只能设在街道/镇上。")})
        self.geometry = geometry.polygon_geometry(self.geometry)
        geometry.validate_polygon(self.geometry)

    @property
    def ring(self) -> geometry.Ring:
        return geometry.points(self.geometry)


class GridSource(models.TextChoices):
    DRAWN = "drawn", _("绘制")
    IMPORTED = "imported", _("GeoJSON 导入")
    GENERATED = "generated", _("按平方公里生成")


class Grid(Located):
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编码"), max_length=32, blank=True)
    geometry = models.JSONField(_("范围(GeoJSON)"), help_text=_("WGS-84 多边形,坐标顺序为 [经度, 纬度]。"))
    area_m2 = models.FloatField(_("面积(平方米)"), default=0, editable=False)
    center_lat = models.FloatField(null=True, editable=False)
    center_lng = models.FloatField(null=True, editable=False)
    source = models.CharField(_("来源"), max_length=16, choices=GridSource.choices, default=GridSource.DRAWN)
    branch = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="grids", verbose_name=_("网格党支部"))
    contact = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="grids_contact_of", verbose_name=_("网格联络员"))
    member_count = models.PositiveIntegerField(_("党员数"), default=0, editable=False)
    history = HistoricalRecords(excluded_fields=["district", "street", "member_count"])

    objects = ScopedManager()
    edit_roles = PLACE_EDITORS

    class Meta:
        verbose_name = _("微网格")
        verbose_name_plural = _("微网格")
        ordering = ["street", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="grid_unique_name_in_place",
                                               violation_error_message=_("该地域已有同名网格。"))]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return pk_url("grids:grid_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return scope.place_q("district", "street", "place__path") | scope.org_q("branch__path")

    def clean(self) -> None:
        from .services import check_grid  # the rules need other rows: kept with the services

        check_grid(self)

    def save(self, *args, **kwargs):
        # Area and label point follow the polygon (validated by clean(): every write path runs it first).
        ring = geometry.points(self.geometry)
        self.area_m2 = round(geometry.area_m2(ring), 1)
        self.center_lng, self.center_lat = geometry.centroid(ring)
        super().save(*args, **kwargs)

    @property
    def area_km2(self) -> float:
        return round(self.area_m2 / 1_000_000, 3)

    def warnings(self, rules: GridSettings | None = None) -> list[str]:
        rules = rules or GridSettings.current()
        n = self.member_count
        if n < rules.min_members:
            return [str(_("党员 %(n)d 名,少于 %(min)d 名。") % {"n": n, "min": rules.min_members})]
        if n > rules.max_members:
            return [str(_("党员 %(n)d 名,多于 %(max)d 名,宜分设网格。") % {"n": n, "max": rules.max_members})]
        return []


class AssignmentBasis(models.TextChoices):
    RESIDENCE = "residence", _("居住地")
    WORKPLACE = "workplace", _("工作地")


class GridMember(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("网格"))
    member = models.OneToOneField("members.Member", on_delete=models.CASCADE, related_name="grid_assignment",
                                  verbose_name=_("党员"))
    basis = models.CharField(_("编入依据"), max_length=16, choices=AssignmentBasis.choices)
    since = fields.DateField(_("编入日期"), null=True, blank=True)

    objects = ScopedManager()
    edit_roles = PLACE_EDITORS

    class Meta:
        verbose_name = _("网格党员")
        verbose_name_plural = _("网格党员")
        ordering = ["grid", "member__name", "pk"]

    def __str__(self) -> str:
        return f"{self.grid} · {self.member}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return scope.place_q("grid__district", "grid__street", "grid__place__path") | scope.org_q("grid__branch__path")


# --- household contacts ----------------------------------------------------------------------------------------

class HouseholdKind(models.TextChoices):
    BUSINESS = "business", _("个体工商户")
    RESIDENTIAL = "residential", _("居民户")


class HouseholdContact(Located):
    """A household and the member who keeps contact with it (联系户)."""

    kind = models.CharField(_("类型"), max_length=16, choices=HouseholdKind.choices)
    name = models.CharField(_("户名/字号"), max_length=100)
    address = models.CharField(_("地址/摊位"), max_length=200)
    enterprise = models.OneToOneField("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="household_contact", verbose_name=_("对应单位"))
    grid = models.ForeignKey(Grid, null=True, blank=True, on_delete=models.SET_NULL, related_name="households",
                             verbose_name=_("所在网格"))
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="household_contacts",
                               verbose_name=_("联系党员"))
    assigned_on = fields.DateField(_("结对日期"), null=True, blank=True)
    last_contact = fields.DateField(_("最近联系"), null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["district", "street", "last_contact"])

    objects = ScopedManager()
    edit_roles = (*PLACE_EDITORS, "building_worker", "org_secretary")

    class Meta:
        verbose_name = _("党员联系户")
        verbose_name_plural = _("党员联系户")
        ordering = ["member__name", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["street", "kind", "name", "address"],
                                               name="household_unique_in_street",
                                               violation_error_message=_("该户已结对联系,不能重复分配。"))]
        indexes = [models.Index(fields=["member", "last_contact"], name="household_member_contact")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return pk_url("grids:household_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        q = scope.place_q("district", "street", "place__path") | scope.org_q("member__organization__path")
        if scope.member_ids:
            q |= models.Q(member__in=scope.member_ids)
        return q

    def clean(self) -> None:
        from .services import check_household

        check_household(self)


class ContactWay(models.TextChoices):
    VISIT = "visit", _("上门走访")
    PHONE = "phone", _("电话")
    WECHAT = "wechat", _("微信")
    MEETING = "meeting", _("座谈/议事会")
    OTHER = "other", _("其他")


class ContactLog(models.Model):
    household = models.ForeignKey(HouseholdContact, on_delete=models.CASCADE, related_name="logs",
                                  verbose_name=_("联系户"))
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("联系党员"))
    date = fields.DateField(_("联系日期"))
    way = models.CharField(_("联系方式"), max_length=16, choices=ContactWay.choices, default=ContactWay.VISIT)
    raised = models.TextField(_("反映的问题"), blank=True, max_length=2000)
    demand = models.OneToOneField("demands.Demand", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="household_contact_log", verbose_name=_("转成的需求"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    created = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager()
    edit_roles = HouseholdContact.edit_roles

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["household", "date"], name="contactlog_household_date")]

    def __str__(self) -> str:
        return f"{self.household} {self.date}"

    def get_absolute_url(self) -> str:
        return self.household.get_absolute_url()

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return models.Q(household__in=HouseholdContact.objects.filter(HouseholdContact.scope_q(scope)).values("pk"))


# --- renovation projects ---------------------------------------------------------------------------------------

class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("进行中")
    ENDED = "ended", _("已结束")


class RenovationProject(Located):
    name = models.CharField(_("项目名称"), max_length=200)
    started = fields.DateField(_("启动日期"))
    ended = fields.DateField(_("结束日期"), null=True, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE,
                              editable=False)
    households = models.PositiveIntegerField(_("户数"), validators=[MinValueValidator(1)])
    signed = models.PositiveIntegerField(_("已签约户数"), default=0)
    temporary_branch = models.ForeignKey("organizations.Organization", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="renovation_projects",
                                         verbose_name=_("临时党支部"), editable=False)
    branch_name = models.CharField(_("临时党支部名称"), max_length=200, blank=True, editable=False)
    description = models.TextField(_("说明"), blank=True, max_length=4000)
    history = HistoricalRecords(excluded_fields=["district", "street"])

    objects = ScopedManager()
    edit_roles = PLACE_EDITORS

    class Meta:
        verbose_name = _("旧区改造项目")
        verbose_name_plural = _("旧区改造项目")
        ordering = ["-started", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return pk_url("grids:project_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return scope.place_q("district", "street", "place__path") | scope.org_q("temporary_branch__path")

    @property
    def signing_rate(self) -> float:
        return round(self.signed / self.households, 4) if self.households else 0.0

    def clean(self) -> None:
        if self.households is not None and self.signed is not None and self.signed > self.households:
            # A signing count above the households cannot be true: refused rather than capped.
            raise ValidationError({"signed": _("已签约户数(%(s)d)不能多于项目户数(%(h)d)。")
                                   % {"s": self.signed, "h": self.households}})


class _ProjectChild(models.Model):
    objects = ScopedManager()
    edit_roles = PLACE_EDITORS

    class Meta:
        abstract = True

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return models.Q(project__in=RenovationProject.objects.filter(RenovationProject.scope_q(scope)).values("pk"))

    def get_absolute_url(self) -> str:
        return self.project.get_absolute_url()


class ConsultationRound(_ProjectChild):
    """A round of consultation (意愿征询): how many households took part and agreed."""

    project = models.ForeignKey(RenovationProject, on_delete=models.CASCADE, related_name="rounds",
                                verbose_name=_("项目"))
    number = models.PositiveSmallIntegerField(_("轮次"), validators=[MinValueValidator(1)])
    held_on = fields.DateField(_("征询日期"))
    responded = models.PositiveIntegerField(_("参与户数"), default=0)
    agreed = models.PositiveIntegerField(_("同意户数"), default=0)
    note = models.CharField(_("备注"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("意愿征询")
        verbose_name_plural = _("意愿征询")
        ordering = ["project", "number"]
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="round_unique_number",
                                               violation_error_message=_("该轮次已登记。"))]

    def __str__(self) -> str:
        return str(_("第 %(n)d 轮征询") % {"n": self.number})

    @property
    def agree_rate(self) -> float:
        return round(self.agreed / self.project.households, 4) if self.project.households else 0.0

    def clean(self) -> None:
        if self.agreed is not None and self.responded is not None and self.agreed > self.responded:
            raise ValidationError({"agreed": _("同意户数不能多于参与户数。")})
        if self.project_id and self.responded is not None and self.responded > self.project.households:
            raise ValidationError({"responded": _("参与户数不能多于项目户数(%(h)d)。")
                                   % {"h": self.project.households}})


class RenovationMember(_ProjectChild):
    """A member in the project's temporary branch; their home branch (`Member.organization`) stays as it is."""

    project = models.ForeignKey(RenovationProject, on_delete=models.CASCADE, related_name="branch_members",
                                verbose_name=_("项目"))
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="renovation_memberships",
                               verbose_name=_("党员"))
    joined_on = fields.DateField(_("加入日期"))
    left_on = fields.DateField(_("离开日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("临时党支部成员")
        verbose_name_plural = _("临时党支部成员")
        ordering = ["project", "member__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["project", "member"], name="renovation_member_once",
                                               violation_error_message=_("该党员已在本项目临时党支部中。"))]

    def __str__(self) -> str:
        return f"{self.member} @ {self.project}"


class MediationOutcome(models.TextChoices):
    PENDING = "pending", _("调解中")
    AGREED = "agreed", _("达成一致")
    PARTIAL = "partial", _("部分达成")
    FAILED = "failed", _("未达成")


class MediationCase(_ProjectChild):
    """Three-party mediation (居民、征收方/开发企业、街道/居委): seed 002's 调解平台 of 居民区书记, 征收经办人, 律师."""

    project = models.ForeignKey(RenovationProject, on_delete=models.CASCADE, related_name="mediations",
                                verbose_name=_("项目"))
    household = models.CharField(_("户/地址"), max_length=200)
    resident_party = models.CharField(_("居民方"), max_length=100)
    enterprise_party = models.CharField(_("征收方/开发企业"), max_length=100)
    street_party = models.CharField(_("街道/居委方"), max_length=100)
    issue = models.TextField(_("争议事项"), max_length=2000)
    opened_on = fields.DateField(_("受理日期"))
    outcome = models.CharField(_("调解结果"), max_length=16, choices=MediationOutcome.choices,
                               default=MediationOutcome.PENDING)
    outcome_note = models.TextField(_("结果说明"), blank=True, max_length=2000)
    closed_on = fields.DateField(_("结案日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("三方调解")
        verbose_name_plural = _("三方调解")
        ordering = ["project", "-opened_on", "pk"]

    def __str__(self) -> str:
        return f"{self.household} ({self.get_outcome_display()})"

    def clean(self) -> None:
        errors = {}
        for name in ("resident_party", "enterprise_party", "street_party"):
            if not (getattr(self, name) or "").strip():
                errors[name] = _("三方调解须有居民、征收方/开发企业和街道/居委三方。")
        if self.outcome != MediationOutcome.PENDING and not self.closed_on:
            errors["closed_on"] = _("有调解结果时须填写结案日期。")
        if self.closed_on and self.opened_on and self.closed_on < self.opened_on:
            errors["closed_on"] = _("结案日期不能早于受理日期。")
        if errors:
            raise ValidationError(errors)
