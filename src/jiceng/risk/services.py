"""Risk use cases: record a signal, explain a score, recompute one enterprise or all, override a level,
close a follow-up. Each write is one transaction; views, the API, the CLI and the visit hook all call these.

Derived signals (documented choice): "lease ending" signals from `Enterprise.lease_end` and one "overdue demand"
signal per demand that is accepted/assigned past its due date are *derived during recompute*, never stored. They
live exactly as long as the condition holds, so nothing has to clean them up, and the explanation shows them as
unsaved `Signal` objects (`pk is None`) next to the stored ones.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import Role, RoleAssignment
from jiceng.accounts.notifications import bilingual
from jiceng.accounts.notifications import due as due_param
from jiceng.accounts.notify import notify
from jiceng.accounts.permissions import can_write
from jiceng.core.bulk import insert_rows
from jiceng.demands.models import Demand, DemandStatus
from jiceng.departments.models import Department, DepartmentState, is_member
from jiceng.enterprises.models import Enterprise
from jiceng.holidays.calendar import Deadline, WorkCalendar

from . import defaults
from .choices import ChangeKind, FollowUpStatus, RiskLevel, SignalSource, SourceKind
from .models import (
    MAX_POINTS,
    EnterpriseRisk,
    FollowUp,
    LevelChange,
    LevelThreshold,
    Playbook,
    Signal,
    SignalType,
    validate_increasing,
)
from .scoring import ScoreAccumulator, Thresholds, counted_points

log = logging.getLogger(__name__)

OVERDUE_STATUSES = (DemandStatus.ACCEPTED, DemandStatus.ASSIGNED)
CHUNK = 900  # ids per IN (...) list: below every database's parameter limit


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


# --- configuration -------------------------------------------------------------------------------------------
def thresholds() -> Thresholds:
    pairs = list(LevelThreshold.objects.values_list("level", "min_score"))
    return Thresholds(pairs or defaults.THRESHOLDS.items())


def level_for(score: int, thresholds_: Thresholds | Iterable[tuple[int, int]] | None = None) -> int:
    """The level a score reaches: the highest level whose lower bound it meets (level 1 below all bounds)."""
    if thresholds_ is None:
        thresholds_ = thresholds()
    elif not isinstance(thresholds_, Thresholds):
        thresholds_ = Thresholds(thresholds_)
    return thresholds_.level_for(score)


@transaction.atomic
def set_thresholds(values: dict[int, int]) -> list[LevelThreshold]:
    """Replace all five lower bounds at once; refused unless they strictly increase with the level."""
    validate_increasing(list(values.items()))
    LevelThreshold.objects.all().delete()
    return LevelThreshold.objects.bulk_create(LevelThreshold(level=level, min_score=score)
                                              for level, score in sorted(values.items()))


def active_types() -> dict[int, SignalType]:
    return {t.pk: t for t in SignalType.objects.filter(active=True)}


def _lease_types(types: Iterable[SignalType]) -> list[SignalType]:
    return sorted((t for t in types if t.source_kind == SourceKind.LEASE and t.window_days),
                  key=lambda t: t.window_days)


def lease_type_for(lease_end: dt.date | None, today: dt.date, types: Iterable[SignalType]) -> SignalType | None:
    """The narrowest lease window that holds `lease_end` (None when the lease ends later or has ended)."""
    if lease_end is None or lease_end < today:
        return None
    for signal_type in _lease_types(types):
        if (lease_end - today).days <= signal_type.window_days:
            return signal_type
    return None


# --- scope and role checks ----------------------------------------------------------------------------------
def _check_enterprise(user, enterprise: Enterprise) -> None:
    if user is not None and not Enterprise.objects.restrict(user).filter(pk=enterprise.pk).exists():
        raise ValidationError({"enterprise": _("企业不存在或不在您的管辖范围内。")})


def _check_role(user, model, message: str) -> None:
    if user is not None and not can_write(user, model):
        raise PermissionDenied(message)


# --- recording signals -------------------------------------------------------------------------------------------
def resolve_type(value: SignalType | str | None) -> SignalType:
    if isinstance(value, SignalType):
        signal_type = value
    else:
        signal_type = SignalType.objects.filter(code=(value or "").strip()).first()
    if signal_type is None or not signal_type.active:
        raise ValidationError({"type": _("未知或已停用的风险信号类型:%(code)s") % {"code": value or ""}})
    return signal_type


@transaction.atomic
def record_signal(*, enterprise: Enterprise, type: SignalType | str, user=None, observed_on: dt.date | None = None,
                  evidence: str = "", points: int | None = None, source: str = SignalSource.MANUAL, visit=None,
                  demand=None, today: dt.date | None = None, recompute_now: bool = True) -> Signal:
    """Store one signal (points copied from the type unless given) and recompute the enterprise's level.

    With a `user`, the enterprise must be in their scope and their role must allow recording.
    """
    today = today or timezone.localdate()
    signal_type = resolve_type(type)
    if not signal_type.recordable:
        raise ValidationError({"type": _("“%(name)s”由系统根据超期需求自动推导,不能手工记录。")
                               % {"name": signal_type.name}})
    _check_enterprise(user, enterprise)
    _check_role(user, Signal, _("您的角色不能记录风险信号。"))
    if source not in SignalSource.values:
        raise ValidationError({"source": _("未知的信号来源:%(source)s") % {"source": source}})
    if points is None:
        points = signal_type.weight
    try:
        points = int(points)
    except (TypeError, ValueError):
        raise ValidationError({"points": _("分值须为整数。")}) from None
    if points < 0 and not signal_type.allow_negative:
        raise ValidationError({"points": _("“%(name)s”不允许负分值。") % {"name": signal_type.name}})
    if abs(points) > MAX_POINTS:
        raise ValidationError({"points": _("分值须在 -%(max)d 至 %(max)d 之间。") % {"max": MAX_POINTS}})
    observed_on = observed_on or today
    if observed_on > today:
        raise ValidationError({"observed_on": _("发现日期不能晚于今天。")})
    signal = Signal(enterprise=enterprise, type=signal_type, points=points, observed_on=observed_on,
                    expires_on=observed_on + dt.timedelta(days=signal_type.live_days),
                    evidence=(evidence or "").strip(), source=source, recorded_by=user if user else None,
                    visit=visit, demand=demand)
    signal.full_clean(exclude=["recorded_by", "visit", "demand"])
    signal.save()
    if recompute_now:
        recompute(enterprise, today=today, user=user)
    return signal


def visit_type_code(code: str, enterprise: Enterprise, on: dt.date, types: Iterable[SignalType]) -> str | None:
    """Map a visit finding (demands.visits.SIGNAL_CHOICES) to a signal type code.

    "lease_ending" becomes the narrowest lease window holding the enterprise's lease end; when the lease end is
    unknown or already past, the narrowest (3 months); when it is beyond every window, the widest.
    """
    if code != "lease_ending":
        return defaults.VISIT_SIGNAL_MAP.get(code)
    lease_types = _lease_types(types)
    if not lease_types:
        return defaults.VISIT_SIGNAL_MAP[code]
    lease_end = enterprise.lease_end
    if lease_end is None or lease_end < on:
        return lease_types[0].code
    chosen = lease_type_for(lease_end, on, lease_types)
    return (chosen or lease_types[-1]).code


@transaction.atomic
def handle_visit(visit) -> list[Signal]:
    """The demands.visits hook: a visit's findings become signals (source visit), then the level is recomputed."""
    if not visit.signals:
        return []
    types = {t.code: t for t in SignalType.objects.filter(active=True)}
    existing = set(Signal.objects.filter(visit=visit).values_list("type__code", flat=True))
    evidence = (visit.findings or visit.notes or "").strip()[:1000]
    created = []
    findings = set(visit.signals)
    combined = [combo for parts, combo in defaults.VISIT_COMBINATIONS if parts <= findings]
    for code in [*visit.signals, *combined]:
        type_code = code if code in combined else visit_type_code(code, visit.enterprise, visit.date, types.values())
        signal_type = types.get(type_code or "")
        if signal_type is None:
            log.warning("visit %s: no active signal type for finding %r", visit.pk, code)
            continue
        if signal_type.code in existing:
            continue
        existing.add(signal_type.code)
        created.append(Signal.objects.create(
            enterprise=visit.enterprise, type=signal_type, points=signal_type.weight, observed_on=visit.date,
            expires_on=visit.date + dt.timedelta(days=signal_type.live_days), evidence=evidence,
            source=SignalSource.VISIT, recorded_by=visit.worker, visit=visit))
    if created:
        recompute(visit.enterprise, user=visit.worker)
    return created


