"""The demand workflow: intake, transitions (declared as data), deadlines, escalation, rating.

submitted → accepted → assigned → resolved → closed, or rejected / merged, each step recorded as a
`DemandEvent` with who, when and why. Every function is one transaction; notifications are sent on commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jiceng.accounts.models import Role
from jiceng.accounts.notifications import due
from jiceng.accounts.notify import notify
from jiceng.accounts.people import with_units
from jiceng.core.sanitize import strip_control_chars
from jiceng.departments.models import Department, DepartmentState, is_member
from jiceng.enterprises.models import Enterprise
from jiceng.holidays.calendar import WorkCalendar
from jiceng.places.models import Place

from .models import (
    CALLBACK_RATING,
    CallbackResult,
    Category,
    Demand,
    DemandEvent,
    DemandSource,
    DemandStatus,
    RequesterKind,
    overdue_q,
)

S = DemandStatus
MAX_TEXT = 2000
MIN_TEXT = 4


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    needs_note: bool = False


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition("accept", gettext_lazy("受理"), (S.SUBMITTED,), S.ACCEPTED),
    Transition("assign", gettext_lazy("派单"), (S.ACCEPTED, S.ASSIGNED), S.ASSIGNED),
    Transition("resolve", gettext_lazy("办结"), (S.ASSIGNED,), S.RESOLVED, needs_note=True),
    Transition("close", gettext_lazy("关闭"), (S.RESOLVED,), S.CLOSED),
    Transition("reject", gettext_lazy("驳回"), (S.SUBMITTED, S.ACCEPTED), S.REJECTED, needs_note=True),
    Transition("merge", gettext_lazy("合并为重复"), (S.SUBMITTED, S.ACCEPTED, S.ASSIGNED), S.MERGED, needs_note=True),
    Transition("reopen", gettext_lazy("重新派单"), (S.RESOLVED,), S.ASSIGNED, needs_note=True),
)}


def allowed_actions(demand: Demand) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if demand.status in t.sources]


# Routing rules owned by other apps (有事找楼长: jiceng.governance sends a demand at a building with a head to the
# head first). Each router takes the new demand and answers the user who should see it first, or None.
ROUTERS: list[Callable[[Demand], object]] = []


def register_router(router: Callable[[Demand], object]) -> None:
    if router not in ROUTERS:
        ROUTERS.append(router)


def _route(demand: Demand, submitter) -> None:
    """Give a new demand to the first router's user: it waits in their inbox (still 已提交) and they are told."""
    for router in ROUTERS:
        target = router(demand)
        if target is None or not target.is_active or target.pk == getattr(submitter, "pk", None):
            continue
        demand.assignee_user = target
        demand.save(update_fields=["assignee_user", "updated"])
        _event(demand, "route", demand.status, actor_label=_("系统"),
               note=_("有事找楼长:已转楼长%(name)s先行处理。") % {"name": target.get_full_name() or target.username})
        notify([target], "demand.routed_to_head", {"place": demand.place.name, "t": demand},
               demand.get_absolute_url())
        return


def can_forward(demand: Demand, user) -> bool:
    """The head a demand was routed to may pass it on to the street while it waits for acceptance."""
    return demand.status == S.SUBMITTED and demand.assignee_user_id is not None and \
        demand.assignee_user_id == getattr(user, "pk", None)


@transaction.atomic
def forward(demand: Demand, *, user, note: str = "") -> Demand:
    """有事找楼长: the head hands a demand they cannot settle to the street (it waits there for acceptance)."""
    demand = _locked(demand)
    if not can_forward(demand, user):
        raise ValidationError(_("只有受理前、转给您的需求可以转街道。"))
    demand.assignee_user = None
    demand._history_user = user
    demand.save()
    _event(demand, "forward", demand.status, user=user, note=note.strip() or _("楼长转街道办理。"))
    notify(superiors_of(demand), "demand.forwarded_by_head", {"t": demand}, demand.get_absolute_url())
    return demand


def _event(demand: Demand, action: str, before: str, *, user=None, note: str = "", actor_label: str = "") -> None:
    DemandEvent.objects.create(demand=demand, action=action, from_status=before, to_status=demand.status,
                               actor=user, actor_label=actor_label, note=note)


