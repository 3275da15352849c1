"""The application pipeline's steps and rules, declared as data.

Each `StepRule` says in which stages a step may be recorded, which steps must come before it, the
stage it leads to, and a tuple of checks. Checks are small parametrized objects (`MinAge(18)`,
`NotLaterThan("apply", months=1)`, ...): a new local rule is a new entry here, not new code.
`record_step` is the one service that UI, API and import call; it refuses an out-of-order or too-early
step with a message naming the rule and its article of the 2014 细则 (《中国共产党发展党员工作细则》), keyed by
the input field at fault, and writes everything in one transaction. Decisions 006 and 037.
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

from jiceng.holidays.calendar import WorkCalendar

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
    contacts: Sequence[Member] = ()
    training_days: int | None = None
    training_hours: int | None = None
    extension_months: int | None = None
    ends_on: dt.date | None = None  # the last day of a public notice (公示); the step's date is its first


@dataclass
class Context:
    application: Application
    step: StepInput
    history: list[ApplicationStep]  # every recorded step, in order
    done: dict[str, ApplicationStep]  # recorded steps by code (latest of each; see `build_context`)
    _calendar: WorkCalendar | None = None

    def date_of(self, code: str) -> dt.date | None:
        recorded = self.done.get(code)
        return recorded.date if recorded else None

    def dates_of(self, code: str) -> list[dt.date]:
        return [s.date for s in self.history if s.code == code]

    @property
    def calendar(self) -> WorkCalendar:
        # One calendar per evaluation: it caches each year's table, so a period over New Year costs two lookups.
        if self._calendar is None:
            self._calendar = WorkCalendar()
        return self._calendar


def build_context(application: Application, step: StepInput, steps: Sequence[ApplicationStep]) -> Context:
    """The recorded steps as the rules see them.

    A step marked `per_stage` (the public notice, the request for full membership) belongs to the stretch of the
    procedure in which it was recorded: it is held once before admission and again before full membership, and
    again after a probation is extended. So a per-stage step recorded before the step that opened the current
    stretch (the step that led to the current stage, or a later `restarts` step such as an extension) does not
    count as done.
    """
    history = sorted(steps, key=lambda s: (s.date, s.pk or 0))
    opened = 0
    for index, recorded in enumerate(history):
        rule = STEPS.get(recorded.code)
        if rule and (rule.leads_to == application.stage or rule.restarts):
            opened = index
    done: dict[str, ApplicationStep] = {}
    for index, recorded in enumerate(history):
        rule = STEPS.get(recorded.code)
        if rule and rule.per_stage and index < opened:
            continue
        done[recorded.code] = recorded
    return Context(application, step, history, done)


# --- checks -------------------------------------------------------------------------------------------
class Check:
    key = "code"  # the input field an error is reported on (the API answers 400 {field: [message]})
    source = None  # where the rule comes from, when it is not the step's own article

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
    key = "date"

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
    key = "note"

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
    key = "date"

    def earliest(self, ctx):
        start = ctx.date_of(self.after)
        return start + relativedelta(years=self.years, months=self.months) if start else None

    def error(self, ctx):
        first = self.earliest(ctx)
        if first and ctx.step.date < first:
            return _("须在“%(step)s”满 %(period)s 后进行(最早 %(date)s)。") % {
                "step": STEPS[self.after].label, "period": _period(self.months + 12 * self.years, 0), "date": first}
        return None


def probation_end(ctx: Context, admitted: str = "admit", extension: str = "extend", years: int = 1) -> dt.date | None:
    """The day the probation is served: one year from the branch meeting's admission, plus a recorded extension
    (党章第七条: 预备期从支部大会通过之日算起, 党龄从预备期满转为正式党员之日算起)."""
    start = ctx.date_of(admitted)
    if not start:
        return None
    extended = ctx.done.get(extension)
    months = extended.extension_months if extended else 0
    return start + relativedelta(years=years, months=months or 0)


@dataclass(frozen=True)
class ProbationServed(Check):
    """Probation lasts one year from admission, plus any recorded extension."""

    admitted: str = "admit"
    extension: str = "extend"
    years: int = 1
    key = "date"

    def earliest(self, ctx):
        return probation_end(ctx, self.admitted, self.extension, self.years)

    def error(self, ctx):
        first = self.earliest(ctx)
        if first and ctx.step.date < first:
            return _("预备期未满,最早于 %(date)s 转正。") % {"date": first}
        return None

    def deadline(self, ctx):
        return self.earliest(ctx)


@dataclass(frozen=True)
class RemindBeforeProbationEnds(Check):
    """No refusal, only the due-list: the request for full membership is expected when the probation is about to
    end (细则第三十一条: 预备期满时提出书面转正申请), so it is listed from `months` before."""

    months: int = 1

    def earliest(self, ctx):
        end = probation_end(ctx)
        return end - relativedelta(months=self.months) if end else None

    def error(self, ctx):
        return None


@dataclass(frozen=True)
class ApprovedAfterProbation(Check):
    """The higher committee decides on full membership within a period after the probation ends, as it decides on
    admission within three months of the branch meeting; a late decision is recorded with its reason."""

    months: int = 3
    key = "note"

    def deadline(self, ctx):
        end = probation_end(ctx)
        return end + relativedelta(months=self.months) if end else None

    def error(self, ctx):
        limit = self.deadline(ctx)
        if limit and ctx.step.date > limit and not ctx.step.note.strip():
            return _("应在预备期满(%(end)s)后 %(period)s 内审批(最迟 %(date)s);逾期办理须在说明中写明原因。") % {
                "end": probation_end(ctx), "period": _period(self.months, 0), "date": limit}
        return None


@dataclass(frozen=True)
class Required(Check):
    field: str
    label: str

    @property
    def key(self) -> str:
        return self.field

    def error(self, ctx):
        if not getattr(ctx.step, self.field):
            return _("须填写“%(label)s”。") % {"label": self.label}
        return None


def _full_member_problem(people: Sequence[Member], on: dt.date, count: int, none_message, member_message):
    if len({m.pk for m in people}) < count:
        return none_message % {"n": count}
    for m in people:
        if m.status != MemberStatus.FULL or (m.full_date and m.full_date > on) or m.left_on:
            return member_message % {"name": m.name}
    return None


@dataclass(frozen=True)
class Introducers(Check):
    count: int = 2
    key = "introducers"

    def error(self, ctx):
        return _full_member_problem(ctx.step.introducers, ctx.step.date, self.count,
                                    _("须有 %(n)d 名入党介绍人。"), _("入党介绍人“%(name)s”须为正式党员。"))


@dataclass(frozen=True)
class Contacts(Check):
    """培养联系人: the 细则 (第九条) has the organization name one or two full members; this platform asks for two,
    so that the assessment does not rest on one person's view (a parameter: Contacts(1) for the minimum)."""

    count: int = 2
    key = "contacts"

    def error(self, ctx):
        return _full_member_problem(ctx.step.contacts, ctx.step.date, self.count,
                                    _("须指定 %(n)d 名培养联系人。"), _("培养联系人“%(name)s”须为正式党员。"))


