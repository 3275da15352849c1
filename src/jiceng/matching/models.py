"""The three lists (三张清单) of regional party-building joint conferences: resources, needs and projects.

A joint conference (区域化党建联席会议) has member units and a rotating chair. Units offer resources and post
needs; a unit claims a need, or a requester claims a resource (双向认领). A claim is one transaction that
reserves quantity on the need (and capacity on the resource) with a conditional UPDATE, so two simultaneous
claims of the last units cannot both succeed; the claim becomes a project that runs
proposed → agreed → in progress → completed → evaluated.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields
from jiceng.core.geo import validate_lat, validate_lng
from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager
from jiceng.core.validators import mask_phone, validate_cn_mobile
from jiceng.matrix.tags import ALL_CELLS, ALL_THEMES, FlagsField


class Category(models.TextChoices):
    """Resource and need categories (codes from the domain; shared by both lists and the engine)."""

    VENUE = "venue", _("场地")
    PARKING = "parking", _("车位")
    VOLUNTEERS = "volunteers", _("志愿者")
    FUNDS = "funds", _("资金")
    TRAINING = "training", _("讲座培训")
    PROFESSIONAL = "professional", _("专业服务")
    GOODS = "goods", _("物资")
    JOBS = "jobs", _("岗位")
    OTHER = "other", _("其他")


class UnitKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    STATE_OWNED = "state_owned", _("国有企业")
    INSTITUTION = "institution", _("机关事业单位")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("居民区")
    SOCIAL_ORG = "social_org", _("社会组织")
    OTHER = "other", _("其他")


class RequesterKind(models.TextChoices):
    COMMUNITY = "community", _("社区")
    ENTERPRISE = "enterprise", _("企业")
    RESIDENTS = "residents", _("居民群体")
    UNIT = "unit", _("成员单位")


class ListStatus(models.TextChoices):
    OPEN = "open", _("开放认领")
    FULL = "full", _("已认领满")
    CLOSED = "closed", _("已关闭")


class ProjectStatus(models.TextChoices):
    PROPOSED = "proposed", _("已认领待确认")
    AGREED = "agreed", _("已确认")
    IN_PROGRESS = "in_progress", _("实施中")
    COMPLETED = "completed", _("已完成")
    EVALUATED = "evaluated", _("已评价")
    CANCELLED = "cancelled", _("已取消")


class ClaimKind(models.TextChoices):
    NEED = "need", _("单位认领需求")
    RESOURCE = "resource", _("认领资源")
    PROPOSAL = "proposal", _("联席会议撮合")


# Projects that hold quantity on their need and resource (a cancelled one gives it back).
ACTIVE_PROJECT_STATUSES = (ProjectStatus.PROPOSED, ProjectStatus.AGREED, ProjectStatus.IN_PROGRESS,
                           ProjectStatus.COMPLETED, ProjectStatus.EVALUATED)
DONE_PROJECT_STATUSES = (ProjectStatus.COMPLETED, ProjectStatus.EVALUATED)


def conference_scope_q(scope: Scope, prefix: str = "") -> models.Q:
    """Conferences a user sees: by the conference's place, or because one of their units is a member."""
    q = scope.place_q(f"{prefix}place__district", f"{prefix}place__street", f"{prefix}place__path")
    units = MemberUnit.objects.filter(MemberUnit.people_q(scope))
    if scope.enterprise_ids or scope.org_paths or scope.place_paths:
        q |= models.Q(**{f"{prefix}pk__in": units.values("conference_id")})
    return q


