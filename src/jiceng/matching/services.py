"""Use cases of the three lists: who acts for which unit, claims in both directions, the project lifecycle,
suggestions and whole-list proposals from the engine, promoting a demand to a need.

Claims reserve quantity with conditional UPDATEs (`claimed <= amount - q`), which the database applies
atomically on SQLite and PostgreSQL alike: of two simultaneous claims on the last units only one row update
succeeds, and the loser gets a clear error with the quantity that remains. Check constraints
(`claimed <= quantity/capacity`) back this up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_noop

from jiceng.accounts.notify import notify
from jiceng.core.scoping import scope_for

from . import engine
from .models import (
    ChairTerm,
    ClaimKind,
    JointConference,
    ListStatus,
    MemberUnit,
    Need,
    Project,
    ProjectStatus,
    Resource,
)

MANAGER_ROLES = ("district_admin", "street_staff")
# Staff who post needs for communities and residents' groups within their place scope.
PLACE_STAFF_ROLES = ("district_admin", "street_staff", "building_worker")


# --- who acts for what ------------------------------------------------------------------------------

def managed_conferences(user) -> QuerySet[JointConference]:
    """Conferences the user runs: superusers everywhere, district admins and street staff within their place, and
    a building head their building's lists (a building council runs them like a joint conference, seed 003)."""
    scope = scope_for(user)
    if scope.everything:
        return JointConference.objects.all()
    q = Q(pk__in=[])
    if scope.roles.intersection(MANAGER_ROLES):
        q |= scope.place_q("place__district", "place__street", "place__path")
    if "building_head" in scope.roles and apps.is_installed("jiceng.governance"):
        from jiceng.governance.models import Council

        q |= Q(pk__in=Council.objects.filter(head__user_id=user.pk, conference__isnull=False).values("conference"))
    if q == Q(pk__in=[]):
        return JointConference.objects.none()
    return JointConference.objects.filter(q)


def can_manage(user, conference: JointConference) -> bool:
    return managed_conferences(user).filter(pk=conference.pk).exists()


def can_run_conference_at(user, place) -> bool:
    """May the user create (or move) a conference at this place: a district or street in their place scope."""
    from jiceng.places.models import Place

    scope = scope_for(user)
    if scope.everything:
        return True
    if not scope.roles.intersection(MANAGER_ROLES):
        return False
    own = Q(pk__in=scope.district_ids) | Q(pk__in=scope.street_ids)
    return Place.objects.filter(pk=place.pk).filter(scope.place_q("district", "street", "path") | own).exists()


def acting_units(user, conference: JointConference | None = None) -> QuerySet[MemberUnit]:
    """Member units the user may act for: their own (unit contact, secretary, building worker) and every unit
    of a conference they run."""
    scope = scope_for(user)
    units = MemberUnit.objects.filter(active=True)
    if conference is not None:
        units = units.filter(conference=conference)
    if scope.everything:
        return units
    return units.filter(MemberUnit.acting_q(scope) | Q(conference__in=managed_conferences(user).values("pk")))


def can_post_need(user, conference: JointConference) -> bool:
    """Member units post for themselves; place staff and the conference's managers post for communities and
    residents' groups."""
    if acting_units(user, conference).exists() or can_manage(user, conference):
        return True
    scope = scope_for(user)
    return bool(scope.roles.intersection(PLACE_STAFF_ROLES)) and \
        JointConference.objects.restrict(user).filter(pk=conference.pk).exists()


def may_publish_resources(user) -> bool:
    """Does the user act for any member unit (and so may publish resources)? Building heads do not."""
    return acting_units(user).exists()


def may_post_needs(user) -> bool:
    """May the user post needs anywhere: for a unit they act for, as place staff of a visible conference, or as the
    manager of one (a building head: their building's lists)."""
    scope = scope_for(user)
    if "building_head" in scope.roles:
        # One query for both: a unit they act for, or a conference they run (their building's lists).
        if JointConference.objects.filter(Q(pk__in=managed_conferences(user).values("pk"))
                                          | Q(pk__in=acting_units(user).values("conference"))).exists():
            return True
    elif acting_units(user).exists():
        return True
    return bool(scope.roles.intersection(PLACE_STAFF_ROLES)) and JointConference.objects.restrict(user).exists()


