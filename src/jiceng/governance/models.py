"""Building governance (楼宇治理, seed 003): the building council (楼事会) and its members, the building head (楼长)
chosen by 一推三公示, the four officers (四大员) assigned to each enterprise, council meetings with their
decisions, and alliances of buildings (楼宇党群联盟).

Who sees what (docs/permissions.md, "Building governance"): everything hangs off a council, and a council off its
building, so the place roles see the councils in their place scope (a building head: their building only). An
officer assignment is seen in the enterprise's place scope and by the officer. Who writes is in `services`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields
from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager
from jiceng.places.models import Located, PlaceKind

# A council is formed for a building-like place: a commercial building (商务楼宇), a park (园区) or one building.
COUNCIL_PLACE_KINDS = (PlaceKind.COMMERCIAL_BUILDING, PlaceKind.PARK, PlaceKind.BUILDING)
# Bounds of a notice period (working days): the rule may raise the minimum, never below one day.
MAX_NOTICE_DAYS = 60


def council_scope_q(scope: Scope, prefix: str = "") -> models.Q:
    """Councils (or rows reached through `prefix`, e.g. "council__") in the user's place scope."""
    return scope.place_q(f"{prefix}district", f"{prefix}street", f"{prefix}place__path")


class NoticeRule(models.Model):
    """The notice period of 一推三公示 as data (domain.md: each notice period configurable, default five working
    days). A district's row overrides the row without a district; without any row, settings decide."""

    district = models.OneToOneField("places.Place", null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="+", verbose_name=_("区"),
                                    help_text=_("留空为全部区的默认规则。"))
    working_days = models.PositiveSmallIntegerField(
        _("公示期(工作日)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(MAX_NOTICE_DAYS)],
        help_text=_("每次公示的最短期限,按工作日计算(节假日不计)。"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("公示期规则")
        verbose_name_plural = _("公示期规则")

    def __str__(self) -> str:
        return f"{self.district or _('默认')}: {self.working_days}"

    def clean(self) -> None:
        if self.district_id and self.district.kind != PlaceKind.DISTRICT:
            raise ValidationError({"district": _("规则只能按区设置。")})

    @classmethod
    def days_for(cls, place) -> int:
        """The minimum notice period (working days) for a council at `place`."""
        rules = {r.district_id: r.working_days for r in cls.objects.filter(
            models.Q(district__isnull=True) | models.Q(district_id=getattr(place, "district_id", None)))}
        if getattr(place, "district_id", None) in rules:
            return rules[place.district_id]
        if None in rules:
            return rules[None]
        return settings.JICENG.get("GOVERNANCE_NOTICE_WORKING_DAYS", 5)


class Seat(models.Model):
    """A seat on a council (席位) as data: seed 003's five (and 其他) come with the migration; more may be added."""

    code = models.SlugField(_("编码"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("楼事会席位")
        verbose_name_plural = _("楼事会席位")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name




class Alliance(Located):
    """A 楼宇党群联盟: buildings (their councils) grouped to share activities and run a joint list."""

    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("所在区域"), help_text=_("联盟所在的街道或区。"))
    name = models.CharField(_("名称"), max_length=100)
    established = fields.DateField(_("成立日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True, max_length=2000)
    conference = models.OneToOneField("matching.JointConference", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="alliance", verbose_name=_("联盟清单"),
                                      help_text=_("联盟共同的资源、需求和项目清单。"))
    history = HistoricalRecords(excluded_fields=["district", "street"])

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff")

    class Meta:
        verbose_name = _("楼宇党群联盟")
        verbose_name_plural = _("楼宇党群联盟")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["place", "name"], name="governance_alliance_unique_name")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        # Its own place, or one of its councils in the user's scope (a building head sees the alliance they are in).
        q = scope.place_q("district", "street", "place__path")
        q |= models.Q(pk__in=Council.objects.filter(council_scope_q(scope), alliance__isnull=False)
                      .values("alliance"))
        return q

    def clean(self) -> None:
        if self.place_id and self.place.kind not in (PlaceKind.STREET, PlaceKind.DISTRICT):
            raise ValidationError({"place": _("联盟须设在街道或区。")})

    def get_absolute_url(self) -> str:
        return pk_url("governance:alliance_detail", self.pk)


class Council(Located):
    """The building council (楼事会 / 楼委会), one per building or park."""

    place = models.OneToOneField("places.Place", on_delete=models.PROTECT, related_name="council",
                                 verbose_name=_("楼宇/园区"))
    name = models.CharField(_("名称"), max_length=100)
    established = fields.DateField(_("成立日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True, max_length=2000)
    head = models.ForeignKey("governance.CouncilMember", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", editable=False, verbose_name=_("楼长"),
                             help_text=_("经一推三公示产生,任命后自动填写。"))
    head_since = fields.DateField(_("楼长任职日期"), null=True, blank=True, editable=False)
    alliance = models.ForeignKey(Alliance, null=True, blank=True, on_delete=models.SET_NULL, related_name="councils",
                                 verbose_name=_("所属联盟"))
    # The building's three lists (三张清单) run like a joint conference's, by the council (its head manages them).
    conference = models.OneToOneField("matching.JointConference", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="council", editable=False, verbose_name=_("楼宇清单"))
    history = HistoricalRecords(excluded_fields=["district", "street"])

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff", "building_worker")

    class Meta:
        verbose_name = _("楼事会")
        verbose_name_plural = _("楼事会")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return council_scope_q(scope)

    def clean(self) -> None:
        if self.place_id and self.place.kind not in COUNCIL_PLACE_KINDS:
            raise ValidationError({"place": _("楼事会须设在商务楼宇、园区或楼栋。")})
        if self.alliance_id and self.place_id and self.alliance.district_id != self.place.district_id:
            raise ValidationError({"alliance": _("联盟须与楼宇在同一个区。")})

    def get_absolute_url(self) -> str:
        return pk_url("governance:council_detail", self.pk)

    @property
    def head_user(self):
        return self.head.user if self.head_id and self.head else None


class CouncilMember(models.Model):
    """A seat holder on a council, for a term."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members", verbose_name=_("楼事会"))
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="+", verbose_name=_("席位"))
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("职务"), max_length=100, blank=True, help_text=_("如:某公司党支部书记、物业经理。"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="council_seats", verbose_name=_("登录账号"),
                             help_text=_("当选楼长须有登录账号(任命时授予楼长角色)。"))
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               verbose_name=_("党员"))
    enterprise = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("所在单位"))
    term_start = fields.DateField(_("任期开始"))
    term_end = fields.DateField(_("任期结束"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = Council.edit_roles

    class Meta:
        verbose_name = _("楼事会成员")
        verbose_name_plural = _("楼事会成员")
        ordering = ["council", "seat__order", "name"]
        constraints = [models.CheckConstraint(
            condition=models.Q(term_end__isnull=True) | models.Q(term_end__gte=models.F("term_start")),
            name="governance_member_term_order")]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return council_scope_q(scope, "council__")

    def clean(self) -> None:
        if self.term_start and self.term_end and self.term_end < self.term_start:
            raise ValidationError({"term_end": _("任期结束不能早于任期开始。")})

    def serving_on(self, day: dt.date) -> bool:
        return self.term_start <= day and (self.term_end is None or self.term_end >= day)

    def get_absolute_url(self) -> str:
        return self.council.get_absolute_url()


# --- 一推三公示 ---------------------------------------------------------------------------------------

class SelectionStatus(models.TextChoices):
    NOTICE = "notice", _("公示中")
    PAUSED = "paused", _("异议处理中")
    APPOINTED = "appointed", _("已任命")
    ENDED = "ended", _("已终止")


OPEN_SELECTION_STATUSES = (SelectionStatus.NOTICE, SelectionStatus.PAUSED)


class NoticeStage(models.IntegerChoices):
    """The three public notices after the recommendation (一推三公示, domain.md)."""

    NOMINEE = 1, _("推荐人选公示")
    CANDIDATE = 2, _("候选人公示")
    RESULT = 3, _("结果公示")


class HeadSelection(models.Model):
    """Choosing the building head: a nomination by the council (推), then the three notices (三公示)."""

    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="selections",
                                verbose_name=_("楼事会"))
    nominee = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="selections",
                                verbose_name=_("推荐人选"))
    nominated_on = fields.DateField(_("推荐日期"))
    nomination_note = models.TextField(_("推荐意见"), blank=True, max_length=2000,
                                       help_text=_("如:楼事会会议推荐情况、票数。"))
    notice_days = models.PositiveSmallIntegerField(_("公示期(工作日)"),
                                                   validators=[MinValueValidator(1),
                                                               MaxValueValidator(MAX_NOTICE_DAYS)])
    status = models.CharField(_("状态"), max_length=12, choices=SelectionStatus.choices,
                              default=SelectionStatus.NOTICE, db_index=True)
    appointed_on = fields.DateField(_("任命日期"), null=True, blank=True)
    ended_on = fields.DateField(_("终止日期"), null=True, blank=True)
    ended_reason = models.TextField(_("终止原因"), blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("登记人"))
    created = models.DateTimeField(_("登记时间"), default=timezone.now)
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = Council.edit_roles

    class Meta:
        verbose_name = _("楼长推选")
        verbose_name_plural = _("楼长推选")
        ordering = ["-nominated_on", "-pk"]
        constraints = [models.UniqueConstraint(
            fields=["council"], condition=models.Q(status__in=["notice", "paused"]),
            name="governance_one_open_selection",
            violation_error_message=_("该楼事会已有进行中的楼长推选。"))]

    def __str__(self) -> str:
        return _("%(council)s 楼长推选(%(name)s)") % {"council": self.council, "name": self.nominee}

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return council_scope_q(scope, "council__")

    def get_absolute_url(self) -> str:
        return pk_url("governance:selection_detail", self.pk)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_SELECTION_STATUSES

    def current_notice(self) -> Notice | None:
        notices = getattr(self, "_prefetched_objects_cache", {}).get("notices")
        rows = list(notices) if notices is not None else list(self.notices.all())
        return max(rows, key=lambda n: n.stage) if rows else None


class NoticeStatus(models.TextChoices):
    RUNNING = "running", _("公示中")
    PAUSED = "paused", _("暂停(异议处理中)")
    PASSED = "passed", _("期满无异议")
    STOPPED = "stopped", _("已终止")


class Notice(models.Model):
    """One public notice (公示) with its period in working days."""

    selection = models.ForeignKey(HeadSelection, on_delete=models.CASCADE, related_name="notices",
                                  verbose_name=_("楼长推选"))
    stage = models.PositiveSmallIntegerField(_("公示"), choices=NoticeStage.choices)
    published_on = fields.DateField(_("发布日期"))
    ends_on = fields.DateField(_("公示截止"), help_text=_("发布日之后第 N 个工作日(节假日不计)。"))
    status = models.CharField(_("状态"), max_length=8, choices=NoticeStatus.choices, default=NoticeStatus.RUNNING)
    paused_on = fields.DateField(_("暂停日期"), null=True, blank=True)
    closed_on = fields.DateField(_("结束日期"), null=True, blank=True)
    text = models.TextField(_("公示内容"), max_length=5000)
    history = HistoricalRecords()

    objects = ScopedManager()

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["selection", "stage"]
        constraints = [
            models.UniqueConstraint(fields=["selection", "stage"], name="governance_one_notice_per_stage"),
            models.CheckConstraint(condition=models.Q(ends_on__gt=models.F("published_on")),
                                   name="governance_notice_ends_after_publication"),
        ]

    def __str__(self) -> str:
        return f"{self.selection.council} · {self.get_stage_display()}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return council_scope_q(scope, "selection__council__")

    def get_absolute_url(self) -> str:
        return pk_url("governance:notice_print", self.pk)


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    UPHELD = "upheld", _("异议成立")
    DISMISSED = "dismissed", _("异议不成立")


class Objection(models.Model):
    """An objection (异议) raised during a notice period; while pending, the selection is paused."""

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="objections", verbose_name=_("公示"))
    raised_on = fields.DateField(_("提出日期"))
    raised_by_name = models.CharField(_("提出人"), max_length=50, blank=True, help_text=_("可匿名。"))
    text = models.TextField(_("异议内容"), max_length=2000)
    status = models.CharField(_("处理结果"), max_length=10, choices=ObjectionStatus.choices,
                              default=ObjectionStatus.PENDING)
    resolution = models.TextField(_("处理意见"), blank=True, max_length=2000)
    resolved_on = fields.DateField(_("处理日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("登记人"))
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("处理人"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["raised_on", "pk"]

    def __str__(self) -> str:
        return self.text[:30]


# --- the four officers ----------------------------------------------------------------------------------

class OfficerKind(models.TextChoices):
    """四大员 (seed 003, 静安寺街道): each enterprise has one officer of each kind (包干对接)."""

    PARTY_INSTRUCTOR = "party_instructor", _("党建指导员")
    ECONOMIC = "economic", _("经济服务员")
    SAFETY = "safety", _("安全管理员")
    MARKET_SUPERVISION = "market_supervision", _("市场监管员")


class OfficerAssignment(models.Model):
    kind = models.CharField(_("类别"), max_length=20, choices=OfficerKind.choices)
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE,
                                   related_name="officer_assignments", verbose_name=_("企业"))
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="officer_assignments",
                               verbose_name=_("负责人"))
    assigned_on = fields.DateField(_("分配日期"), default=timezone.localdate)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff")

    class Meta:
        verbose_name = _("四大员包干")
        verbose_name_plural = _("四大员包干")
        ordering = ["enterprise__name", "kind"]
        constraints = [models.UniqueConstraint(fields=["enterprise", "kind"], name="governance_one_officer_per_kind",
                                               violation_error_message=_("该企业已有此类别的负责人。"))]
        indexes = [models.Index(fields=["person", "kind"], name="governance_officer_person")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_kind_display()} · {person_name(self.person)}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        q = scope.place_q("enterprise__district", "enterprise__street", "enterprise__place__path")
        if scope.enterprise_ids:
            q |= models.Q(enterprise_id__in=scope.enterprise_ids)
        if scope.user_id:
            q |= models.Q(person_id=scope.user_id)
        return q

    def clean(self) -> None:
        if self.kind and self.enterprise_id:
            taken = OfficerAssignment.objects.filter(enterprise_id=self.enterprise_id, kind=self.kind) \
                .exclude(pk=self.pk)
            if taken.exists():
                raise ValidationError({"kind": _("该企业已有%(kind)s,请先调整原分配。")
                                       % {"kind": self.get_kind_display()}})
        if self.person_id and self.enterprise_id:
            from jiceng.enterprises.models import Enterprise

            # An officer serves only enterprises within their own scope (包干 within the street that assigns them).
            if not Enterprise.objects.restrict(self.person).filter(pk=self.enterprise_id).exists():
                raise ValidationError({"person": _("“%(person)s”的管辖范围不含该企业,不能包干。")
                                       % {"person": person_name(self.person)}})

    def get_absolute_url(self) -> str:
        return reverse("governance:officer_workload") + f"?person={self.person_id}"


def person_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.first_name or user.username


# --- council meetings --------------------------------------------------------------------------------------

class CouncilMeeting(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("楼事会"))
    title = models.CharField(_("会议名称"), max_length=100)
    held_at = models.DateTimeField(_("会议时间"))
    location = models.CharField(_("地点"), max_length=100, blank=True)
    attendees = models.ManyToManyField(CouncilMember, blank=True, related_name="meetings_attended",
                                       verbose_name=_("出席成员"))
    guests = models.CharField(_("列席人员"), max_length=300, blank=True)
    minutes = models.TextField(_("会议纪要"), blank=True, max_length=10000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("登记人"))
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff", "building_worker", "building_head")

    class Meta:
        verbose_name = _("楼事会会议")
        verbose_name_plural = _("楼事会会议")
        ordering = ["-held_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return council_scope_q(scope, "council__")

    def get_absolute_url(self) -> str:
        return pk_url("governance:meeting_detail", self.pk)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.CASCADE, related_name="agenda_items",
                                verbose_name=_("会议"))
    position = models.PositiveSmallIntegerField(_("序号"), default=1)
    title = models.CharField(_("议题"), max_length=200)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return self.title


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已办结")


class Decision(models.Model):
    """A decision of a council meeting, with its owner and a due date counted in working days, tracked to done."""

    meeting = models.ForeignKey(CouncilMeeting, on_delete=models.CASCADE, related_name="decisions",
                                verbose_name=_("会议"))
    text = models.CharField(_("决议事项"), max_length=500)
    owner = models.ForeignKey(CouncilMember, on_delete=models.PROTECT, related_name="decisions",
                              verbose_name=_("责任人"))
    due_in_working_days = models.PositiveSmallIntegerField(
        _("办理时限(工作日)"), validators=[MinValueValidator(1), MaxValueValidator(250)])
    due_date = fields.DateField(_("办理期限"), db_index=True, editable=False)
    status = models.CharField(_("状态"), max_length=8, choices=DecisionStatus.choices, default=DecisionStatus.OPEN,
                              db_index=True)
    done_on = fields.DateField(_("办结日期"), null=True, blank=True)
    outcome = models.CharField(_("办理结果"), max_length=500, blank=True)
    demand = models.OneToOneField("demands.Demand", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="council_decision", verbose_name=_("转为需求"))
    need = models.OneToOneField("matching.Need", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="council_decision", verbose_name=_("转为清单需求"))
    project = models.OneToOneField("matching.Project", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="council_decision", verbose_name=_("转为项目"))
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = CouncilMeeting.edit_roles

    class Meta:
        verbose_name = _("会议决议")
        verbose_name_plural = _("会议决议")
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return self.text[:40]

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return council_scope_q(scope, "meeting__council__")

    def clean(self) -> None:
        if self.owner_id and self.meeting_id and self.owner.council_id != self.meeting.council_id:
            raise ValidationError({"owner": _("责任人须是本楼事会的成员。")})

    def get_absolute_url(self) -> str:
        return reverse("governance:meeting_detail", args=[self.meeting_id]) + f"#decision-{self.pk}"

    @property
    def converted(self) -> bool:
        return bool(self.demand_id or self.need_id or self.project_id)