# --- scoring -----------------------------------------------------------------------------------------------------
class Contribution(NamedTuple):
    """One line of an explanation: a signal (unsaved when derived) and the points it adds to the score."""

    signal: Signal
    points: int

    @property
    def derived(self) -> bool:
        return self.signal.pk is None

    @property
    def superseded(self) -> bool:
        """A signal of a group that counts 0 because a stronger one of the same group counts."""
        return self.points != self.signal.points


def _overdue_demands(today: dt.date):
    return Demand.objects.filter(status__in=OVERDUE_STATUSES, due_date__lt=today, requester_enterprise__isnull=False)


def explain(enterprise: Enterprise, today: dt.date | None = None) -> list[Contribution]:
    """Every live signal (stored and derived) with the points it contributes; the points sum to the score."""
    today = today or timezone.localdate()
    types = active_types()
    signals = list(Signal.objects.filter(enterprise=enterprise, type_id__in=types, observed_on__lte=today,
                                         expires_on__gt=today)
                   .select_related("type", "recorded_by", "visit", "demand").order_by("-observed_on", "-pk"))
    lease_type = lease_type_for(enterprise.lease_end, today, types.values())
    if lease_type is not None:
        signals.append(Signal(enterprise=enterprise, type=lease_type, points=lease_type.weight, observed_on=today,
                              expires_on=enterprise.lease_end + dt.timedelta(days=1), source=SignalSource.RECORD,
                              evidence=_("登记的租约到期日:%(date)s") % {"date": enterprise.lease_end}))
    overdue_type = next((t for t in types.values() if t.source_kind == SourceKind.OVERDUE_DEMAND), None)
    if overdue_type is not None:
        for demand in _overdue_demands(today).filter(requester_enterprise=enterprise).order_by("due_date", "pk"):
            signals.append(Signal(enterprise=enterprise, type=overdue_type, points=overdue_type.weight,
                                  observed_on=demand.due_date + dt.timedelta(days=1), expires_on=today
                                  + dt.timedelta(days=1), source=SignalSource.DEMAND, demand=demand,
                                  evidence=_("需求“%(demand)s”办理期限 %(due)s,已超期。")
                                  % {"demand": demand, "due": demand.due_date}))
    points = counted_points([(s.type.group, s.points) for s in signals])
    return [Contribution(signal, p) for signal, p in zip(signals, points, strict=True)]