def requester_side(user, need: Need) -> bool:
    """May act as the need's requester (agree to a claim, evaluate the project)?"""
    if can_manage(user, need.conference):
        return True
    if need.requester_unit_id:
        return acting_units(user).filter(pk=need.requester_unit_id).exists()
    if need.created_by_id == user.pk:
        return True
    scope = scope_for(user)
    return bool(scope.roles.intersection(PLACE_STAFF_ROLES)) and Need.objects.restrict(user).filter(pk=need.pk).exists()


def provider_side(user, project: Project) -> bool:
    return acting_units(user).filter(pk=project.provider_id).exists()


# --- writing list items -----------------------------------------------------------------------------

def save_resource(resource: Resource, *, by) -> Resource:
    if not acting_units(by, resource.conference).filter(pk=resource.unit_id).exists():
        raise PermissionDenied(_t("您不能代表该单位发布资源。"))
    resource.created_by = resource.created_by or by
    resource.full_clean()
    resource.save()
    return resource


def save_need(need: Need, *, by) -> Need:
    if need.requester_unit_id:
        if not acting_units(by, need.conference).filter(pk=need.requester_unit_id).exists():
            raise PermissionDenied(_t("您不能代表该单位发布需求。"))
    elif not can_post_need(by, need.conference):
        raise PermissionDenied(_t("您不能在该联席会议发布需求。"))
    need.created_by = need.created_by or by
    need.full_clean()
    need.save()
    return need


def close_item(item: Need | Resource, *, by) -> None:
    """Close a list item to new claims (projects already made go on)."""
    if isinstance(item, Resource):
        allowed = acting_units(by, item.conference).filter(pk=item.unit_id).exists()
    else:
        allowed = requester_side(by, item)
    if not allowed:
        raise PermissionDenied(_t("您不能关闭该条目。"))
    type(item).objects.filter(pk=item.pk).update(status=ListStatus.CLOSED)
    item.status = ListStatus.CLOSED


# Demand categories (demands app) → list categories, for promoting a demand to a need in one step.
DEMAND_TO_LIST_CATEGORY = {
    "office_space": "venue", "parking_traffic": "parking", "volunteer_charity": "volunteers", "finance": "funds",
    "legal": "professional", "health": "professional", "wellbeing": "professional", "tax": "professional",
    "employment": "jobs", "talent": "jobs", "culture_sports": "venue", "party_affairs": "training",
    "policy": "training",
}


def need_from_demand(demand, conference: JointConference) -> Need:
    """An unsaved need pre-filled from a demand (the form shows it for confirmation)."""
    place = demand.place or (demand.requester_enterprise.place if demand.requester_enterprise_id else None)
    now = timezone.now()
    category = DEMAND_TO_LIST_CATEGORY.get(demand.category.code if demand.category_id else "", "other")
    unit = None
    if demand.requester_enterprise_id:
        unit = conference.units.filter(enterprise_id=demand.requester_enterprise_id, active=True).first()
    return Need(
        conference=conference, demand=demand, title=(demand.title or demand.text)[:100], description=demand.text,
        category=category, quantity=1, start=now, end=now + dt.timedelta(days=30),
        requester_kind="unit" if unit else ("enterprise" if demand.requester_enterprise_id else "residents"),
        requester_unit=unit,
        requester_name=str(demand.requester_enterprise or demand.requester_name or _t("群众"))[:100],
        contact_phone=demand.requester_phone or "",
        location=(place.name if place else "")[:200], lat=place.lat if place else None,
        lng=place.lng if place else None,
    )


# --- the conference's rhythm: agenda and rotating chair ---------------------------------------------

@dataclass
class AgendaItems:
    open_needs: QuerySet[Need]
    new_resources: QuerySet[Resource]
    since: dt.datetime | None  # the last meeting, if any


