"""Five-colour risk analysis: signal types, thresholds and playbooks as data; signals, the per-enterprise risk,
its level history and the follow-ups a rise creates.

Scoring (implemented once in `scoring.py`, shared by the explanation and the batch recompute):
a signal is live from `observed_on` until the day before `expires_on`. Signal types in the same non-empty
`group` describe one fact (e.g. "lease ending" in three or six months): per enterprise and group only the
strongest risk-raising signal and the strongest stabilising one count. Types without a group count every
live signal. The score is the sum; thresholds map it to a level.
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

from jiceng.accounts.models import Role
from jiceng.core.i18n import localized
from jiceng.core.scoping import Scope, ScopedManager, ScopedQuerySet
from jiceng.departments.models import DepartmentWork, department_work_q

from .choices import ChangeKind, FollowUpStatus, RiskLevel, SignalSource, SourceKind

MAX_POINTS = 100


def enterprise_scope_q(scope: Scope, field: str = "enterprise") -> models.Q:
    """Rows belonging to an enterprise are in scope exactly when the enterprise is (one mechanism)."""
    from jiceng.enterprises.models import Enterprise

    return models.Q(**{f"{field}__in": Enterprise.objects.filter(Enterprise.scope_q(scope)).values("pk")})


class SignalType(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    weight = models.SmallIntegerField(
        _("分值"), validators=[MinValueValidator(-MAX_POINTS), MaxValueValidator(MAX_POINTS)],
        help_text=_("每条信号计入的分值;负值表示稳定因素(须允许负分值)。"))
    allow_negative = models.BooleanField(_("允许负分值"), default=False)
    live_days = models.PositiveSmallIntegerField(_("有效天数"), default=90,
                                                 validators=[MinValueValidator(1), MaxValueValidator(3650)])
    source_kind = models.CharField(_("来源方式"), max_length=16, choices=SourceKind.choices,
                                   default=SourceKind.RECORDED)
    window_days = models.PositiveSmallIntegerField(
        _("推导窗口(天)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("由租约推导时:租约在今后多少天内到期即产生此信号(取最窄的窗口)。"))
    group = models.SlugField(
        _("同类分组"), max_length=40, blank=True,
        help_text=_("同一分组的信号描述同一事实,每家企业只计最高分;留空则每条信号都计分。"))
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("风险信号类型")
        verbose_name_plural = _("风险信号类型")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the active language (decision 049)."""
        return localized(self.name, self.name_en)

    def clean(self) -> None:
        if self.weight is not None and self.weight < 0 and not self.allow_negative:
            raise ValidationError({"weight": _("该信号类型不允许负分值;如为稳定因素,请先勾选“允许负分值”。")})
        if self.source_kind == SourceKind.LEASE and not self.window_days:
            raise ValidationError({"window_days": _("由租约推导的信号类型须填写推导窗口。")})

    @property
    def recordable(self) -> bool:
        """Overdue-demand signals exist only as derived ones; everything else can also be recorded."""
        return self.source_kind != SourceKind.OVERDUE_DEMAND


class Signal(models.Model):
    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="risk_signals",
                                   verbose_name=_("企业"))
    type = models.ForeignKey(SignalType, on_delete=models.PROTECT, related_name="signals", verbose_name=_("信号类型"))
    points = models.SmallIntegerField(_("分值"), validators=[MinValueValidator(-MAX_POINTS),
                                                              MaxValueValidator(MAX_POINTS)])
    observed_on = models.DateField(_("发现日期"))
    expires_on = models.DateField(_("失效日期"))
    evidence = models.TextField(_("依据"), blank=True, max_length=1000)
    source = models.CharField(_("来源"), max_length=16, choices=SignalSource.choices, default=SignalSource.MANUAL)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("记录人"))
    visit = models.ForeignKey("demands.Visit", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="risk_signals", verbose_name=_("来源走访"))
    demand = models.ForeignKey("demands.Demand", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="risk_signals", verbose_name=_("来源需求"))
    created = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff", "building_worker")

    class Meta:
        verbose_name = _("风险信号")
        verbose_name_plural = _("风险信号")
        ordering = ["-observed_on", "-pk"]
        indexes = [
            models.Index(fields=["enterprise", "expires_on"], name="risk_signal_ent_expires"),
            models.Index(fields=["expires_on"], name="risk_signal_expires"),
        ]
        constraints = [
            # A visit's finding becomes one signal per type, however often the hook runs.
            models.UniqueConstraint(fields=["visit", "type"], condition=models.Q(visit__isnull=False),
                                    name="risk_signal_once_per_visit"),
            models.CheckConstraint(condition=models.Q(expires_on__gt=models.F("observed_on")),
                                   name="risk_signal_expires_after_observed"),
        ]

    def __str__(self) -> str:
        return f"{self.type} · {self.enterprise}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return enterprise_scope_q(scope)

    def is_live(self, today: dt.date) -> bool:
        return self.observed_on <= today < self.expires_on