@dataclass(frozen=True)
class Training(Check):
    min_days: int = 3
    min_hours: int = 24
    key = "training_days"

    def error(self, ctx):
        if (ctx.step.training_days or 0) < self.min_days and (ctx.step.training_hours or 0) < self.min_hours:
            return _("集中培训不少于 %(days)d 天或 %(hours)d 学时。") % {"days": self.min_days, "hours": self.min_hours}
        return None


@dataclass(frozen=True)
class ExtensionMonths(Check):
    minimum: int = 6
    maximum: int = 12
    key = "extension_months"

    def error(self, ctx):
        months = ctx.step.extension_months or 0
        if not self.minimum <= months <= self.maximum:
            return _("预备期延长应为 %(a)d 至 %(b)d 个月。") % {"a": self.minimum, "b": self.maximum}
        return None


def _assessment_due(ctx: Context, since: str, code: str, months: int, before: dt.date) -> dt.date | None:
    """The last day for the next half-yearly assessment: `months` after the latest one (or after `since`)."""
    start = ctx.date_of(since)
    if not start:
        return None
    previous = [d for d in ctx.dates_of(code) if start <= d <= before]
    return max([start, *previous]) + relativedelta(months=months)


@dataclass(frozen=True)
class EveryMonths(Check):
    """A repeated step (the half-yearly assessment) is due `months` after its previous occurrence, or after the
    step that started the series; a late one is recorded with its reason, like any late step."""

    since: str
    months: int = 6
    key = "note"

    def deadline(self, ctx):
        return _assessment_due(ctx, self.since, ctx.step.code, self.months, ctx.step.date)

    def error(self, ctx):
        limit = self.deadline(ctx)
        if limit and ctx.step.date > limit and not ctx.step.note.strip():
            return _("应在上次考察(或“%(step)s”)后 %(period)s 内进行(最迟 %(date)s);逾期办理须在说明中写明原因。") % {
                "step": STEPS[self.since].label, "period": _period(self.months, 0), "date": limit}
        return None