def agenda_items(conference: JointConference) -> AgendaItems:
    """What the next meeting should look at: the open needs, and the resources posted since the last meeting."""
    last = conference.meetings.order_by("-held_at").first()
    resources = Resource.objects.filter(conference=conference, status=ListStatus.OPEN).select_related("unit")
    if last:
        resources = resources.filter(created__gt=last.held_at)
    needs = Need.objects.filter(conference=conference, status=ListStatus.OPEN).order_by("created")
    return AgendaItems(needs, resources, last.held_at if last else None)


def draft_agenda(conference: JointConference) -> str:
    items = agenda_items(conference)
    lines = [_t("一、待认领需求")]
    lines += [f"  {i}. {n.title}({n.requester_name},{n.get_category_display()} {n.remaining}{n.measure})"
              for i, n in enumerate(items.open_needs[:30], 1)] or [_t("  (无)")]
    lines.append(_t("二、新增资源"))
    lines += [f"  {i}. {r.title}({r.unit.name},{r.get_category_display()} {r.remaining}{r.measure})"
              for i, r in enumerate(items.new_resources[:30], 1)] or [_t("  (无)")]
    lines.append(_t("三、项目推进情况"))
    return "\n".join(lines)


def schedule_rotation(conference: JointConference, units: Sequence[MemberUnit], *, start: dt.date, months: int,
                      rounds: int = 1) -> list[ChairTerm]:
    """Replace the chair terms from `start` on by the units in turn (轮值制), `months` each, `rounds` times."""
    from dateutil.relativedelta import relativedelta

    terms = []
    with transaction.atomic():
        ChairTerm.objects.filter(conference=conference, start__gte=start).delete()
        ChairTerm.objects.filter(conference=conference, end__gte=start).update(end=start - dt.timedelta(days=1))
        begin = start
        for _round in range(rounds):
            for unit in units:
                end = begin + relativedelta(months=months) - dt.timedelta(days=1)
                terms.append(ChairTerm.objects.create(conference=conference, unit=unit, start=begin, end=end))
                begin = end + dt.timedelta(days=1)
    return terms


# --- claims -------------------------------------------------------------------------------------------

def _reserve(model: type[Need] | type[Resource], pk: int, amount_field: str, quantity: int, field: str) -> None:
    """Take `quantity` of what remains, atomically; a closed item or too little left is a field error."""
    updated = model.objects.filter(
        pk=pk, status=ListStatus.OPEN, claimed__lte=F(amount_field) - quantity,
    ).update(claimed=F("claimed") + quantity)
    if not updated:
        item = model.objects.get(pk=pk)
        if item.status != ListStatus.OPEN:
            raise ValidationError({field: _t("“%(item)s”已关闭或已认领满,不能再认领。") % {"item": item.title}})
        raise ValidationError({"quantity": _t("“%(item)s”只剩 %(n)s,不能认领 %(q)s。")
                               % {"item": item.title, "n": item.remaining, "q": quantity}})
    model.objects.filter(pk=pk, claimed=F(amount_field)).update(status=ListStatus.FULL)


def _release(model: type[Need] | type[Resource], pk: int, quantity: int) -> None:
    model.objects.filter(pk=pk).update(claimed=F("claimed") - quantity)
    model.objects.filter(pk=pk, status=ListStatus.FULL).update(status=ListStatus.OPEN)


def _check_pair(need: Need, resource: Resource) -> None:
    result = engine.score_pair(to_need_item(need), to_resource_item(resource))
    if result is None:
        raise ValidationError({"resource": _t("该资源与需求不匹配(类别、服务半径或时间不符)。")})


def _check_quantity(quantity: int) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ValidationError({"quantity": _t("认领数量必须是正整数。")})