def score_of(explanation: Iterable[Contribution]) -> int:
    return sum(c.points for c in explanation)


def compute_scores(today: dt.date, enterprise_ids: Sequence[int] | None = None) -> dict[int, int]:
    """Scores of all enterprises with any live signal (others score 0): one grouped aggregate over the stored
    signals, plus the derived lease and overdue-demand signals, each from one query."""
    types = active_types()
    acc = ScoreAccumulator()
    stored = Signal.objects.filter(type_id__in=list(types), observed_on__lte=today, expires_on__gt=today)
    if enterprise_ids is not None:
        stored = stored.filter(enterprise_id__in=enterprise_ids)
    for enterprise_id, type_id, total, largest, smallest in (
            stored.order_by().values_list("enterprise_id", "type_id")
            .annotate(total=Sum("points"), largest=Max("points"), smallest=Min("points")).iterator(chunk_size=5000)):
        acc.add(enterprise_id, types[type_id].group, total, largest, smallest)
    lease_types = _lease_types(types.values())
    if lease_types:
        leases = Enterprise.objects.filter(lease_end__gte=today,
                                           lease_end__lte=today + dt.timedelta(days=lease_types[-1].window_days))
        if enterprise_ids is not None:
            leases = leases.filter(pk__in=enterprise_ids)
        for enterprise_id, lease_end in leases.order_by().values_list("pk", "lease_end").iterator(chunk_size=5000):
            lease_type = lease_type_for(lease_end, today, lease_types)
            acc.add_one(enterprise_id, lease_type.group, lease_type.weight)
    overdue_type = next((t for t in types.values() if t.source_kind == SourceKind.OVERDUE_DEMAND), None)
    if overdue_type is not None:
        overdue = _overdue_demands(today)
        if enterprise_ids is not None:
            overdue = overdue.filter(requester_enterprise_id__in=enterprise_ids)
        weight = overdue_type.weight
        for enterprise_id, n in overdue.order_by().values_list("requester_enterprise_id").annotate(n=Count("pk")):
            acc.add(enterprise_id, overdue_type.group, n * weight, weight, weight)
    return acc.scores()