@dataclass(frozen=True)
class AssessedEvery(Check):
    """No half-year without an assessment between `since` and this step (细则第十一条: 党支部每半年对入党积极分子
    进行一次考察; the platform keeps the same rhythm for development targets until admission).

    "Half a year" is six calendar months (relativedelta), like every other period here: from 20 March the next
    assessment is due by 20 September; from 31 August by the end of February. See decision 037.
    """

    since: str = "activist"
    code: str = "assessment"
    months: int = 6
    source = _("《细则》第十一条")

    def error(self, ctx):
        start = ctx.date_of(self.since)
        if not start:
            return None
        previous = start
        for recorded in ctx.history:
            if recorded.code != self.code or recorded.date < start:
                continue
            limit = previous + relativedelta(months=self.months)
            # A late assessment recorded with its reason counts; one recorded late without a reason (imported
            # data) leaves the half-year uncovered.
            if recorded.date > limit and not recorded.note.strip():
                return self._missing(previous, limit)
            previous = recorded.date
        limit = previous + relativedelta(months=self.months)
        if ctx.step.date > limit:
            return self._missing(previous, limit)
        return None

    def _missing(self, previous: dt.date, limit: dt.date) -> str:
        return _("缺少半年考察:党支部每半年进行一次考察,%(start)s 之后的一次最迟应在 %(date)s 进行;"
                 "请先补记该次考察(逾期的写明原因)。") % {"start": previous, "date": limit}


@dataclass(frozen=True)
class Publicity(Check):
    """A public notice (公示) of at least `working_days` working days, counted on the official calendar
    (holidays app: published notices, the package, or the provisional calendar), its first day included when it
    is a working day. The step's date is the first day, `ends_on` the last. See decision 037."""

    working_days: int = 5
    key = "ends_on"

    def minimum_end(self, ctx: Context, start: dt.date) -> dt.date:
        # The day the notice has run `working_days` working days, counting `start` itself.
        return ctx.calendar.add_working_days(start - dt.timedelta(days=1), self.working_days)

    def error(self, ctx):
        start, end = ctx.step.date, ctx.step.ends_on
        if end is None:
            return None  # Required("ends_on") says so
        if end < start:
            return _("公示截止日期不能早于公示开始日期(%(date)s)。") % {"date": start}
        first_possible = self.minimum_end(ctx, start)
        if end < first_possible:
            counted = ctx.calendar.working_days_between(start - dt.timedelta(days=1), end)
            return _("公示期不少于 %(n)d 个工作日:自 %(start)s 起公示,截止日期最早为 %(min)s;"
                     "截至 %(end)s 只有 %(count)d 个工作日。") % {
                "n": self.working_days, "start": start, "min": first_possible, "end": end, "count": counted}
        return None