def claim_need(need: Need, *, unit: MemberUnit, quantity: int, by, resource: Resource | None = None,
               note: str = "", lead_member=None, kind: str = ClaimKind.NEED) -> Project:
    """A member unit claims (part of) a need, optionally from one of its resources; the claim is a project."""
    _check_quantity(quantity)
    if unit.conference_id != need.conference_id:
        raise ValidationError({"unit": _t("认领单位须是该联席会议的成员单位。")})
    if not acting_units(by, need.conference).filter(pk=unit.pk).exists():
        raise PermissionDenied(_t("您不能代表该单位认领。"))
    if resource is not None:
        if resource.unit_id != unit.pk:
            raise ValidationError({"resource": _t("只能用本单位发布的资源认领。")})
        _check_pair(need, resource)
    with transaction.atomic():
        _reserve(Need, need.pk, "quantity", quantity, "need")
        if resource is not None:
            _reserve(Resource, resource.pk, "capacity", quantity, "resource")
        project = Project.objects.create(
            conference_id=need.conference_id, need=need, resource=resource, provider=unit, category=need.category,
            quantity=quantity, claim_kind=kind, note=note[:500], lead_member=lead_member, claimed_by=by)
    _tell_requester(project, "matching.need_claimed", {"unit": unit.name, "need": need.title, "q": quantity})
    return project


def claim_resource(resource: Resource, *, need: Need, quantity: int, by, note: str = "") -> Project:
    """A requester claims (part of) a resource for one of their needs (posted now or before)."""
    _check_quantity(quantity)
    if need.conference_id != resource.conference_id:
        raise ValidationError({"need": _t("需求须属于同一联席会议。")})
    if not requester_side(by, need):
        raise PermissionDenied(_t("您不能代表该需求方认领资源。"))
    if need.category != resource.category:
        raise ValidationError({"need": _t("需求类别与资源类别不同。")})
    _check_pair(need, resource)
    with transaction.atomic():
        _reserve(Resource, resource.pk, "capacity", quantity, "resource")
        _reserve(Need, need.pk, "quantity", quantity, "need")
        project = Project.objects.create(
            conference_id=need.conference_id, need=need, resource=resource, provider_id=resource.unit_id,
            category=need.category, quantity=quantity, claim_kind=ClaimKind.RESOURCE, note=note[:500], claimed_by=by)
    provider_users = _unit_users(resource.unit)
    notify(provider_users, "matching.resource_claimed",
           {"who": need.requester_name, "res": resource.title, "q": quantity}, project.get_absolute_url())
    return project


def claim_resource_with_new_need(resource: Resource, *, by, quantity: int, requester_name: str,
                                 requester_unit: MemberUnit | None = None, note: str = "") -> Project:
    """A community claims a resource without a posted need: the need is recorded from the claim itself."""
    _check_quantity(quantity)
    with transaction.atomic():
        need = save_need(Need(
            conference_id=resource.conference_id, title=note[:100] or resource.title, description=note,
            category=resource.category, quantity=quantity, start=resource.start, end=resource.end,
            daily_start=resource.daily_start, daily_end=resource.daily_end, location=resource.location,
            lat=resource.lat, lng=resource.lng, requester_name=requester_name,
            requester_kind="unit" if requester_unit else "community", requester_unit=requester_unit), by=by)
        return claim_resource(resource, need=need, quantity=quantity, by=by, note=note)


# --- the project lifecycle ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    side: str  # "requester", "provider", "either"


TRANSITIONS = {t.action: t for t in (
    Transition("agree", gettext_noop("确认"), (ProjectStatus.PROPOSED,), ProjectStatus.AGREED, "requester"),
    Transition("start", gettext_noop("开始实施"), (ProjectStatus.AGREED,), ProjectStatus.IN_PROGRESS, "provider"),
    Transition("complete", gettext_noop("完成"), (ProjectStatus.IN_PROGRESS,), ProjectStatus.COMPLETED, "provider"),
    Transition("evaluate", gettext_noop("评价"), (ProjectStatus.COMPLETED,), ProjectStatus.EVALUATED, "requester"),
    Transition("cancel", gettext_noop("取消"), (ProjectStatus.PROPOSED, ProjectStatus.AGREED), ProjectStatus.CANCELLED,
               "either"),
)}