# --- applying scores: rows, history, follow-ups, notifications ---------------------------------------------------
class LevelCounts(dict):
    """Enterprises per level {1: n, ..., 5: n}, with what the recompute changed as attributes."""

    created = 0
    updated = 0
    changes = 0
    rises = 0
    follow_ups = 0


class _Rise(NamedTuple):
    enterprise_id: int
    level: int


def _calendar_due(calendar: WorkCalendar, cache: dict, start: dt.date, days: int) -> Deadline:
    key = (start, days)
    if key not in cache:
        cache[key] = calendar.deadline(start, days)
    return cache[key]


def recompute_follow_up_due_dates(calendar: WorkCalendar) -> list[tuple]:
    """Open follow-ups whose deadline a provisional year decided (or that have none): recompute it from the day
    they were created and their playbook, after a holiday schedule was published. Returns the changes as
    (object type, id, label, old due, new due)."""
    changes = []
    pending = (FollowUp.objects.filter(status=FollowUpStatus.OPEN, playbook__isnull=False)
               .filter(Q(due_provisional=True) | Q(due_date__isnull=True))
               .select_related("playbook", "enterprise"))
    for follow_up in pending.iterator(chunk_size=2000):
        start = timezone.localdate(follow_up.created)
        deadline = calendar.deadline(start, follow_up.playbook.within_working_days)
        if (follow_up.due_date, follow_up.due_provisional) == (deadline.date, deadline.provisional):
            continue
        FollowUp.objects.filter(pk=follow_up.pk).update(due_date=deadline.date, due_provisional=deadline.provisional)
        if follow_up.due_date != deadline.date:
            changes.append(("risk.followup", follow_up.pk, str(follow_up), follow_up.due_date, deadline.date))
    return changes


def _responsible(rises: Sequence[_Rise], playbooks: dict[int, Playbook]) -> dict[_Rise, set[int]]:
    """Users holding the playbook's role on a place above (or at) each enterprise's place."""
    roles = {playbooks[r.level].role for r in rises}
    by_role_place: dict[tuple[str, int], list[int]] = defaultdict(list)
    for role, place_id, user_id in RoleAssignment.objects.filter(role__in=roles, place__isnull=False,
                                                                 user__is_active=True).values_list(
            "role", "place_id", "user_id"):
        by_role_place[(role, place_id)].append(user_id)
    paths: dict[int, str] = {}
    ids = sorted({r.enterprise_id for r in rises})
    if len(ids) > 10 * CHUNK:  # the nightly batch: one scan beats dozens of long IN lists
        paths.update(Enterprise.objects.values_list("pk", "place__path").iterator(chunk_size=10000))
    else:
        for chunk in _chunks(ids):
            paths.update(Enterprise.objects.filter(pk__in=chunk).values_list("pk", "place__path"))
    result = {}
    for rise in rises:
        role = playbooks[rise.level].role
        users: set[int] = set()
        for part in paths.get(rise.enterprise_id, "").strip("/").split("/"):
            if part:
                users.update(by_role_place.get((role, int(part)), ()))
        result[rise] = users
    return result