@dataclass(frozen=True)
class PublicityEnded(Check):
    """The step that follows a public notice waits until the notice has run its course."""

    code: str = "publicity"
    key = "date"

    def earliest(self, ctx):
        notice = ctx.done.get(self.code)
        return notice.ends_on + dt.timedelta(days=1) if notice and notice.ends_on else None

    def error(self, ctx):
        first = self.earliest(ctx)
        if first and ctx.step.date < first:
            return _("公示期至 %(end)s 届满,期满后方可进行(最早 %(date)s)。") % {
                "end": first - dt.timedelta(days=1), "date": first}
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
    source: str = ""  # the article of the 2014 细则 (or the local rule) the step comes from
    per_stage: bool = False  # held again in a later stretch of the procedure (see build_context)
    restarts: bool = False  # opens a new stretch: per-stage steps recorded before it are due again


ARTICLE = _("《细则》%(article)s")  # 《中国共产党发展党员工作细则》(中办发〔2014〕, in force since 10 June 2014)
LOCAL_RULE = _("各地发展党员工作实施办法")  # the notice period is set locally, not by the 细则
PUBLICITY_WORKING_DAYS = 5  # 公示期: the usual local rule; one number for both notices


def _publicity(stage: str, requires: tuple[str, ...]) -> StepRule:
    return StepRule("publicity", _("公示"), (stage,), requires=requires,
                    checks=(Required("ends_on", _("公示截止日期")), Publicity(PUBLICITY_WORKING_DAYS)),
                    fields=("ends_on", "reference"), source=LOCAL_RULE, per_stage=True)