def allowed_actions(user, project: Project) -> list[Transition]:
    result = []
    for transition in TRANSITIONS.values():
        if project.status not in transition.sources:
            continue
        if _may(user, project, transition.side):
            result.append(transition)
    return result


def _may(user, project: Project, side: str) -> bool:
    if side == "requester":
        return requester_side(user, project.need)
    if side == "provider":
        return provider_side(user, project) or can_manage(user, project.conference)
    return requester_side(user, project.need) or provider_side(user, project)


def advance(project: Project, action: str, *, by, rating: int | None = None, outcome: str = "") -> Project:
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError({"action": _t("未知操作:%(a)s") % {"a": action}})
    if not _may(by, project, transition.side):
        raise PermissionDenied(_t("您不能对该项目执行“%(a)s”。") % {"a": _t(transition.label)})
    if action == "evaluate":
        if rating is None or isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise ValidationError({"rating": _t("评分须为 1–5 的整数。")})
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if locked.status not in transition.sources:
            raise ValidationError({"action": _t("项目当前状态为“%(s)s”,不能%(a)s。")
                                   % {"s": locked.get_status_display(), "a": _t(transition.label)}})
        now = timezone.now()
        locked.status = transition.target
        stamp = {"agree": "agreed_at", "start": "started_at", "complete": "completed_at",
                 "evaluate": "evaluated_at"}.get(action)
        if stamp:
            setattr(locked, stamp, now)
        if action == "evaluate":
            locked.rating, locked.outcome = rating, outcome[:500]
        elif action == "complete" and outcome:
            locked.outcome = outcome[:500]
        if action == "cancel":
            _release(Need, locked.need_id, locked.quantity)
            if locked.resource_id:
                _release(Resource, locked.resource_id, locked.quantity)
        locked._change_reason = transition.label  # the source text: each reader sees it in their own language
        locked.save()
    if transition.side == "requester":
        notify(_unit_users(locked.provider), "matching.project_status",
               {"p": locked, "s": ProjectStatus(locked.status).label}, locked.get_absolute_url())
    else:
        _tell_requester(locked, "matching.project_status", {"p": locked, "s": ProjectStatus(locked.status).label})
    return locked


def may_tag(user, project: Project) -> bool:
    """Who may set a project's matrix tags: the people of either side, and the conference's managers."""
    return scope_for(user).everything or requester_side(user, project.need) or provider_side(user, project) \
        or can_manage(user, project.conference)


def tag_project(project: Project, *, by, cells: int | None = None, themes: int | None = None) -> Project:
    """Set the project's cells of the 3×3 matrix and its 党建+ themes (bit masks, jiceng.matrix.tags); None keeps
    what it has. One row, recorded in its change history."""
    if not may_tag(by, project):
        raise PermissionDenied(_t("您不能标注该项目。"))
    with transaction.atomic():
        locked = Project.objects.select_for_update().get(pk=project.pk)
        if cells is not None:
            locked.cells = cells
        if themes is not None:
            locked.themes = themes
        locked.clean_fields(exclude=[f.name for f in Project._meta.fields if f.name not in ("cells", "themes")])
        locked._change_reason = gettext_noop("标注党建矩阵")
        locked.save(update_fields=["cells", "themes"])
    return locked


def _unit_users(unit: MemberUnit) -> list:
    from jiceng.accounts.models import Role, RoleAssignment

    if not unit.enterprise_id:
        return []
    return [ra.user for ra in RoleAssignment.objects.filter(role=Role.UNIT_CONTACT, enterprise_id=unit.enterprise_id)
            .select_related("user")]


def _tell_requester(project: Project, key: str, params: dict) -> None:
    need = project.need
    users = _unit_users(need.requester_unit) if need.requester_unit_id else []
    if need.created_by_id:
        users.append(need.created_by)
    notify(users, key, params, project.get_absolute_url())


# --- engine adapters: suggestions and whole-list proposals --------------------------------------------