def _follow_up(rises: Sequence[_Rise], *, today: dt.date, now: dt.datetime, batch: bool) -> int:
    """One open follow-up per rise (none while one is open for that enterprise and level); lower open ones are
    closed as superseded; the responsible users are assigned and notified. Returns how many were created."""
    if not rises:
        return 0
    playbooks = {p.level: p for p in Playbook.objects.all()}
    rises = [r for r in rises if r.level in playbooks]
    open_rows = FollowUp.objects.filter(status=FollowUpStatus.OPEN)
    if not batch:
        open_rows = open_rows.filter(enterprise_id__in=[r.enterprise_id for r in rises])
    open_by_enterprise: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, enterprise_id, level in open_rows.values_list("pk", "enterprise_id", "level").iterator(chunk_size=5000):
        open_by_enterprise[enterprise_id].append((pk, level))
    rises = [r for r in rises if all(level != r.level for _pk, level in open_by_enterprise.get(r.enterprise_id, ()))]
    if not rises:
        return 0
    superseded: dict[int, list[int]] = defaultdict(list)
    for rise in rises:
        superseded[rise.level] += [pk for pk, level in open_by_enterprise.get(rise.enterprise_id, ())
                                   if level < rise.level]
    for level, pks in superseded.items():
        for chunk in _chunks(pks):
            FollowUp.objects.filter(pk__in=chunk).update(
                status=FollowUpStatus.CLOSED, closed_at=now,
                outcome=_("风险等级已升至“%(level)s”,由新的跟进任务接续。") % {"level": RiskLevel(level).label})
    calendar, cache = WorkCalendar(), {}
    due = {r: _calendar_due(calendar, cache, today, playbooks[r.level].within_working_days) for r in rises}
    insert_rows(FollowUp, ["enterprise", "level", "playbook", "action", "action_en", "due_date", "due_provisional",
                           "status", "outcome", "created"],
                [(r.enterprise_id, r.level, playbooks[r.level].pk, playbooks[r.level].action,
                  playbooks[r.level].action_en, due[r].date, due[r].provisional, FollowUpStatus.OPEN, "", now)
                 for r in rises])
    # Read back the new ids: open, created at `now`, and unique per (enterprise, level) by the partial index.
    created = FollowUp.objects.filter(status=FollowUpStatus.OPEN, created=now)
    if not batch:
        created = created.filter(enterprise_id__in=[r.enterprise_id for r in rises])
    new_pk = {(enterprise_id, level): pk
              for pk, enterprise_id, level in created.values_list("pk", "enterprise_id", "level").iterator()}
    responsible = _responsible(rises, playbooks)
    insert_rows(FollowUp.assignees.through, ["followup", "user"],
                [(new_pk[r], user_id) for r in rises for user_id in sorted(responsible[r])])
    _notify(rises, responsible, due, playbooks, batch=batch)
    return len(rises)


