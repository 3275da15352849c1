"""The application pipeline's steps and rules, declared as data.

Each `StepRule` says in which stages a step may be recorded, which steps must come before it, the
stage it leads to, and a tuple of checks. Checks are small parametrized objects (`MinAge(18)`,
`NotLaterThan("apply", months=1)`, ...): a new local rule is a new entry here, not new code.
`record_step` is the one service that UI, API and import call; it refuses an out-of-order or too-early
step with a message naming the rule, and writes everything in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .identity import APPLICANT_IS_MEMBER, APPLICATION_IN_PROGRESS, check_id_number
from .models import Application, ApplicationStep, Member, MemberStatus, Stage


@dataclass
class StepInput:
    """What a user submits for one step."""

    code: str
    date: dt.date
    note: str = ""
    reference: str = ""
    people: str = ""
    introducers: Sequence[Member] = ()
    training_days: int | None = None
    training_hours: int | None = None
    extension_months: int | None = None


@dataclass
class Context:
    application: Application
    step: StepInput
    done: dict[str, ApplicationStep]  # recorded steps by code (latest of each)

    def date_of(self, code: str) -> dt.date | None:
        recorded = self.done.get(code)
        return recorded.date if recorded else None


# --- checks -------------------------------------------------------------------------------------------
class Check:
    def error(self, ctx: Context) -> str | None:  # pragma: no cover - interface
        raise NotImplementedError

    def earliest(self, ctx: Context) -> dt.date | None:
        """The first date on which the step can pass this check (for the due-list)."""
        return None

    def deadline(self, ctx: Context) -> dt.date | None:
        """The last date on which the step passes this check (overdue after it)."""
        return None


@dataclass(frozen=True)
class MinAge(Check):
    years: int

    def earliest(self, ctx):
        return ctx.application.birth_date + relativedelta(years=self.years)

    def error(self, ctx):
        if ctx.step.date < self.earliest(ctx):
            return _("申请人须年满%(years)d周岁(%(date)s 起)。") % {"years": self.years, "date": self.earliest(ctx)}
        return None


@dataclass(frozen=True)
class NotLaterThan(Check):
    """The step must happen within a period after another step (e.g. the talk within one month)."""

    after: str
    months: int = 0
    days: int = 0

    def deadline(self, ctx):
        start = ctx.date_of(self.after)
        return start + relativedelta(months=self.months, days=self.days) if start else None

    def error(self, ctx):
        limit = self.deadline(ctx)
        # A late step can still be recorded, but only with the reason for the delay in its note.
        if limit and ctx.step.date > limit and not ctx.step.note.strip():
            return _("应在“%(step)s”后 %(period)s 内完成(最迟 %(date)s);逾期办理须在说明中写明原因。") % {
                "step": STEPS[self.after].label, "period": _period(self.months, self.days), "date": limit}
        return None


@dataclass(frozen=True)
class NotEarlierThan(Check):
    """The step may only happen a period after another step (e.g. one year of cultivation)."""

    after: str
    years: int = 0
    months: int = 0

    def earliest(self, ctx):
        start = ctx.date_of(self.after)
        return start + relativedelta(years=self.years, months=self.months) if start else None

    def error(self, ctx):
        first = self.earliest(ctx)
        if first and ctx.step.date < first:
            return _("须在“%(step)s”满 %(period)s 后进行(最早 %(date)s)。") % {
                "step": STEPS[self.after].label, "period": _period(self.months + 12 * self.years, 0), "date": first}
        return None


@dataclass(frozen=True)
class ProbationServed(Check):
    """Probation lasts one year from admission, plus any recorded extension."""

    admitted: str = "admit"
    extension: str = "extend"
    years: int = 1

    def earliest(self, ctx):
        start = ctx.date_of(self.admitted)
        if not start:
            return None
        extended = ctx.done.get(self.extension)
        months = extended.extension_months if extended else 0
        return start + relativedelta(years=self.years, months=months or 0)

    def error(self, ctx):
        first = self.earliest(ctx)
        if first and ctx.step.date < first:
            return _("预备期未满,最早于 %(date)s 转正。") % {"date": first}
        return None

    def deadline(self, ctx):
        return self.earliest(ctx)


@dataclass(frozen=True)
class Required(Check):
    field: str
    label: str

    def error(self, ctx):
        if not getattr(ctx.step, self.field):
            return _("须填写“%(label)s”。") % {"label": self.label}
        return None


@dataclass(frozen=True)
class Introducers(Check):
    count: int = 2

    def error(self, ctx):
        people = list(ctx.step.introducers)
        if len({m.pk for m in people}) < self.count:
            return _("须有 %(n)d 名入党介绍人。") % {"n": self.count}
        for m in people:
            if m.status != MemberStatus.FULL or (m.full_date and m.full_date > ctx.step.date) or m.left_on:
                return _("入党介绍人“%(name)s”须为正式党员。") % {"name": m.name}
        return None


@dataclass(frozen=True)
class Training(Check):
    min_days: int = 3
    min_hours: int = 24

    def error(self, ctx):
        if (ctx.step.training_days or 0) < self.min_days and (ctx.step.training_hours or 0) < self.min_hours:
            return _("集中培训不少于 %(days)d 天或 %(hours)d 学时。") % {"days": self.min_days, "hours": self.min_hours}
        return None


@dataclass(frozen=True)
class ExtensionMonths(Check):
    minimum: int = 6
    maximum: int = 12

    def error(self, ctx):
        months = ctx.step.extension_months or 0
        if not self.minimum <= months <= self.maximum:
            return _("预备期延长应为 %(a)d 至 %(b)d 个月。") % {"a": self.minimum, "b": self.maximum}
        return None


def _period(months: int, days: int) -> str:
    if months and months % 12 == 0:
        return str(_("%(n)d 年") % {"n": months // 12})
    if months:
        return str(_("%(n)d 个月") % {"n": months})
    return str(_("%(n)d 天") % {"n": days})


# --- the steps ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StepRule:
    code: str
    label: str
    stages: tuple[str, ...]  # stages in which the step may be recorded
    leads_to: str | None = None
    requires: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()
    once: bool = True
    fields: tuple[str, ...] = ()  # extra StepInput fields the form shows
    due: bool = True  # shown on the due-list when it is the next step


STEP_LIST: tuple[StepRule, ...] = (
    StepRule("apply", _("递交入党申请书"), (Stage.APPLICANT,), checks=(MinAge(18),), due=False),
    StepRule("talk", _("党组织派人谈话"), (Stage.APPLICANT,), requires=("apply",),
             checks=(NotLaterThan("apply", months=1), Required("people", _("谈话人"))), fields=("people",)),
    StepRule("activist", _("确定为入党积极分子"), (Stage.APPLICANT,), leads_to=Stage.ACTIVIST, requires=("talk",),
             fields=("people",)),
    StepRule("target", _("列为发展对象(报上级党委备案)"), (Stage.ACTIVIST,), leads_to=Stage.TARGET,
             requires=("activist",),
             checks=(NotEarlierThan("activist", years=1), Required("reference", _("备案文号"))),
             fields=("reference",)),
    StepRule("introducers", _("确定入党介绍人"), (Stage.TARGET,), requires=("target",),
             checks=(Introducers(2),), fields=("introducers",)),
    StepRule("training", _("短期集中培训"), (Stage.TARGET,), requires=("target",),
             checks=(Training(3, 24),), fields=("training_days", "training_hours")),
    StepRule("admit", _("支部大会讨论接收为预备党员"), (Stage.TARGET,), leads_to=Stage.PROBATIONARY,
             requires=("introducers", "training"), checks=(Required("reference", _("支部大会决议")),),
             fields=("reference",)),
    StepRule("approve", _("上级党委审批"), (Stage.PROBATIONARY,), requires=("admit",),
             checks=(NotLaterThan("admit", months=3), Required("reference", _("审批文号"))), fields=("reference",)),
    StepRule("extend", _("延长预备期"), (Stage.PROBATIONARY,), requires=("approve",),
             checks=(ExtensionMonths(6, 12), Required("reference", _("支部大会决议"))),
             fields=("extension_months", "reference"), due=False),
    StepRule("full", _("按期转为正式党员"), (Stage.PROBATIONARY,), leads_to=Stage.FULL, requires=("approve",),
             checks=(ProbationServed(), Required("reference", _("转正决议"))), fields=("reference",)),
    StepRule("close", _("终止发展"), (Stage.APPLICANT, Stage.ACTIVIST, Stage.TARGET), leads_to=Stage.CLOSED,
             checks=(Required("note", _("原因")),), fields=("note",), due=False),
)
STEPS: dict[str, StepRule] = {rule.code: rule for rule in STEP_LIST}


# --- the service ---------------------------------------------------------------------------------------
def _context(application: Application, step: StepInput) -> Context:
    done = {s.code: s for s in application.steps.order_by("date", "pk")}
    return Context(application, step, done)


def problems(application: Application, step: StepInput) -> list[str]:
    """Every reason the step cannot be recorded now (empty when it can)."""
    rule = STEPS.get(step.code)
    if rule is None:
        return [str(_("未知的步骤“%(code)s”。") % {"code": step.code})]
    ctx = _context(application, step)
    errors: list[str] = []
    if application.stage not in rule.stages:
        errors.append(str(_("“%(step)s”不能在“%(stage)s”阶段进行。") % {
            "step": rule.label, "stage": application.get_stage_display()}))
    missing = [STEPS[code].label for code in rule.requires if code not in ctx.done]
    if missing:
        errors.append(str(_("须先完成:%(steps)s。") % {"steps": "、".join(str(m) for m in missing)}))
    if rule.once and step.code in ctx.done:
        errors.append(str(_("“%(step)s”已记录过。") % {"step": rule.label}))
    last = max((s.date for s in ctx.done.values()), default=None)
    if last and step.date < last:
        errors.append(str(_("日期不能早于上一步骤(%(date)s)。") % {"date": last}))
    if step.date > timezone.localdate():
        errors.append(str(_("日期不能晚于今天。")))
    if not errors:
        errors += [str(e) for e in (check.error(ctx) for check in rule.checks) if e]
    return errors


@transaction.atomic
def record_step(application: Application, step: StepInput, *, user=None) -> ApplicationStep:
    application = Application.objects.select_for_update().get(pk=application.pk)
    errors = problems(application, step)
    if errors:
        raise ValidationError(errors)
    rule = STEPS[step.code]
    recorded = ApplicationStep.objects.create(
        application=application, code=step.code, date=step.date, note=step.note, reference=step.reference,
        people=step.people, training_days=step.training_days, training_hours=step.training_hours,
        extension_months=step.extension_months, recorded_by=user)
    if step.introducers:
        recorded.introducers.set(step.introducers)
    if rule.leads_to:
        application.stage = rule.leads_to
    if step.code == "admit":
        application.member = _admit_member(application, step.date, user=user)
    elif step.code == "full":
        member = application.member
        member.status, member.full_date = MemberStatus.FULL, step.date
        member.save()
    if user is not None:
        application._history_user = user
    application.save()
    return recorded


def _admit_member(application: Application, date: dt.date, *, user=None) -> Member:
    """Admission creates the member record (probationary) in the branch that cultivated the applicant."""
    check_id_number(application.id_number, user, member_message=_("该身份证号码的党员已在册。"), field=None)
    member = Member(name=application.name, gender=application.gender, birth_date=application.birth_date,
                    id_number=application.id_number, phone=application.phone, join_date=date,
                    status=MemberStatus.PROBATIONARY, organization=application.organization,
                    employer=application.employer)
    member.full_clean()
    member.save()
    return member


def create_application(*, user=None, applied_on: dt.date, **fields) -> Application:
    """A new application with its first step ('apply'), refused whole if the applicant is under age."""
    with transaction.atomic():
        application = Application(stage=Stage.APPLICANT, **fields)
        # The specific messages first, before the generic constraint check of full_clean(); specific only
        # about records the user may see (members/identity.py).
        check_id_number(application.id_number, user, member_message=APPLICANT_IS_MEMBER,
                        application_message=APPLICATION_IN_PROGRESS)
        application.full_clean()
        application.save()
        record_step(application, StepInput("apply", applied_on), user=user)
    application.refresh_from_db()
    return application


# --- the due-list ---------------------------------------------------------------------------------------
@dataclass
class Due:
    application: Application
    rule: StepRule
    earliest: dt.date | None
    deadline: dt.date | None
    blocked_by: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline < timezone.localdate()

    @property
    def ready(self) -> bool:
        today = timezone.localdate()
        return not self.blocked_by and (self.earliest is None or self.earliest <= today)


def next_steps(application: Application) -> list[Due]:
    """The steps that come next for one application, with when they are possible and when overdue."""
    if application.stage in (Stage.FULL, Stage.CLOSED):
        return []
    done = {s.code: s for s in application.steps.all()}
    result = []
    for rule in STEP_LIST:
        if not rule.due or application.stage not in rule.stages or (rule.once and rule.code in done):
            continue
        ctx = Context(application, StepInput(rule.code, timezone.localdate()), done)
        blocked = [str(STEPS[c].label) for c in rule.requires if c not in done]
        earliest = max((d for d in (c.earliest(ctx) for c in rule.checks) if d), default=None)
        deadline = min((d for d in (c.deadline(ctx) for c in rule.checks) if d), default=None)
        result.append(Due(application, rule, earliest, deadline, blocked))
    return result


def due_list(applications) -> list[Due]:
    """Per application, the next steps that are not blocked; overdue first, then by earliest date."""
    rows = []
    for application in applications.prefetch_related("steps").select_related("organization"):
        rows += [d for d in next_steps(application) if not d.blocked_by]
    far = dt.date.max
    return sorted(rows, key=lambda d: (not d.overdue, d.deadline or far, d.earliest or dt.date.min))