class JointConference(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="joint_conferences",
                              verbose_name=_("所在区域"), help_text=_("联席会议所覆盖的区或街道。"))
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="joint_conferences",
                                     verbose_name=_("牵头党组织"))
    established = fields.DateField(_("成立日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True, max_length=2000)
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff")

    class Meta:
        verbose_name = _("区域化党建联席会议")
        verbose_name_plural = _("区域化党建联席会议")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="conference_unique_name_in_place")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return conference_scope_q(scope)

    def get_absolute_url(self) -> str:
        return pk_url("matching:conference_detail", self.pk)

    @staticmethod
    def open_terms_prefetch(today=None) -> models.Prefetch:
        """For lists that show each conference's current and next chair: the terms not yet over, in order."""
        today = today or timezone.localdate()
        return models.Prefetch("chair_terms", to_attr="open_chair_terms", queryset=ChairTerm.objects.filter(
            end__gte=today).select_related("unit").order_by("start"))

    def chair_terms_around(self, today=None) -> tuple[ChairTerm | None, ChairTerm | None]:
        """The current chair's term and the next one (轮值制)."""
        today = today or timezone.localdate()
        # Lists prefetch the open terms (`open_chair_terms`, see open_terms_prefetch) instead of a query per row.
        prefetched = getattr(self, "open_chair_terms", None)
        terms = [t for t in prefetched if t.end >= today][:2] if prefetched is not None else \
            list(self.chair_terms.select_related("unit").filter(end__gte=today).order_by("start")[:2])
        current = terms[0] if terms and terms[0].start <= today else None
        upcoming = [t for t in terms if t.start > today]
        return current, (upcoming[0] if upcoming else None)


class MemberUnit(models.Model):
    """A member unit (成员单位). Who acts for it: its enterprise's unit contacts, its party organization's
    secretary, and building workers whose buildings hold its place or enterprise. Building heads of those
    buildings are its people too, but read only (docs/permissions.md)."""

    conference = models.ForeignKey(JointConference, on_delete=models.CASCADE, related_name="units",
                                   verbose_name=_("联席会议"))
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类别"), max_length=16, choices=UnitKind.choices, default=UnitKind.ENTERPRISE)
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="conference_units", verbose_name=_("对应两新组织"))
    organization = models.ForeignKey("organizations.Organization", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="conference_units",
                                     verbose_name=_("单位党组织"))
    place = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="conference_units", verbose_name=_("所在地"))
    contact_name = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_cn_mobile])
    joined = fields.DateField(_("加入日期"), null=True, blank=True)
    active = models.BooleanField(_("在册"), default=True)
    history = HistoricalRecords()
    personal_fields = {"contact_phone": mask_phone}

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["conference", "name"]
        constraints = [models.UniqueConstraint(fields=["conference", "name"], name="unit_unique_name_in_conference")]

    def __str__(self) -> str:
        return self.name

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @staticmethod
    def _q(scope: Scope, place_paths) -> models.Q:
        q = models.Q(pk__in=[])
        if scope.enterprise_ids:
            q |= models.Q(enterprise_id__in=scope.enterprise_ids)
        if scope.org_paths:
            q |= scope.org_q("organization__path")
        for prefix in place_paths:
            q |= models.Q(place__path__startswith=prefix) | models.Q(enterprise__place__path__startswith=prefix)
        return q

    @classmethod
    def people_q(cls, scope: Scope) -> models.Q:
        """Units whose lists a user sees by their own role: contacts, secretaries, building workers and heads."""
        return cls._q(scope, scope.place_paths)

    @classmethod
    def acting_q(cls, scope: Scope) -> models.Q:
        """Units a user acts for by their own role (not as conference staff): publish, claim, close, move
        projects on. Building heads are read-only in the three lists (docs/permissions.md), so only the
        buildings of a building worker count here."""
        return cls._q(scope, scope.worker_place_paths)


class ChairTerm(models.Model):
    """One turn of the rotating chair (轮值主席单位)."""

    conference = models.ForeignKey(JointConference, on_delete=models.CASCADE, related_name="chair_terms",
                                   verbose_name=_("联席会议"))
    unit = models.ForeignKey(MemberUnit, on_delete=models.CASCADE, related_name="chair_terms",
                             verbose_name=_("轮值单位"))
    start = fields.DateField(_("开始日期"))
    end = fields.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("轮值安排")
        verbose_name_plural = _("轮值安排")
        ordering = ["conference", "start"]
        constraints = [models.CheckConstraint(condition=models.Q(end__gte=models.F("start")),
                                              name="chair_term_end_after_start")]

    def __str__(self) -> str:
        return f"{self.unit} {self.start}–{self.end}"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("结束日期不能早于开始日期。")})
        if self.unit_id and self.conference_id and self.unit.conference_id != self.conference_id:
            raise ValidationError({"unit": _("轮值单位须是本联席会议的成员单位。")})
        if self.start and self.end and self.conference_id:
            overlapping = ChairTerm.objects.filter(conference_id=self.conference_id, start__lte=self.end,
                                                   end__gte=self.start).exclude(pk=self.pk)
            if overlapping.exists():
                raise ValidationError({"start": _("与已有的轮值时段重叠。")})