def _notify(rises: Sequence[_Rise], responsible: dict, due: dict, playbooks: dict[int, Playbook], *,
            batch: bool) -> None:
    from django.contrib.auth import get_user_model

    user_ids = {u for users in responsible.values() for u in users}
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in=user_ids)} if user_ids else {}
    if not batch:
        names = dict(Enterprise.objects.filter(pk__in=[r.enterprise_id for r in rises]).values_list("pk", "name"))
        for rise in rises:
            playbook = playbooks[rise.level]
            notify([users[u] for u in responsible[rise]], "risk.level_rose", {
                "name": names.get(rise.enterprise_id, ""), "level": RiskLevel(rise.level).label,
                "due": due_param(due[rise].date, due[rise].provisional),
                "action": bilingual(playbook.action, playbook.action_en)},
                reverse("risk:enterprise", args=[rise.enterprise_id]) + "#follow-ups")
        return
    # The nightly batch sends one digest per person instead of one message per enterprise.
    per_user: dict[int, int] = defaultdict(int)
    for rise in rises:
        for user_id in responsible[rise]:
            per_user[user_id] += 1
    url = reverse("risk:follow_ups")
    for user_id, n in per_user.items():
        notify([users[user_id]], "risk.digest", {"n": n}, url)


def _apply(scores: dict[int, int], enterprise_ids: Sequence[int], *, today: dt.date, batch: bool,
           user=None) -> LevelCounts:
    now = timezone.now()
    th = thresholds()
    baseline = th.level_for(0)
    existing: dict[int, tuple[int, int, int, int | None]] = {}
    rows = EnterpriseRisk.objects.values_list("enterprise_id", "pk", "score", "computed_level", "override_level")
    if batch:
        existing = {row[0]: row[1:] for row in rows.iterator(chunk_size=5000)}
    else:
        existing = {row[0]: row[1:] for row in rows.select_for_update().filter(enterprise_id__in=enterprise_ids)}
    counts = LevelCounts({level: 0 for level in RiskLevel.values})
    to_create: list[tuple] = []
    to_update: dict[tuple[int, int], list[int]] = defaultdict(list)
    changes: list[tuple] = []
    rises: list[_Rise] = []
    by_id = user.pk if user is not None and not batch else None
    for enterprise_id in enterprise_ids:
        score = scores.get(enterprise_id, 0)
        level = th.level_for(score)
        row = existing.get(enterprise_id)
        if row is None:
            to_create.append((enterprise_id, score, level, "", now))
            old_level, override, changed = baseline, None, level != baseline
        else:
            pk, old_score, old_level, override = row
            if (score, level) != (old_score, old_level):
                to_update[(score, level)].append(pk)
            changed = level != old_level
        counts[override or level] += 1
        if changed:
            changes.append((enterprise_id, ChangeKind.COMPUTED.value, old_level, level, override or level, score, "",
                            by_id, now))
            if override is None and level > old_level:
                rises.append(_Rise(enterprise_id, level))
    insert_rows(EnterpriseRisk, ["enterprise", "score", "computed_level", "override_reason", "updated"], to_create)
    for (score, level), pks in to_update.items():
        for chunk in _chunks(pks):
            EnterpriseRisk.objects.filter(pk__in=chunk).update(score=score, computed_level=level, updated=now)
    insert_rows(LevelChange, ["enterprise", "kind", "old_level", "new_level", "level", "score", "reason", "by", "at"],
                changes)
    follow_ups = _follow_up(rises, today=today, now=now, batch=batch)
    counts.created, counts.updated = len(to_create), sum(len(p) for p in to_update.values())
    counts.changes, counts.rises, counts.follow_ups = len(changes), len(rises), follow_ups
    return counts


@transaction.atomic
def recompute(enterprise: Enterprise, *, today: dt.date | None = None, user=None) -> EnterpriseRisk:
    """Recompute one enterprise now (after a signal or visit); a rise notifies the responsible people at once."""
    today = today or timezone.localdate()
    _apply(compute_scores(today, [enterprise.pk]), [enterprise.pk], today=today, batch=False, user=user)
    return EnterpriseRisk.objects.get(enterprise=enterprise)