def to_need_item(need: Need) -> engine.NeedItem:
    return engine.NeedItem(id=str(need.pk), category=need.category, quantity=need.remaining or need.quantity,
                           lat=float(need.lat), lng=float(need.lng), start=need.start, end=need.end,
                           text=f"{need.title} {need.description}", daily_start=need.daily_start,
                           daily_end=need.daily_end)


def to_resource_item(resource: Resource) -> engine.ResourceItem:
    return engine.ResourceItem(id=str(resource.pk), category=resource.category,
                               capacity=resource.remaining or resource.capacity, lat=float(resource.lat),
                               lng=float(resource.lng), radius_m=float(resource.radius_m), start=resource.start,
                               end=resource.end, text=f"{resource.title} {resource.description}",
                               daily_start=resource.daily_start, daily_end=resource.daily_end)


@dataclass
class Suggestion:
    need: Need
    resource: Resource
    score: float
    reasons: dict


def suggest_resources(need: Need, limit: int = 10, resources: Iterable[Resource] | None = None) -> list[Suggestion]:
    """Open resources of the need's conference that can serve it, best first, with the reasons."""
    if resources is None:
        resources = Resource.objects.filter(conference_id=need.conference_id, status=ListStatus.OPEN,
                                            category=need.category).select_related("unit")
    by_id = {str(r.pk): r for r in resources}
    ranked = engine.rank(to_need_item(need), [to_resource_item(r) for r in by_id.values()], limit=limit)
    return [Suggestion(need, by_id[item.id], score, reasons) for item, score, reasons in ranked]


def suggest_needs_for_units(units: Sequence[MemberUnit], limit: int = 10) -> list[Suggestion]:
    """Open needs that one of these units' open resources can serve (what a unit contact sees first)."""
    resources = list(Resource.objects.filter(unit__in=units, status=ListStatus.OPEN).select_related("unit"))
    if not resources:
        return []
    needs = Need.objects.filter(conference__in={r.conference_id for r in resources}, status=ListStatus.OPEN,
                                category__in={r.category for r in resources}).exclude(requester_unit__in=units)
    best: list[Suggestion] = []
    for need in needs.select_related("conference")[:500]:
        top = suggest_resources(need, limit=1, resources=[r for r in resources if r.conference_id == need.conference_id
                                                          and r.category == need.category])
        if top:
            best.append(top[0])
    best.sort(key=lambda s: -s.score)
    return best[:limit]


@dataclass
class Proposal:
    need: Need
    resource: Resource
    quantity: int
    score: float


def propose_assignment(conference: JointConference, method: str = "lp") -> tuple[list[Proposal], float]:
    """The engine's whole-list assignment over what remains open in one conference."""
    needs = {str(n.pk): n for n in Need.objects.filter(conference=conference, status=ListStatus.OPEN)}
    resources = {str(r.pk): r for r in Resource.objects.filter(conference=conference, status=ListStatus.OPEN)
                 .select_related("unit")}
    result = engine.assign([to_need_item(n) for n in needs.values()],
                           [to_resource_item(r) for r in resources.values()], method=method)
    proposals = [Proposal(needs[a.need], resources[a.resource], a.quantity, a.score) for a in result.assignments]
    proposals.sort(key=lambda p: (-p.score, p.need.pk))
    return proposals, result.total_score


def accept_proposals(conference: JointConference, pairs: Sequence[tuple[int, int, int]], *, by) -> list[Project]:
    """Turn chosen (need, resource, quantity) proposals into projects, all or nothing."""
    if not can_manage(by, conference):
        raise PermissionDenied(_t("只有联席会议的管理人员可以撮合。"))
    projects = []
    with transaction.atomic():
        for need_id, resource_id, quantity in pairs:
            need = Need.objects.get(pk=need_id, conference=conference)
            resource = Resource.objects.select_related("unit").get(pk=resource_id, conference=conference)
            projects.append(claim_need(need, unit=resource.unit, quantity=quantity, by=by, resource=resource,
                                       kind=ClaimKind.PROPOSAL))
    return projects