class Meeting(models.Model):
    conference = models.ForeignKey(JointConference, on_delete=models.CASCADE, related_name="meetings",
                                   verbose_name=_("联席会议"))
    title = models.CharField(_("会议名称"), max_length=100)
    held_at = models.DateTimeField(_("会议时间"))
    location = models.CharField(_("地点"), max_length=100, blank=True)
    chair = models.ForeignKey(MemberUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("主持单位"))
    agenda = models.TextField(_("议程"), blank=True, max_length=5000)
    minutes = models.TextField(_("会议纪要"), blank=True, max_length=10000)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("联席会议会议")
        verbose_name_plural = _("联席会议会议")
        ordering = ["-held_at"]

    def __str__(self) -> str:
        return self.title


class ListItem(models.Model):
    """What resources and needs share: the conference, category, window, location and claimed quantity."""

    conference = models.ForeignKey(JointConference, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("联席会议"))
    title = models.CharField(_("标题"), max_length=100)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices, db_index=True)
    description = models.TextField(_("说明"), blank=True, max_length=2000)
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    daily_start = models.TimeField(_("每日起"), null=True, blank=True,
                                   help_text=_("可选:每天的可用时段,可跨零点(如 19:00–07:00)。"))
    daily_end = models.TimeField(_("每日止"), null=True, blank=True)
    location = models.CharField(_("地点"), max_length=200, blank=True)
    lat = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, validators=[validate_lat])
    lng = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, validators=[validate_lng])
    claimed = models.PositiveIntegerField(_("已认领"), default=0, editable=False)
    status = models.CharField(_("状态"), max_length=8, choices=ListStatus.choices, default=ListStatus.OPEN,
                              db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("登记人"))
    created = models.DateTimeField(_("登记时间"), default=timezone.now, db_index=True)

    objects = ScopedManager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return conference_scope_q(scope, "conference__")

    def clean_fields(self, exclude=None) -> None:
        # Coordinates computed in code arrive as floats (31.3042 is 31.304199999…): keep them to the micro-degree.
        for name in ("lat", "lng"):
            value = getattr(self, name)
            if isinstance(value, float) and math.isfinite(value):
                setattr(self, name, Decimal(str(round(value, 6))))
        super().clean_fields(exclude=exclude)

    def clean(self) -> None:
        errors = {}
        if self.start and self.end and self.end <= self.start:
            errors["end"] = _("结束时间必须晚于开始时间。")
        if (self.daily_start is None) != (self.daily_end is None):
            errors["daily_end" if self.daily_end is None else "daily_start"] = _("每日时段须同时填写起止时间。")
        elif self.daily_start is not None and self.daily_start == self.daily_end:
            errors["daily_end"] = _("每日时段的起止时间不能相同。")
        if errors:
            raise ValidationError(errors)

    @property
    def amount(self) -> int:
        raise NotImplementedError

    @property
    def remaining(self) -> int:
        return max(self.amount - self.claimed, 0)