@transaction.atomic
def recompute_all(today: dt.date | None = None) -> LevelCounts:
    """Recompute every enterprise: one aggregate, then only changed rows are written. Returns counts per level."""
    today = today or timezone.localdate()
    enterprise_ids = list(Enterprise.objects.order_by("pk").values_list("pk", flat=True).iterator(chunk_size=10000))
    return _apply(compute_scores(today), enterprise_ids, today=today, batch=True)


def risk_for(enterprise: Enterprise) -> EnterpriseRisk:
    """The enterprise's stored risk row, computed now if it has never been computed."""
    risk = EnterpriseRisk.objects.filter(enterprise=enterprise).first()
    return risk if risk is not None else recompute(enterprise)


# --- overrides and follow-ups ------------------------------------------------------------------------------------
@transaction.atomic
def override_level(enterprise: Enterprise, *, level: int | None, reason: str, user) -> EnterpriseRisk:
    """Set (or with level None, clear) a manual level. A reason is required; the change goes into the history,
    and a rise creates a follow-up like a computed rise."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("调整等级须说明理由。")})
    if level is not None:
        try:
            level = RiskLevel(int(level)).value
        except (TypeError, ValueError):
            raise ValidationError({"level": _("等级须为 1 至 5。")}) from None
    _check_enterprise(user, enterprise)
    _check_role(user, EnterpriseRisk, _("您的角色不能调整风险等级。"))
    risk_for(enterprise)
    risk = EnterpriseRisk.objects.select_for_update().get(enterprise=enterprise)
    if level is None and risk.override_level is None:
        raise ValidationError({"level": _("当前没有人工调整,无需取消。")})
    old = risk.level
    now = timezone.now()
    risk.override_level, risk.override_reason = level, reason
    risk.overridden_by, risk.overridden_at, risk.updated = user, now, now
    risk.save()
    kind = ChangeKind.OVERRIDE if level is not None else ChangeKind.OVERRIDE_CLEARED
    LevelChange.objects.create(enterprise=enterprise, kind=kind, old_level=old, new_level=risk.level,
                               level=risk.level, score=risk.score, reason=reason, by=user, at=now)
    if risk.level > old:
        _follow_up([_Rise(enterprise.pk, risk.level)], today=timezone.localdate(), now=now, batch=False)
    return risk


@transaction.atomic
def close_follow_up(follow_up: FollowUp, *, outcome: str, user) -> FollowUp:
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("请填写跟进结果。")})
    if follow_up.department_state == DepartmentState.SIGNED and is_member(user, follow_up.department_id):
        pass  # the department it was handed to and that signed for it completes it (issue 19)
    else:
        _check_enterprise(user, follow_up.enterprise)
        _check_role(user, FollowUp, _("您的角色不能办理风险跟进。"))
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.status != FollowUpStatus.OPEN:
        raise ValidationError({"status": _("该跟进任务已完成。")})
    follow_up.status, follow_up.outcome = FollowUpStatus.CLOSED, outcome
    follow_up.closed_by, follow_up.closed_at = user, timezone.now()
    follow_up.save()
    return follow_up


# --- handing a follow-up to a department: 签收 / 退单 (issue 19) ---------------------------------------------------
def _street_staff(follow_up: FollowUp):
    from jiceng.accounts.people import street_staff

    return street_staff(follow_up.enterprise.street_id)


def _open_follow_up(follow_up: FollowUp) -> FollowUp:
    # Only the follow-up's row is locked: PostgreSQL cannot lock the nullable side of the department's outer join.
    follow_up = (FollowUp.objects.select_for_update(of=("self",)).select_related("enterprise", "department")
                 .get(pk=follow_up.pk))
    if follow_up.status != FollowUpStatus.OPEN:
        raise ValidationError({"status": _("该跟进任务已完成。")})
    return follow_up


@transaction.atomic
def assign_follow_up(follow_up: FollowUp, *, department: Department | None, user,
                     today: dt.date | None = None) -> FollowUp:
    """The street hands a five-colour follow-up to a department of the enterprise's district."""
    _check_enterprise(user, follow_up.enterprise)
    _check_role(user, FollowUp, _("您的角色不能办理风险跟进。"))
    follow_up = _open_follow_up(follow_up)
    if department is None or not department.active or department.district_id != follow_up.enterprise.district_id:
        raise ValidationError({"department": _("承办部门不存在、已停用或不属于本区。")})
    follow_up.hand_to(department, today or timezone.localdate())
    follow_up.save()
    notify(department.users(), "department.follow_up_assigned",
           {"dept": department.name, "name": follow_up.enterprise.name, "d": follow_up.sign_due},
           reverse("demands:inbox"))
    return follow_up