def validate_increasing(pairs: list[tuple[int, int]], *, complete: bool = True) -> None:
    """`pairs` = (level, min_score): each level at most once (all five when `complete`), and the lower bounds
    strictly increasing with the level."""
    levels = sorted(level for level, _score in pairs)
    if len(set(levels)) != len(levels) or not set(levels) <= set(RiskLevel.values):
        raise ValidationError({"level": _("每个等级(1 至 5)只能设一个下限分值。")})
    if complete and levels != list(RiskLevel.values):
        raise ValidationError({"level": _("须为等级 1 至 5 各设一个下限分值。")})
    ordered = sorted(pairs)
    for (low_level, low), (high_level, high) in zip(ordered, ordered[1:], strict=False):
        if high <= low:
            raise ValidationError({"min_score": _(
                "等级下限须严格递增:“%(high)s”的下限(%(high_score)d)必须大于“%(low)s”的下限(%(low_score)d)。") % {
                "high": RiskLevel(high_level).label, "high_score": high,
                "low": RiskLevel(low_level).label, "low_score": low}})


class LevelThreshold(models.Model):
    """A level's lower bound: a score of at least `min_score` reaches this level (the highest such level wins)."""

    level = models.PositiveSmallIntegerField(_("等级"), choices=RiskLevel.choices, unique=True)
    min_score = models.IntegerField(_("下限分值"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("等级阈值")
        verbose_name_plural = _("等级阈值")
        ordering = ["level"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} ≥ {self.min_score}"

    def clean(self) -> None:
        if self.level is None or self.min_score is None:
            return
        pairs = dict(LevelThreshold.objects.exclude(pk=self.pk).values_list("level", "min_score"))
        pairs[self.level] = self.min_score
        validate_increasing(list(pairs.items()), complete=False)


# Place-based roles: the follow-up goes to holders of the role on a place above the enterprise.
PLAYBOOK_ROLES = [(role.value, role.label) for role in (Role.DISTRICT_ADMIN, Role.STREET_STAFF, Role.BUILDING_WORKER,
                                                        Role.BUILDING_HEAD)]


class Playbook(models.Model):
    """What happens when an enterprise reaches a level: who follows up, and within how many working days."""

    level = models.PositiveSmallIntegerField(_("等级"), choices=RiskLevel.choices, unique=True)
    action = models.TextField(_("处置措施"), max_length=1000)
    action_en = models.TextField(_("处置措施(英文)"), max_length=1000, blank=True)
    role = models.CharField(_("责任角色"), max_length=32, default="street_staff",
                            choices=PLAYBOOK_ROLES)
    within_working_days = models.PositiveSmallIntegerField(_("时限(工作日)"),
                                                           validators=[MinValueValidator(1), MaxValueValidator(250)])
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("处置预案")
        verbose_name_plural = _("处置预案")
        ordering = ["-level"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.action_label[:30]}"

    @property
    def action_label(self) -> str:
        return localized(self.action, self.action_en)


class EnterpriseRiskQuerySet(ScopedQuerySet):
    def with_level(self) -> EnterpriseRiskQuerySet:
        return self.annotate(effective_level=models.functions.Coalesce("override_level", "computed_level"))


class EnterpriseRisk(models.Model):
    enterprise = models.OneToOneField("enterprises.Enterprise", on_delete=models.CASCADE, related_name="risk",
                                      verbose_name=_("企业"))
    score = models.IntegerField(_("风险分值"), default=0)
    computed_level = models.PositiveSmallIntegerField(_("计算等级"), choices=RiskLevel.choices,
                                                      default=RiskLevel.STABLE)
    override_level = models.PositiveSmallIntegerField(_("人工调整等级"), choices=RiskLevel.choices, null=True,
                                                      blank=True)
    override_reason = models.TextField(_("调整理由"), blank=True, max_length=1000)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", verbose_name=_("调整人"))
    overridden_at = models.DateTimeField(_("调整时间"), null=True, blank=True)
    updated = models.DateTimeField(_("更新时间"), default=timezone.now)

    objects = EnterpriseRiskQuerySet.as_manager()
    edit_roles = ("district_admin", "street_staff")

    class Meta:
        verbose_name = _("企业风险等级")
        verbose_name_plural = _("企业风险等级")
        ordering = ["-score", "enterprise_id"]
        indexes = [models.Index(fields=["computed_level"], name="risk_ent_level")]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.level_info['label']}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return enterprise_scope_q(scope)

    def get_absolute_url(self) -> str:
        return reverse("risk:enterprise", args=[self.enterprise_id])

    @property
    def level(self) -> int:
        return self.override_level or self.computed_level

    @property
    def level_info(self) -> dict:
        return RiskLevel.info(self.level)

    @property
    def is_overridden(self) -> bool:
        return self.override_level is not None


class LevelChange(models.Model):
    """The level history: every change of the computed level, every override and every override cleared."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="risk_changes",
                                   verbose_name=_("企业"))
    kind = models.CharField(_("类型"), max_length=16, choices=ChangeKind.choices, default=ChangeKind.COMPUTED)
    old_level = models.PositiveSmallIntegerField(_("原等级"), choices=RiskLevel.choices, null=True, blank=True)
    new_level = models.PositiveSmallIntegerField(_("新等级"), choices=RiskLevel.choices, null=True, blank=True)
    level = models.PositiveSmallIntegerField(_("生效等级"), choices=RiskLevel.choices,
                                             help_text=_("变更后实际采用的等级(人工调整优先)。"))
    score = models.IntegerField(_("分值"))
    reason = models.TextField(_("理由"), blank=True, max_length=1000)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                           related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), db_index=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("等级变更")
        verbose_name_plural = _("等级变更")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["enterprise", "at"], name="risk_change_ent_at")]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.old_level}→{self.new_level}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return enterprise_scope_q(scope)

    @property
    def level_info(self) -> dict:
        return RiskLevel.info(self.level)

    @property
    def old_info(self) -> dict:
        return RiskLevel.info(self.old_level)

    @property
    def new_info(self) -> dict:
        return RiskLevel.info(self.new_level)


class FollowUp(DepartmentWork, models.Model):
    """A follow-up task created by a level rise, following the level's playbook."""

    enterprise = models.ForeignKey("enterprises.Enterprise", on_delete=models.CASCADE, related_name="risk_follow_ups",
                                   verbose_name=_("企业"))
    level = models.PositiveSmallIntegerField(_("等级"), choices=RiskLevel.choices)
    playbook = models.ForeignKey(Playbook, null=True, blank=True, on_delete=models.SET_NULL, related_name="follow_ups",
                                 verbose_name=_("处置预案"))
    action = models.TextField(_("处置措施"), blank=True)
    action_en = models.TextField(_("处置措施(英文)"), blank=True)  # copied from the playbook with `action`
    due_date = models.DateField(_("完成期限"), null=True, blank=True, db_index=True,
                                help_text=_("按法定工作日计算。"))
    due_provisional = models.BooleanField(_("期限暂定"), default=False,
                                          help_text=_("期限落在尚无正式节假日安排的年份,按法定节日推算;正式安排发布后重算。"))
    status = models.CharField(_("状态"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN,
                              db_index=True)
    outcome = models.TextField(_("跟进结果"), blank=True, max_length=2000)
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="risk_follow_ups",
                                       verbose_name=_("责任人"))
    created = models.DateTimeField(_("创建时间"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("完成人"))
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff", "building_worker")

    class Meta:
        verbose_name = _("风险跟进")
        verbose_name_plural = _("风险跟进")
        ordering = ["status", "due_date", "-level", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "level"], condition=models.Q(status="open"),
                                    name="risk_followup_one_open_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_level_display()}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        # A department user: the follow-ups handed to their department (issue 19), nothing else of the district.
        return enterprise_scope_q(scope) | department_work_q(scope) if scope.department_ids \
            else enterprise_scope_q(scope)

    def get_absolute_url(self) -> str:
        return reverse("risk:enterprise", args=[self.enterprise_id]) + "#follow-ups"

    @property
    def action_label(self) -> str:
        """The playbook's action as copied when the follow-up was made, in the active language."""
        return localized(self.action, self.action_en)

    @property
    def level_info(self) -> dict:
        return RiskLevel.info(self.level)

    def is_overdue(self, today: dt.date) -> bool:
        return self.status == FollowUpStatus.OPEN and self.due_date is not None and self.due_date < today