class Resource(ListItem):
    unit = models.ForeignKey(MemberUnit, on_delete=models.PROTECT, related_name="resources",
                             verbose_name=_("提供单位"))
    capacity = models.PositiveIntegerField(_("可提供数量"), validators=[MinValueValidator(1)])
    measure = models.CharField(_("计量单位"), max_length=10, blank=True, help_text=_("如:个、人次、小时、平方米"))
    radius_m = models.PositiveIntegerField(_("服务半径(米)"), default=3000,
                                           validators=[MinValueValidator(1), MaxValueValidator(100_000)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源清单")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["conference", "status", "category"], name="resource_conf_status_cat")]
        constraints = [
            models.CheckConstraint(condition=models.Q(capacity__gt=0), name="resource_capacity_positive"),
            models.CheckConstraint(condition=models.Q(claimed__lte=models.F("capacity")),
                                   name="resource_claimed_within_capacity"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="resource_end_after_start"),
        ]

    @property
    def amount(self) -> int:
        return self.capacity

    def clean(self) -> None:
        super().clean()
        if self.unit_id and self.conference_id and self.unit.conference_id != self.conference_id:
            raise ValidationError({"unit": _("提供单位须是本联席会议的成员单位。")})
        if self.capacity is not None and self.pk and self.capacity < self.claimed:
            raise ValidationError({"capacity": _("可提供数量不能少于已认领的 %(n)s。") % {"n": self.claimed}})

    def get_absolute_url(self) -> str:
        return pk_url("matching:resource_detail", self.pk)


class Need(ListItem):
    requester_kind = models.CharField(_("需求方类别"), max_length=12, choices=RequesterKind.choices,
                                      default=RequesterKind.COMMUNITY)
    requester_unit = models.ForeignKey(MemberUnit, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="needs", verbose_name=_("需求单位"),
                                       help_text=_("需求方是成员单位时选择。"))
    requester_name = models.CharField(_("需求方"), max_length=100, help_text=_("社区、企业或居民群体的名称。"))
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_cn_mobile])
    quantity = models.PositiveIntegerField(_("需求数量"), validators=[MinValueValidator(1)])
    measure = models.CharField(_("计量单位"), max_length=10, blank=True)
    demand = models.OneToOneField("demands.Demand", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="list_need", verbose_name=_("来源诉求"))
    history = HistoricalRecords()
    personal_fields = {"contact_phone": mask_phone}

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求清单")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["conference", "status", "category"], name="need_conf_status_cat")]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="need_quantity_positive"),
            models.CheckConstraint(condition=models.Q(claimed__lte=models.F("quantity")),
                                   name="need_claimed_within_quantity"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="need_end_after_start"),
        ]

    @property
    def amount(self) -> int:
        return self.quantity

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    def clean(self) -> None:
        super().clean()
        if self.requester_unit_id and self.conference_id and self.requester_unit.conference_id != self.conference_id:
            raise ValidationError({"requester_unit": _("需求单位须是本联席会议的成员单位。")})
        if self.quantity is not None and self.pk and self.quantity < self.claimed:
            raise ValidationError({"quantity": _("需求数量不能少于已认领的 %(n)s。") % {"n": self.claimed}})

    def get_absolute_url(self) -> str:
        return pk_url("matching:need_detail", self.pk)


class Project(models.Model):
    """A claim that was made: the project list (项目清单)."""

    conference = models.ForeignKey(JointConference, on_delete=models.PROTECT, related_name="projects",
                                   verbose_name=_("联席会议"))
    need = models.ForeignKey(Need, on_delete=models.PROTECT, related_name="projects", verbose_name=_("需求"))
    resource = models.ForeignKey(Resource, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="projects", verbose_name=_("资源"))
    provider = models.ForeignKey(MemberUnit, on_delete=models.PROTECT, related_name="provided_projects",
                                 verbose_name=_("提供单位"))
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices, db_index=True)
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])
    claim_kind = models.CharField(_("认领方式"), max_length=10, choices=ClaimKind.choices)
    status = models.CharField(_("状态"), max_length=12, choices=ProjectStatus.choices,
                              default=ProjectStatus.PROPOSED, db_index=True)
    note = models.CharField(_("认领说明"), max_length=500, blank=True)
    lead_member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="led_projects", verbose_name=_("项目负责党员"))
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("认领人"))
    claimed_at = models.DateTimeField(_("认领时间"), default=timezone.now, db_index=True)
    agreed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始实施"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True, db_index=True)
    evaluated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("评分"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    outcome = models.CharField(_("成效"), max_length=500, blank=True)
    # The 3×3 matrix and the 党建+ themes (seeds 000, 002; jiceng.matrix, docs/decisions/063).
    cells = FlagsField(_("党建矩阵"), kind="cells", help_text=_("工作对象 × 工作目标,可选多格。"))
    themes = FlagsField(_("党建+主题"), kind="themes")
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目清单")
        ordering = ["-claimed_at", "-pk"]
        indexes = [models.Index(fields=["conference", "status"], name="project_conf_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="project_quantity_positive"),
            models.CheckConstraint(condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                                   name="project_rating_1_to_5"),
            models.CheckConstraint(condition=models.Q(cells__lte=ALL_CELLS, themes__lte=ALL_THEMES),
                                   name="project_known_tags"),
        ]

    def __str__(self) -> str:
        return f"{self.need.title} ← {self.provider}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        """Place scope through the conference; a unit's own people see their unit's projects only."""
        q = scope.place_q("conference__place__district", "conference__place__street", "conference__place__path")
        units = MemberUnit.objects.filter(MemberUnit.people_q(scope)).values("pk")
        if scope.enterprise_ids or scope.org_paths or scope.place_paths:
            q |= models.Q(provider__in=units) | models.Q(need__requester_unit__in=units)
        if scope.member_ids:
            q |= models.Q(lead_member_id__in=scope.member_ids)
        return q

    def get_absolute_url(self) -> str:
        return pk_url("matching:project_detail", self.pk)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_PROJECT_STATUSES