def requester_of(user, default: str = RequesterKind.RESIDENT) -> tuple[str, Enterprise | None]:
    """Who a signed-in user submits for: their unit (a unit contact of exactly one unit), a member, or `default`."""
    from jiceng.core.scoping import scope_for

    scope = scope_for(user)
    if Role.UNIT_CONTACT in scope.roles and scope.enterprise_ids:
        enterprises = list(Enterprise.objects.filter(pk__in=scope.enterprise_ids)[:2])
        return RequesterKind.ENTERPRISE, enterprises[0] if len(enterprises) == 1 else None
    if Role.MEMBER in scope.roles:
        return RequesterKind.MEMBER, None
    return default, None


def suggest_category(text: str) -> tuple[Category | None, float]:
    from .classifier import load_default

    ((code, confidence),) = load_default().predict([text])
    return Category.objects.filter(code=code, active=True).first(), confidence


def clean_text(text: str) -> str:
    text = strip_control_chars(text or "").strip()
    if len(text) < MIN_TEXT:
        raise ValidationError({"text": _("请填写需求内容(至少 %(n)d 个字)。") % {"n": MIN_TEXT}})
    if len(text) > MAX_TEXT:
        raise ValidationError({"text": _("需求内容不能超过 %(n)d 个字。") % {"n": MAX_TEXT}})
    return text