@transaction.atomic
def sign_follow_up(follow_up: FollowUp, *, user) -> FollowUp:
    follow_up = _open_follow_up(follow_up)
    if follow_up.department_id is None:
        raise ValidationError(_("只有派给职能部门、待签收的事项可以签收。"))
    follow_up.mark_signed(user)
    follow_up.save()
    notify(_street_staff(follow_up), "department.follow_up_signed",
           {"dept": follow_up.department.name, "name": follow_up.enterprise.name}, follow_up.get_absolute_url())
    return follow_up


@transaction.atomic
def return_follow_up(follow_up: FollowUp, *, user, reason: str) -> FollowUp:
    follow_up = _open_follow_up(follow_up)
    if follow_up.department_id is None:
        raise ValidationError(_("只有派给职能部门的事项可以退单。"))
    reason = follow_up.mark_returned(user, reason)
    follow_up.save()
    notify(_street_staff(follow_up), "department.follow_up_returned",
           {"dept": follow_up.department.name, "name": follow_up.enterprise.name, "reason": reason[:100]},
           follow_up.get_absolute_url())
    return follow_up


def escalate_unsigned_follow_ups(today: dt.date) -> int:
    """Follow-ups not signed for by their sign deadline: escalated once (the demands' escalation job runs this)."""
    from django.contrib.auth import get_user_model

    count = 0
    late = FollowUp.objects.filter(status=FollowUpStatus.OPEN, department_state=DepartmentState.PENDING,
                                   sign_due__lt=today, sign_escalated_at__isnull=True)
    for pk in list(late.values_list("pk", flat=True)):
        with transaction.atomic():
            follow_up = (FollowUp.objects.select_for_update(of=("self",))
                         .select_related("enterprise", "department").get(pk=pk))
            if follow_up.sign_escalated_at is not None or not follow_up.sign_overdue(today):
                continue
            follow_up.sign_escalated_at = timezone.now()
            follow_up.save(update_fields=["sign_escalated_at"])
            admins = get_user_model().objects.filter(role_assignments__role=Role.DISTRICT_ADMIN,
                                                     role_assignments__place_id=follow_up.department.district_id,
                                                     is_active=True)
            notify([*_street_staff(follow_up), *admins], "department.follow_up_sign_overdue",
                   {"dept": follow_up.department.name, "name": follow_up.enterprise.name, "d": follow_up.sign_due},
                   follow_up.get_absolute_url())
            count += 1
    return count


# --- reads for pages and the API -----------------------------------------------------------------------------------
def level_history(enterprise: Enterprise, limit: int = 200) -> list[dict]:
    """The effective level over time (oldest first), ending with the current level, for the chart."""
    changes = list(LevelChange.objects.filter(enterprise=enterprise).order_by("-at", "-pk")[:limit])
    points = [{"at": timezone.localtime(c.at).strftime("%Y-%m-%d %H:%M"), "level": c.level, "score": c.score,
               "kind": str(c.get_kind_display())} for c in reversed(changes)]
    if points:
        risk = EnterpriseRisk.objects.filter(enterprise=enterprise).first()
        if risk is not None:
            points.append({"at": timezone.localtime().strftime("%Y-%m-%d %H:%M"), "level": risk.level,
                           "score": risk.score, "kind": _("当前")})
    return points