# In the order of the 细则. The same code may appear once per stage (the public notice before admission and before
# full membership); `rule_for` picks the one for the application's stage.
STEP_LIST: tuple[StepRule, ...] = (
    # Chapter 2: applicants and activists.
    StepRule("apply", _("递交入党申请书"), (Stage.APPLICANT,), checks=(MinAge(18),), due=False,
             source=_("第五条、第六条")),
    StepRule("talk", _("党组织派人谈话"), (Stage.APPLICANT,), requires=("apply",),
             checks=(NotLaterThan("apply", months=1), Required("people", _("谈话人"))), fields=("people",),
             source=_("第七条")),
    StepRule("activist", _("确定为入党积极分子"), (Stage.APPLICANT,), leads_to=Stage.ACTIVIST, requires=("talk",),
             fields=("people",), source=_("第八条")),
    StepRule("contacts", _("指定培养联系人"), (Stage.ACTIVIST,), requires=("activist",), checks=(Contacts(2),),
             fields=("contacts",), source=_("第九条")),
    StepRule("assessment", _("党支部考察(每半年)"), (Stage.ACTIVIST, Stage.TARGET), requires=("activist",),
             checks=(EveryMonths("activist", months=6), Required("reference", _("考察记录"))),
             fields=("reference", "people"), once=False, source=_("第十一条")),
    # Chapter 3: development targets.
    StepRule("target", _("列为发展对象(报上级党委备案)"), (Stage.ACTIVIST,), leads_to=Stage.TARGET,
             requires=("contacts", "assessment"),
             checks=(NotEarlierThan("activist", years=1), AssessedEvery(), Required("reference", _("备案文号"))),
             fields=("reference",), source=_("第十三条")),
    StepRule("introducers", _("确定入党介绍人"), (Stage.TARGET,), requires=("target",),
             checks=(Introducers(2),), fields=("introducers",), source=_("第十四条")),
    StepRule("political_review", _("政治审查"), (Stage.TARGET,), requires=("target",),
             checks=(Required("reference", _("政审结论材料")),), fields=("reference",), source=_("第十六条")),
    StepRule("training", _("短期集中培训"), (Stage.TARGET,), requires=("target",),
             checks=(Training(3, 24),), fields=("training_days", "training_hours"), source=_("第十七条")),
    # Chapter 4: admission.
    _publicity(Stage.TARGET, ("introducers", "political_review", "training")),
    StepRule("pre_review", _("基层党委预审"), (Stage.TARGET,), requires=("publicity",),
             checks=(PublicityEnded(), AssessedEvery(), Required("reference", _("预审意见"))),
             fields=("reference",), source=_("第十九条")),
    StepRule("volunteer_form", _("填写入党志愿书"), (Stage.TARGET,), requires=("pre_review",),
             fields=("reference",), source=_("第二十条")),
    StepRule("admit", _("支部大会讨论接收为预备党员"), (Stage.TARGET,), leads_to=Stage.PROBATIONARY,
             requires=("volunteer_form",), checks=(AssessedEvery(), Required("reference", _("支部大会决议"))),
             fields=("reference",), source=_("第二十一条、第二十二条")),
    StepRule("superior_talk", _("上级党委派人谈话"), (Stage.PROBATIONARY,), requires=("admit",),
             checks=(Required("people", _("谈话人")),), fields=("people",), source=_("第二十三条")),
    StepRule("approve", _("上级党委审批"), (Stage.PROBATIONARY,), requires=("superior_talk",),
             checks=(NotLaterThan("admit", months=3), Required("reference", _("审批文号"))), fields=("reference",),
             source=_("第二十四条、第二十五条")),
    # Chapter 5: probation and full membership.
    StepRule("oath", _("入党宣誓"), (Stage.PROBATIONARY,), requires=("approve",), source=_("第二十九条")),
    StepRule("extend", _("延长预备期"), (Stage.PROBATIONARY,), requires=("approve",),
             checks=(ExtensionMonths(6, 12), Required("reference", _("支部大会决议"))),
             fields=("extension_months", "reference"), due=False, source=_("第三十一条"), restarts=True),
    StepRule("full_application", _("提出转正申请"), (Stage.PROBATIONARY,), requires=("oath",),
             checks=(RemindBeforeProbationEnds(months=1),), source=_("第三十一条"), per_stage=True),
    _publicity(Stage.PROBATIONARY, ("full_application",)),
    StepRule("full_meeting", _("支部大会讨论转正"), (Stage.PROBATIONARY,), requires=("publicity",),
             checks=(ProbationServed(), PublicityEnded(), Required("reference", _("支部大会决议"))),
             fields=("reference",), source=_("第三十一条")),
    StepRule("full", _("上级党委审批转正"), (Stage.PROBATIONARY,), leads_to=Stage.FULL, requires=("full_meeting",),
             checks=(ApprovedAfterProbation(months=3), Required("reference", _("审批文号"))), fields=("reference",),
             source=_("第三十二条")),
    StepRule("cancel_probation", _("取消预备党员资格"), (Stage.PROBATIONARY,), leads_to=Stage.CLOSED,
             requires=("admit",), checks=(Required("reference", _("决定文号")), Required("note", _("原因"))),
             fields=("reference", "note"), due=False, source=_("第三十一条")),
    StepRule("close", _("终止发展"), (Stage.APPLICANT, Stage.ACTIVIST, Stage.TARGET), leads_to=Stage.CLOSED,
             checks=(Required("note", _("原因")),), fields=("note",), due=False),
)
# By code, the first rule of each code (labels, form fields); `rule_for` for the rule of a stage.
STEPS: dict[str, StepRule] = {}
for _rule in STEP_LIST:
    STEPS.setdefault(_rule.code, _rule)
del _rule


def rule_for(code: str, stage: str) -> StepRule | None:
    """The rule for recording `code` in `stage`, or the code's first rule when the stage allows none."""
    for rule in STEP_LIST:
        if rule.code == code and stage in rule.stages:
            return rule
    return STEPS.get(code)


def stage_rules(stage: str) -> list[StepRule]:
    """The rules that can be recorded in `stage`, in the order of the 细则."""
    return [rule for rule in STEP_LIST if stage in rule.stages]


def step_source(rule: StepRule, check: Check | None = None) -> str:
    """The citation for a rule: the check's own source, or the article its step comes from."""
    if check is not None and check.source:
        return str(check.source)
    if not rule.source:
        return ""
    if rule.source is LOCAL_RULE:
        return str(LOCAL_RULE)
    return str(ARTICLE % {"article": rule.source})


def _cite(message, source: str) -> str:
    return str(_("%(message)s(依据:%(source)s)") % {"message": message, "source": source}) if source else str(message)


# --- the service ---------------------------------------------------------------------------------------
def _context(application: Application, step: StepInput) -> Context:
    return build_context(application, step, list(application.steps.all()))