def similar(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams: robust for short Chinese texts without segmentation."""
    def grams(s: str) -> set[str]:
        s = "".join(ch for ch in s if not ch.isspace())
        return {s[i:i + 2] for i in range(len(s) - 1)} or {s}
    ga, gb = grams(a), grams(b)
    return len(ga & gb) / len(ga | gb) if ga and gb else 0.0


def likely_duplicates(text: str, *, place: Place | None, enterprise: Enterprise | None = None,
                      exclude_pk: int | None = None, threshold: float = 0.35, limit: int = 5) -> list[Demand]:
    """Open demands of the same enterprise (or at the same place) whose text is similar."""
    if enterprise is None and place is None:
        return []
    where = Q(requester_enterprise=enterprise) if enterprise is not None else Q(place=place)
    candidates = Demand.objects.filter(where, status__in=(S.SUBMITTED, S.ACCEPTED, S.ASSIGNED))
    if exclude_pk:
        candidates = candidates.exclude(pk=exclude_pk)
    scored = [(similar(text, d.text), d) for d in candidates.order_by("-created")[:200]]
    return [d for score, d in sorted(scored, key=lambda x: -x[0]) if score >= threshold][:limit]


@transaction.atomic
def submit(*, text: str, place: Place, source: str = DemandSource.WEB, user=None, title: str = "",
           requester_kind: str = RequesterKind.ANONYMOUS, requester_enterprise: Enterprise | None = None,
           requester_name: str = "", requester_phone: str = "", requester_email: str = "",
           category: Category | None = None, visit=None, service=None, lat=None, lng=None,
           public_progress: bool = False, route: bool = True) -> Demand:
    # Everything a requester types, from the public form, Open311 or the API, is normalized here, the one
    # place they all pass (see core/sanitize.py): control characters would break exports and XML.
    text = clean_text(text)
    title, requester_name = strip_control_chars(title), strip_control_chars(requester_name)
    requester_phone, requester_email = strip_control_chars(requester_phone), strip_control_chars(requester_email)
    suggested, confidence = suggest_category(text)
    demand = Demand(text=text, title=title.strip()[:100], place=place, source=source, requester_user=user,
                    requester_kind=requester_kind, requester_enterprise=requester_enterprise,
                    requester_name=requester_name, requester_phone=requester_phone, requester_email=requester_email,
                    category=category, suggested_category=suggested, suggestion_confidence=confidence,
                    visit=visit, service=service, lat=lat, lng=lng, public_progress=public_progress)
    demand.full_clean(exclude=["tracking_code"])
    demand.save()
    _event(demand, "submit", "", user=user, actor_label=requester_name or "")
    if route:
        _route(demand, user)
    return demand


def _locked(demand: Demand) -> Demand:
    return Demand.objects.select_for_update().get(pk=demand.pk)


def _check(demand: Demand, action: str, note: str) -> Transition:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("未知的操作。"))
    if demand.status not in transition.sources:
        raise ValidationError(_("“%(status)s”状态的需求不能“%(action)s”。") % {
            "status": demand.get_status_display(), "action": transition.label})
    if transition.needs_note and not note.strip():
        raise ValidationError({"note": _("“%(action)s”须说明原因或办理结果。") % {"action": transition.label}})
    return transition


@transaction.atomic
def accept(demand: Demand, *, user, category: Category | None = None, note: str = "",
           today: dt.date | None = None) -> Demand:
    demand = _locked(demand)
    before = demand.status
    _check(demand, "accept", note)
    category = category or demand.category or demand.suggested_category
    if category is None:
        raise ValidationError({"category": _("受理时须确认类别。")})
    today = today or timezone.localdate()
    deadline = WorkCalendar().deadline(today, category.deadline_days)
    due = deadline.date
    demand.category, demand.status, demand.accepted_on, demand.due_date = category, S.ACCEPTED, today, due
    demand.due_provisional = deadline.provisional
    demand._history_user = user
    demand.save()
    _event(demand, "accept", before, user=user, note=note or _("类别:%(c)s,期限:%(d)s") % {
        "c": category.name, "d": due})
    return demand


def department_for(demand: Demand, value) -> Department | None:
    """The department a street names when assigning: an id, or a name (or short name) of an active department of
    the demand's district. None for other text, which stays free text as before departments were data."""
    if isinstance(value, Department):
        return value
    text = str(value or "").strip()
    departments = Department.objects.filter(district_id=demand.district_id, active=True)
    if text.isdigit():
        found = departments.filter(pk=int(text)).first()
        if found is None:
            raise ValidationError({"department": _("承办部门不存在、已停用或不属于本区。")})
        return found
    return departments.filter(Q(name=text) | Q(short_name=text)).first() if text else None


@transaction.atomic
def assign(demand: Demand, *, user, assignee_user=None, department: str | Department | None = "",
           enterprise: Enterprise | None = None, note: str = "", today: dt.date | None = None) -> Demand:
    demand = _locked(demand)
    before = demand.status
    _check(demand, "assign", note)
    dept = department_for(demand, department)
    if dept is not None and (not dept.active or dept.district_id != demand.district_id):
        raise ValidationError({"department": _("承办部门不存在、已停用或不属于本区。")})
    text = dept.name if dept is not None else str(department or "").strip()
    if not (assignee_user or text or enterprise):
        raise ValidationError({"assignee_user": _("请指定承办人、承办部门或承办单位。")})
    demand.assignee_user, demand.assignee_department, demand.assignee_enterprise = assignee_user, text, enterprise
    if dept is not None:
        # Handed to a department: it signs for it (签收) or returns it (退单) within its working-day limit.
        demand.hand_to(dept, today or timezone.localdate())
    else:
        demand.department, demand.department_state, demand.sign_due = None, "", None
    demand.status = S.ASSIGNED
    demand._history_user = user
    demand.save()
    _event(demand, "assign", before, user=user, note=note or demand.assignee_display)
    if assignee_user is not None:
        notify([assignee_user], "demand.assigned", {"t": demand, "d": due(demand.due_date, demand.due_provisional)},
               demand.get_absolute_url())
    if dept is not None:
        notify(dept.users(), "department.assigned", {"dept": dept.name, "t": demand, "d": demand.sign_due},
               demand.get_absolute_url())
    return demand


# --- the department's side: 签收 / 退单, and the street's 回访 (issue 19) ------------------------------------------
def street_staff_of(demand: Demand):
    """The street's staff over the demand's place (who hand work to departments and call requesters back)."""
    from jiceng.accounts.people import street_staff

    return street_staff(demand.street_id)


def department_actions(demand: Demand, user) -> list[str]:
    """What a department user may do with a demand now: sign or return it, and resolve it once signed."""
    if demand.status != S.ASSIGNED or not is_member(user, demand.department_id):
        return []
    if demand.department_state == DepartmentState.PENDING:
        return ["sign", "return"]
    if demand.department_state == DepartmentState.SIGNED:
        return ["resolve", "return"]
    return []


def can_call_back(demand: Demand) -> bool:
    return demand.status in (S.RESOLVED, S.CLOSED) and demand.callback_at is None


@transaction.atomic
def sign(demand: Demand, *, user, note: str = "") -> Demand:
    """签收: the department takes the demand on (before its sign deadline, or it is escalated)."""
    demand = _locked(demand)
    if demand.status != S.ASSIGNED or demand.department_id is None:
        raise ValidationError(_("只有派给职能部门、待签收的需求可以签收。"))
    demand.mark_signed(user)
    demand._history_user = user
    demand.save()
    _event(demand, "sign", demand.status, user=user, note=note.strip() or demand.department.name)
    notify(street_staff_of(demand), "department.signed", {"dept": demand.department.name, "t": demand},
           demand.get_absolute_url())
    return demand


@transaction.atomic
def return_to_street(demand: Demand, *, user, reason: str) -> Demand:
    """退单: the department gives the demand back to the street with a reason; it waits there to be assigned again."""
    demand = _locked(demand)
    if demand.status != S.ASSIGNED or demand.department_id is None:
        raise ValidationError(_("只有派给职能部门的需求可以退单。"))
    reason = demand.mark_returned(user, strip_control_chars(reason or ""))
    before = demand.status
    demand.status, demand.assignee_department = S.ACCEPTED, ""
    demand._history_user = user
    demand.save()
    _event(demand, "return", before, user=user, note=reason)
    notify(street_staff_of(demand), "department.returned",
           {"dept": demand.department.name, "t": demand, "reason": reason[:100]}, demand.get_absolute_url())
    return demand


@transaction.atomic
def call_back(demand: Demand, *, user, result: str, note: str = "") -> Demand:
    """回访: after the demand is resolved or closed, the street calls the requester and records their view. Without a
    rating of their own, the view counts as their rating (CALLBACK_RATING) and a resolved demand closes."""
    demand = _locked(demand)
    if result not in CallbackResult.values:
        raise ValidationError({"result": _("请选择回访结果(满意、基本满意或不满意)。")})
    if not can_call_back(demand):
        raise ValidationError(_("只有已办结、尚未回访的需求可以回访。"))
    before = demand.status
    note = strip_control_chars(note or "").strip()[:500]
    demand.callback_result, demand.callback_note = result, note
    demand.callback_at, demand.callback_by = timezone.now(), user
    if demand.rating is None:
        demand.rating, demand.rating_comment = CALLBACK_RATING[CallbackResult(result)], note
        if demand.status == S.RESOLVED:
            demand.status, demand.closed_at = S.CLOSED, demand.closed_at or timezone.now()
    demand._history_user = user
    demand.save()
    label = CallbackResult(result).label
    _event(demand, "callback", before, user=user, note=f"{label} {note}".strip())
    if demand.department_id is not None:
        notify(demand.department.users(), "department.callback", {"t": demand, "view": label},
               demand.get_absolute_url())
    return demand


def _transition(demand: Demand, action: str, *, user, note: str = "", actor_label: str = "") -> Demand:
    demand = _locked(demand)
    before = demand.status
    transition = _check(demand, action, note)
    demand.status = transition.target
    now = timezone.now()
    if transition.target == S.RESOLVED:
        demand.resolved_at = now
    if transition.target == S.CLOSED:
        demand.closed_at = now
    demand._history_user = user
    demand.save()
    _event(demand, action, before, user=user, note=note, actor_label=actor_label)
    return demand


@transaction.atomic
def resolve(demand: Demand, *, user, note: str) -> Demand:
    if demand.department_state == DepartmentState.PENDING and is_member(user, demand.department_id) \
            and not user.is_superuser:
        raise ValidationError(_("请先签收,再办结。"))
    demand = _transition(demand, "resolve", user=user, note=note)
    notify([demand.requester_user], "demand.resolved", {"t": demand},
           reverse("demands:track", args=[demand.tracking_code]))
    if demand.department_id is not None and is_member(user, demand.department_id):
        notify(street_staff_of(demand), "department.resolved", {"dept": demand.department.name, "t": demand},
               demand.get_absolute_url())
    return demand


@transaction.atomic
def close(demand: Demand, *, user, note: str = "") -> Demand:
    return _transition(demand, "close", user=user, note=note)


@transaction.atomic
def reject(demand: Demand, *, user, note: str) -> Demand:
    return _transition(demand, "reject", user=user, note=note)


@transaction.atomic
def reopen(demand: Demand, *, user, note: str) -> Demand:
    return _transition(demand, "reopen", user=user, note=note)


@transaction.atomic
def merge(demand: Demand, *, into: Demand, user, note: str = "") -> Demand:
    if into.pk == demand.pk:
        raise ValidationError({"duplicate_of": _("不能合并到自身。")})
    if into.status in (S.MERGED, S.REJECTED):
        raise ValidationError({"duplicate_of": _("目标需求已合并或驳回。")})
    note = note or _("与 #%(pk)d 重复") % {"pk": into.pk}
    demand = _transition(demand, "merge", user=user, note=note)
    demand.duplicate_of = into
    demand.save(update_fields=["duplicate_of"])
    return demand


@transaction.atomic
def rate(demand: Demand, *, rating, comment: str = "", user=None, tracking_code: str | None = None) -> Demand:
    """The requester (signed in, or holding the tracking code) rates a resolved demand 1–5; it then closes."""
    demand = _locked(demand)
    is_requester = (user is not None and user.is_authenticated and demand.requester_user_id == user.pk) or (
        tracking_code is not None and tracking_code == demand.tracking_code)
    if not is_requester:
        raise ValidationError({"rating": _("只有提出人可以评价。")})
    if demand.status not in (S.RESOLVED, S.CLOSED):
        raise ValidationError({"rating": _("需求办结后才能评价。")})
    if demand.rating is not None:
        raise ValidationError({"rating": _("已评价过。")})
    try:
        value = int(rating)
    except (TypeError, ValueError):
        raise ValidationError({"rating": _("评价须为 1 至 5 的整数。")}) from None
    if not 1 <= value <= 5:
        raise ValidationError({"rating": _("评价须为 1 至 5 的整数。")})
    before = demand.status
    demand.rating, demand.rating_comment = value, strip_control_chars(comment or "").strip()[:500]
    demand.status = S.CLOSED
    demand.closed_at = demand.closed_at or timezone.now()
    demand.save()
    _event(demand, "rate", before, user=user if user and user.is_authenticated else None,
           actor_label=_("提出人"), note=f"{value}★ {demand.rating_comment}")
    return demand


@transaction.atomic
def recategorize(demand: Demand, *, category: Category, user) -> Demand:
    demand = _locked(demand)
    if not demand.is_open:
        raise ValidationError({"category": _("已办结的需求不能修改类别。")})
    old = demand.category
    demand.category = category
    demand._history_user = user
    demand.save()
    _event(demand, "recategorize", demand.status, user=user, note=f"{old or '—'} → {category}")
    return demand


def superiors_of(demand: Demand):
    """Who an escalation goes to: the street staff (and district admins) over the demand's place."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        Q(role_assignments__role=Role.STREET_STAFF, role_assignments__place_id=demand.street_id)
        | Q(role_assignments__role=Role.DISTRICT_ADMIN, role_assignments__place_id=demand.district_id),
        is_active=True).distinct()


def escalate_overdue(today: dt.date | None = None) -> int:
    """Overdue open demands not yet escalated: notify the assignee's superiors, once."""
    today = today or timezone.localdate()
    count = 0
    overdue = Demand.objects.filter(overdue_q(today), escalated_at__isnull=True)
    for demand in overdue.iterator():
        with transaction.atomic():
            locked = _locked(demand)
            if locked.escalated_at is not None or locked.status not in (S.ACCEPTED, S.ASSIGNED):
                continue
            locked.escalated_at = timezone.now()
            locked.save(update_fields=["escalated_at"])
            _event(locked, "escalate", locked.status, actor_label=_("系统"),
                   note=_("超过办理期限 %(d)s,已督办。") % {"d": locked.due_date})
            notify(superiors_of(locked), "demand.escalated", {"t": locked, "d": locked.due_date},
                   locked.get_absolute_url())
            count += 1
    return count + escalate_unsigned(today)


def escalate_unsigned(today: dt.date) -> int:
    """Work handed to a department and not signed for by its sign deadline: escalated once, to the street and the
    department's district admins (demands here, risk follow-ups through jiceng.risk.services when installed)."""
    from django.apps import apps

    count = 0
    late = Demand.objects.filter(department_state=DepartmentState.PENDING, sign_due__lt=today,
                                 sign_escalated_at__isnull=True, status=S.ASSIGNED)
    for pk in list(late.values_list("pk", flat=True)):
        with transaction.atomic():
            locked = _locked(Demand(pk=pk))
            if locked.sign_escalated_at is not None or not locked.sign_overdue(today):
                continue
            locked.sign_escalated_at = timezone.now()
            locked.save(update_fields=["sign_escalated_at"])
            dept = locked.department
            _event(locked, "sign_overdue", locked.status, actor_label=_("系统"),
                   note=_("%(dept)s未在签收期限 %(d)s 前签收,已督办。") % {"dept": dept.name, "d": locked.sign_due})
            notify([*street_staff_of(locked), *district_admins_of(dept)], "department.sign_overdue",
                   {"dept": dept.name, "t": locked, "d": locked.sign_due}, locked.get_absolute_url())
            count += 1
    if apps.is_installed("jiceng.risk"):
        from jiceng.risk.services import escalate_unsigned_follow_ups

        count += escalate_unsigned_follow_ups(today)
    return count


def district_admins_of(department: Department):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(role_assignments__role=Role.DISTRICT_ADMIN,
                                           role_assignments__place_id=department.district_id, is_active=True)


def recompute_due_dates(calendar: WorkCalendar, *, user=None, reason: str = "") -> list[tuple]:
    """Open demands whose deadline a provisional year decided: recompute it on the calendar as it now stands
    (after a holiday schedule was published), each change on the demand's timeline. Returns the changes as
    (object type, id, label, old due, new due)."""
    changes = []
    pending = Demand.objects.filter(status__in=(S.ACCEPTED, S.ASSIGNED), due_provisional=True,
                                    accepted_on__isnull=False, category__isnull=False)
    for pk in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            demand = Demand.objects.select_for_update().get(pk=pk)
            deadline = calendar.deadline(demand.accepted_on, demand.category.deadline_days)
            old = demand.due_date
            demand.due_date, demand.due_provisional = deadline.date, deadline.provisional
            demand._history_user = user
            demand.save(update_fields=["due_date", "due_provisional"])
            if old != deadline.date:
                _event(demand, "deadline", demand.status, user=user, actor_label="" if user else _("系统"),
                       note=_("%(reason)s,办理期限由 %(old)s 重算为 %(new)s。")
                       % {"reason": reason, "old": old, "new": deadline.date})
                changes.append(("demands.demand", demand.pk, str(demand), old, deadline.date))
    return changes


def assignable_users(demand: Demand):
    """People a demand can be dispatched to: staff and workers whose scope covers the demand's place."""
    from django.contrib.auth import get_user_model

    place = demand.place
    ancestor_ids = [int(p) for p in place.path.strip("/").split("/") if p]
    users = get_user_model().objects.filter(
        role_assignments__role__in=(Role.STREET_STAFF, Role.BUILDING_WORKER, Role.BUILDING_HEAD,
                                    Role.DISTRICT_ADMIN),
        role_assignments__place_id__in=ancestor_ids, is_active=True).distinct()
    # Shown as "name · unit" (accounts/people.py), so ordered by name; the username breaks ties.
    return with_units(users).order_by("last_name", "first_name", "username")


def staff_corrections() -> list[tuple[str, str]]:
    """(text, category code) for every demand whose confirmed category differs from the suggestion."""
    rows = (Demand.objects.filter(category__isnull=False).exclude(category=models.F("suggested_category"))
            .values_list("text", "category__code"))
    return [(text, code) for text, code in rows.iterator()]