def _problems(ctx: Context) -> dict[str, list[str]]:
    step, application = ctx.step, ctx.application
    rule = rule_for(step.code, application.stage)
    errors: dict[str, list[str]] = {}

    def add(field_name: str, message) -> None:
        errors.setdefault(field_name, []).append(str(message))

    if rule is None:
        add("code", _("未知的步骤“%(code)s”。") % {"code": step.code})
        return errors
    source = step_source(rule)
    if application.stage not in rule.stages:
        add("code", _cite(_("“%(step)s”不能在“%(stage)s”阶段进行。") % {
            "step": rule.label, "stage": application.get_stage_display()}, source))
    else:
        missing = [code for code in rule.requires if code not in ctx.done]
        if missing:
            add("code", _cite(_("“%(step)s”须先完成:%(steps)s。") % {
                "step": rule.label, "steps": "、".join(str(STEPS[c].label) for c in missing)}, source))
    if rule.once and step.code in ctx.done:
        add("code", _("“%(step)s”已记录过。") % {"step": rule.label})
    last = max((s.date for s in ctx.history), default=None)
    if last and step.date < last:
        add("date", _("日期不能早于上一步骤(%(date)s)。") % {"date": last})
    if step.date > timezone.localdate():
        add("date", _("日期不能晚于今天。"))
    if not errors:
        for check in rule.checks:
            message = check.error(ctx)
            if message:
                add(check.key, _cite(message, step_source(rule, check)))
    return errors


def field_problems(application: Application, step: StepInput) -> dict[str, list[str]]:
    """Every reason the step cannot be recorded now, by input field (empty when it can)."""
    return _problems(_context(application, step))


def problems(application: Application, step: StepInput) -> list[str]:
    """Every reason the step cannot be recorded now (empty when it can)."""
    return [message for messages in field_problems(application, step).values() for message in messages]


@transaction.atomic
def record_step(application: Application, step: StepInput, *, user=None) -> ApplicationStep:
    """Record one step, or refuse it whole (ValidationError keyed by input field, nothing saved)."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    ctx = _context(application, step)
    errors = _problems(ctx)
    if errors:
        raise ValidationError(errors)
    rule = rule_for(step.code, application.stage)
    recorded = ApplicationStep.objects.create(
        application=application, code=step.code, date=step.date, note=step.note, reference=step.reference,
        people=step.people, training_days=step.training_days, training_hours=step.training_hours,
        extension_months=step.extension_months,
        # The fields that carry a rule are kept only on the steps they belong to.
        ends_on=step.ends_on if "ends_on" in rule.fields else None, recorded_by=user)
    if step.introducers and "introducers" in rule.fields:
        recorded.introducers.set(step.introducers)
    if step.contacts and "contacts" in rule.fields:
        recorded.contacts.set(step.contacts)
    if rule.leads_to:
        application.stage = rule.leads_to
    if step.code == "admit":
        application.member = _admit_member(application, step.date, user=user)
    elif step.code == "full":
        # 党章第七条: the party standing of a full member counts from the day the probation was served, whenever
        # the higher committee approves.
        _update_member(application.member, user, status=MemberStatus.FULL, full_date=probation_end(ctx))
    elif step.code == "cancel_probation" and application.member is not None:
        # The person is no longer a member: off the rolls (like a transfer out of the platform), record kept.
        _update_member(application.member, user, left_on=step.date, left_to=str(_("取消预备党员资格")))
    if user is not None:
        application._history_user = user
    application.save()
    return recorded


def _update_member(member: Member, user, **values) -> None:
    for name, value in values.items():
        setattr(member, name, value)
    if user is not None:
        member._history_user = user
    member.save()


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
    today = timezone.localdate()
    steps = list(application.steps.all())
    base = build_context(application, StepInput("", today), steps)
    result = []
    for rule in stage_rules(application.stage):
        if not rule.due or (rule.once and rule.code in base.done):
            continue
        ctx = Context(application, StepInput(rule.code, today), base.history, base.done, base._calendar)
        blocked = [str(STEPS[c].label) for c in rule.requires if c not in base.done]
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
