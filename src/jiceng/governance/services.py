"""Use cases of building governance: councils and members, choosing the head by 一推三公示, the four officers,
council meetings and their decisions, demands routed to the head (有事找楼长), the building's three lists.

Every write is one transaction and raises a ValidationError naming the field for bad input (nothing saved).
Periods are counted in working days on the official calendar (jiceng.holidays.calendar.WorkCalendar), never in
calendar days: a notice published before 国庆 runs past the holiday.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import Role, RoleAssignment
from jiceng.accounts.notify import notify
from jiceng.accounts.permissions import can_write
from jiceng.core.scoping import scope_for
from jiceng.holidays.calendar import WorkCalendar

from .models import (
    OPEN_SELECTION_STATUSES,
    AgendaItem,
    Council,
    CouncilMeeting,
    CouncilMember,
    Decision,
    DecisionStatus,
    HeadSelection,
    Notice,
    NoticeRule,
    NoticeStage,
    NoticeStatus,
    Objection,
    ObjectionStatus,
    OfficerAssignment,
    OfficerKind,
    SelectionStatus,
    person_name,
)

# --- who may do what ------------------------------------------------------------------------------------------


def _in_scope(user, obj) -> bool:
    return type(obj).objects.restrict(user).filter(pk=obj.pk).exists()


def can_manage_council(user, council: Council) -> bool:
    """Councils, their members and the head's selection: district admins, street staff and building workers over
    the council's place (a building head does not run the selection of their own successor)."""
    return can_write(user, Council) and _in_scope(user, council)


def can_run_meetings(user, council: Council) -> bool:
    """Meetings and decisions: the managers above, and the council's building heads."""
    return can_write(user, CouncilMeeting) and _in_scope(user, council)


def councils_headed(user) -> QuerySet[Council]:
    if not getattr(user, "is_authenticated", False):
        return Council.objects.none()
    return Council.objects.filter(head__user=user)


# --- councils -------------------------------------------------------------------------------------------------


@transaction.atomic
def create_council(*, place, name: str = "", established: dt.date | None = None, description: str = "",
                   alliance=None, by=None) -> Council:
    """A council for a building or park, with its building-level three lists (a joint conference at the place)."""

    if Council.objects.filter(place=place).exists():
        raise ValidationError({"place": _("该楼宇已有楼事会。")})
    council = Council(place=place, name=(name or _("%(place)s楼事会") % {"place": place.name})[:100],
                      established=established, description=description, alliance=alliance)
    council.full_clean()
    council.save()
    ensure_conference(council)
    return council


def ensure_conference(council: Council):
    """The council's three lists: a joint conference at the building, made once."""
    from jiceng.matching.models import JointConference

    if council.conference_id:
        return council.conference
    conference, _created = JointConference.objects.get_or_create(
        place=council.place, name=(_("%(council)s三张清单") % {"council": council.name})[:100])
    Council.objects.filter(pk=council.pk).update(conference=conference)
    council.conference = conference
    return conference


def add_member(council: Council, **values) -> CouncilMember:
    member = CouncilMember(council=council, **values)
    member.full_clean()
    member.save()
    return member


# --- 一推三公示 -------------------------------------------------------------------------------------------------


def notice_rule(council: Council) -> int:
    return NoticeRule.days_for(council.place)


def _period_end(published: dt.date, days: int, calendar: WorkCalendar) -> dt.date:
    # The period runs for `days` working days after the day of publication (as demand deadlines count).
    return calendar.add_working_days(published, days)


NOTICE_TEXT = {
    NoticeStage.NOMINEE: "经{council}推荐,拟推荐{name}{title}为{place}楼长人选,现予公示。",
    NoticeStage.CANDIDATE: "推荐人选公示期满无异议,{name}{title}确定为{place}楼长候选人,现予公示。",
    NoticeStage.RESULT: "经{council}研究决定,{name}{title}为{place}楼长,现将结果予以公示。",
}
NOTICE_TAIL = ("公示期自{start}起至{end}止(共 {days} 个工作日,节假日顺延)。公示期间,如对公示对象有异议,"
               "可向{council}或{street}反映。")


def notice_text(selection: HeadSelection, stage: int, published: dt.date, ends: dt.date) -> str:
    council, nominee = selection.council, selection.nominee
    values = {"council": council.name, "name": nominee.name, "title": f"({nominee.title})" if nominee.title else "",
              "place": council.place.name, "start": published.isoformat(), "end": ends.isoformat(),
              "days": selection.notice_days, "street": council.place.street.name if council.place.street_id else ""}
    return (NOTICE_TEXT[NoticeStage(stage)] + NOTICE_TAIL).format(**values)


def _publish(selection: HeadSelection, stage: int, today: dt.date, calendar: WorkCalendar) -> Notice:
    ends = _period_end(today, selection.notice_days, calendar)
    return Notice.objects.create(selection=selection, stage=stage, published_on=today, ends_on=ends,
                                 text=notice_text(selection, stage, today, ends))


def _check_days(value, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError({"notice_days": _("公示期须为整数个工作日。")})
    if value < minimum:
        # domain.md: each notice period is configurable with a minimum (default five working days); a shorter
        # period would not give the building's people the time the rule grants them to object.
        raise ValidationError({"notice_days": _("公示期不能少于规定的 %(n)s 个工作日。") % {"n": minimum}})
    if value > 60:
        raise ValidationError({"notice_days": _("公示期不能超过 60 个工作日。")})
    return value


def nominate(council: Council, nominee: CouncilMember, *, by=None, today: dt.date | None = None,
             notice_days: int | None = None, note: str = "") -> HeadSelection:
    """The council's recommendation (推): records the selection and publishes the first notice (the nominee)."""
    today = today or timezone.localdate()
    minimum = notice_rule(council)
    days = _check_days(minimum if notice_days is None else notice_days, minimum)
    if nominee is None or nominee.council_id != council.pk:
        raise ValidationError({"nominee": _("被推荐人须是本楼事会的成员。")})
    if not nominee.serving_on(today):
        raise ValidationError({"nominee": _("被推荐人不在任期内。")})
    if nominee.user_id is None or not nominee.user.is_active:
        raise ValidationError({"nominee": _("被推荐人须有可用的登录账号(任命后授予楼长角色)。")})
    try:
        with transaction.atomic():
            Council.objects.select_for_update().filter(pk=council.pk).first()  # one nomination at a time
            if HeadSelection.objects.filter(council=council, status__in=OPEN_SELECTION_STATUSES).exists():
                raise ValidationError({"council": _("该楼事会已有进行中的楼长推选,须待其结束后再推荐。")})
            selection = HeadSelection.objects.create(
                council=council, nominee=nominee, nominated_on=today, nomination_note=note.strip()[:2000],
                notice_days=days, nominated_by=by if getattr(by, "is_authenticated", False) else None)
            _publish(selection, NoticeStage.NOMINEE, today, WorkCalendar())
    except IntegrityError as exc:  # the partial unique index: a simultaneous nomination won
        raise ValidationError({"council": _("该楼事会已有进行中的楼长推选,须待其结束后再推荐。")}) from exc
    return selection


def _locked(selection: HeadSelection) -> HeadSelection:
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the joins (the nominee's account).
    return HeadSelection.objects.select_for_update(of=("self",)).select_related("council", "council__place", "nominee",
                                                                   "nominee__user").get(pk=selection.pk)


def current_notice(selection: HeadSelection) -> Notice | None:
    return selection.notices.order_by("-stage").first()


def advance(selection: HeadSelection, *, by=None, today: dt.date | None = None) -> HeadSelection:
    """Close the current notice once its period is over without a pending objection, then publish the next one;
    after the result notice, appoint the head."""
    today = today or timezone.localdate()
    with transaction.atomic():
        selection = _locked(selection)
        notice = current_notice(selection)
        if selection.status == SelectionStatus.PAUSED:
            raise ValidationError({"status": _("有待处理的异议,推选已暂停;异议处理后才能继续。")})
        if selection.status != SelectionStatus.NOTICE or notice is None:
            raise ValidationError({"status": _("该推选已结束。")})
        if today <= notice.ends_on:
            raise ValidationError({"notice": _("%(stage)s至 %(date)s 止,期满后才能进入下一步。")
                                   % {"stage": notice.get_stage_display(), "date": notice.ends_on.isoformat()}})
        notice.status, notice.closed_on = NoticeStatus.PASSED, today
        notice.save()
        if notice.stage < NoticeStage.RESULT:
            _publish(selection, notice.stage + 1, today, WorkCalendar())
        else:
            _appoint(selection, today)
    return selection


def _appoint(selection: HeadSelection, today: dt.date) -> None:
    council = Council.objects.select_for_update(of=("self",)).select_related("head__user", "place").get(
        pk=selection.council_id)
    nominee = selection.nominee
    previous = council.head
    council.head, council.head_since = nominee, today
    council.save()
    selection.status, selection.appointed_on = SelectionStatus.APPOINTED, today
    selection.save()
    # The head's access follows the office: the new head gets the building-head role for this building, and the
    # one replaced loses it (least privilege, OWASP ASVS V4.1.3: access ends with the duty that needed it).
    RoleAssignment.objects.get_or_create(user=nominee.user, role=Role.BUILDING_HEAD, place=council.place)
    if previous is not None and previous.user_id and previous.user_id != nominee.user_id:
        RoleAssignment.objects.filter(user_id=previous.user_id, role=Role.BUILDING_HEAD, place=council.place).delete()
    notify([nominee.user], "governance.head_appointed", {"place": council.place.name}, council.get_absolute_url())


def advance_due(today: dt.date | None = None) -> int:
    """The periodic job: move on every selection whose current notice period ended without objection."""
    today = today or timezone.localdate()
    moved = 0
    due = Notice.objects.filter(status=NoticeStatus.RUNNING, ends_on__lt=today,
                                selection__status=SelectionStatus.NOTICE).values_list("selection", flat=True)
    for pk in list(due):
        try:
            advance(HeadSelection(pk=pk), today=today)
            moved += 1
        except ValidationError:
            continue
    return moved


def raise_objection(selection: HeadSelection, *, text: str, raised_by_name: str = "", by=None,
                    today: dt.date | None = None) -> Objection:
    """Record an objection during the current notice period: the selection pauses until it is resolved."""
    today = today or timezone.localdate()
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写异议内容。")})
    with transaction.atomic():
        selection = _locked(selection)
        notice = current_notice(selection)
        if not selection.is_open or notice is None:
            raise ValidationError({"selection": _("该推选已结束,不能再提出异议。")})
        if notice.status == NoticeStatus.RUNNING and not (notice.published_on <= today <= notice.ends_on):
            raise ValidationError({"raised_on": _("异议须在公示期内(%(start)s 至 %(end)s)提出。")
                                   % {"start": notice.published_on.isoformat(), "end": notice.ends_on.isoformat()}})
        objection = Objection.objects.create(notice=notice, raised_on=today, raised_by_name=raised_by_name.strip()[:50],
                                             text=text[:2000], recorded_by=by if getattr(by, "is_authenticated",
                                                                                          False) else None)
        if notice.status == NoticeStatus.RUNNING:
            notice.status, notice.paused_on = NoticeStatus.PAUSED, today
            notice.save()
            selection.status = SelectionStatus.PAUSED
            selection.save()
    notify(_managers(selection.council), "governance.objection_raised", {"s": str(selection)},
           selection.get_absolute_url())
    return objection


def resolve_objection(objection: Objection, *, outcome: str, reason: str, by=None,
                      today: dt.date | None = None) -> Objection:
    """Upheld: the selection ends. Dismissed (with the reason): the notice period continues where it stopped."""
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if outcome not in (ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED):
        raise ValidationError({"outcome": _("处理结果须为“异议成立”(upheld)或“异议不成立”(dismissed)。")})
    if not reason:
        raise ValidationError({"resolution": _("请填写处理意见(理由)。")})
    with transaction.atomic():
        selection = _locked(objection.notice.selection)
        objection = Objection.objects.select_for_update(of=("self",)).select_related("notice").get(pk=objection.pk)
        if objection.status != ObjectionStatus.PENDING:
            raise ValidationError({"objection": _("该异议已处理。")})
        if not selection.is_open:
            raise ValidationError({"objection": _("该推选已结束。")})
        notice = objection.notice
        objection.status, objection.resolution, objection.resolved_on = outcome, reason[:2000], today
        objection.resolved_by = by if getattr(by, "is_authenticated", False) else None
        objection.save()
        if outcome == ObjectionStatus.UPHELD:
            notice.status, notice.closed_on = NoticeStatus.STOPPED, today
            notice.save()
            selection.status, selection.ended_on = SelectionStatus.ENDED, today
            selection.ended_reason = _("异议成立:%(reason)s") % {"reason": reason}
            selection.save()
        elif not notice.objections.filter(status=ObjectionStatus.PENDING).exists():
            _resume(selection, notice, today)
    return objection


def _resume(selection: HeadSelection, notice: Notice, today: dt.date) -> None:
    """The period continues: the working days left when it paused are counted again from today."""
    calendar = WorkCalendar()
    left = calendar.working_days_between(notice.paused_on, notice.ends_on) if notice.paused_on else 0
    ends = calendar.add_working_days(today, left) if left else today
    notice.ends_on = max(ends, notice.published_on + dt.timedelta(days=1))
    notice.status, notice.paused_on = NoticeStatus.RUNNING, None
    notice.save()
    selection.status = SelectionStatus.NOTICE
    selection.save()


def withdraw(selection: HeadSelection, *, reason: str, by=None, today: dt.date | None = None) -> HeadSelection:
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"ended_reason": _("请填写终止原因。")})
    with transaction.atomic():
        selection = _locked(selection)
        if not selection.is_open:
            raise ValidationError({"status": _("该推选已结束。")})
        notice = current_notice(selection)
        if notice is not None:
            notice.status, notice.closed_on = NoticeStatus.STOPPED, today
            notice.save()
        selection.status, selection.ended_on, selection.ended_reason = SelectionStatus.ENDED, today, reason[:2000]
        selection.save()
    return selection


def _managers(council: Council):
    """Who runs a council's selection: street staff of its street and building workers over its place."""
    from django.contrib.auth import get_user_model

    ancestors = [int(p) for p in council.place.path.strip("/").split("/") if p]
    return get_user_model().objects.filter(
        Q(role_assignments__role=Role.STREET_STAFF, role_assignments__place_id=council.street_id)
        | Q(role_assignments__role=Role.BUILDING_WORKER, role_assignments__place_id__in=ancestors),
        is_active=True).distinct()


# --- 有事找楼长: demands routed to the head -----------------------------------------------------------------------


def head_for_place(place) -> Council | None:
    """The council with a head that covers `place` (the building itself or the park/building it is in)."""
    if place is None:
        return None
    ids = [int(p) for p in place.path.strip("/").split("/") if p]
    return (Council.objects.filter(place_id__in=ids, head__user__is_active=True)
            .select_related("head__user", "place").order_by("-place__depth").first())


def route_demand(demand):
    """Router for jiceng.demands.workflow: a demand at a building with a head goes to the head first."""
    council = head_for_place(demand.place)
    return council.head.user if council is not None else None


# --- the four officers ------------------------------------------------------------------------------------------


def assign_officer(*, enterprise, kind: str, person, by, note: str = "") -> OfficerAssignment:
    from jiceng.enterprises.models import Enterprise

    if not Enterprise.objects.restrict(by).filter(pk=enterprise.pk).exists():
        raise ValidationError({"enterprise": _("未找到该企业(或不在您的管辖范围内)。")})
    assignment = OfficerAssignment(enterprise=enterprise, kind=kind, person=person, note=note)
    assignment.full_clean()
    assignment.save()
    return assignment


@dataclass
class Workload:
    person: object
    counts: dict[str, int] = field(default_factory=dict)
    buildings: set[str] = field(default_factory=set)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def name(self) -> str:
        return person_name(self.person)

    def count(self, kind: str) -> int:
        return self.counts.get(kind, 0)

    @property
    def cells(self) -> list[int]:
        return [self.counts.get(kind, 0) for kind in OfficerKind.values]

    @property
    def labelled_cells(self) -> list[tuple[str, int]]:
        """(kind's label, count) for each kind: the phone's cards label each figure."""
        return [(label, self.counts.get(kind, 0)) for kind, label in OfficerKind.choices]


def workloads(assignments: QuerySet[OfficerAssignment]) -> list[Workload]:
    """Per officer: how many enterprises of each kind, and in which buildings (one grouped query, one for names)."""
    from django.contrib.auth import get_user_model

    rows = (assignments.order_by().values_list("person", "kind", "enterprise__place__name")
            .annotate(n=Count("pk")))
    by_person: dict[int, Workload] = {}
    people = {}
    for person_id, kind, building, n in rows:
        load = by_person.setdefault(person_id, Workload(person=None))
        load.counts[kind] = load.counts.get(kind, 0) + n
        load.buildings.add(building)
    if by_person:
        people = {u.pk: u for u in get_user_model().objects.filter(pk__in=list(by_person))}
    for pk, load in by_person.items():
        load.person = people.get(pk)
    return sorted(by_person.values(), key=lambda w: (-w.total, w.name))


def gap_enterprises(enterprises: QuerySet) -> QuerySet:
    """Enterprises without one of the four officers."""
    complete = (OfficerAssignment.objects.filter(enterprise__in=enterprises.values("pk")).order_by()
                .values("enterprise").annotate(n=Count("kind", distinct=True)).filter(n__gte=len(OfficerKind.values))
                .values("enterprise"))
    return enterprises.exclude(pk__in=complete)


def governed_enterprises(place) -> QuerySet:
    """The enterprises where the four-officer system applies: those in buildings or parks with a council, under
    `place` (a council's place, or a street or district holding councils)."""
    from jiceng.enterprises.models import Enterprise

    ancestors = [int(p) for p in place.path.strip("/").split("/") if p]
    paths = list(Council.objects.filter(Q(place__path__startswith=place.path) | Q(place__in=ancestors))
                 .values_list("place__path", flat=True))
    if not paths:
        return Enterprise.objects.none()
    q = Q(pk__in=[])
    for path in set(paths):
        q |= Q(place__path__startswith=path)
    return Enterprise.objects.filter(q).filter(place__path__startswith=place.path)


def officer_gaps(place, limit: int | None = None) -> list[tuple[object, list[str]]]:
    """(enterprise, the kinds it lacks) for the governed enterprises under `place`, in name order."""
    gaps = gap_enterprises(governed_enterprises(place)).only("pk", "name", "place").order_by("name", "pk")
    if limit is not None:
        gaps = gaps[:limit]
    gaps = list(gaps)
    have = defaultdict(set)
    for enterprise_id, kind in OfficerAssignment.objects.filter(enterprise__in=[e.pk for e in gaps]).values_list(
            "enterprise", "kind"):
        have[enterprise_id].add(kind)
    labels = dict(OfficerKind.choices)
    return [(e, [str(labels[k]) for k in OfficerKind.values if k not in have[e.pk]]) for e in gaps]


def officer_gap_filters() -> tuple[Q, Q]:
    """Conditions on enterprises: (governed — a council's place is the enterprise's place or above it, i.e. the
    council's place path is a prefix of the enterprise's place path; governed and lacking one of the four officers).
    As conditions, so the coverage report counts them in the query that counts its enterprises (its page is held to
    20 queries)."""
    from django.db.models import CharField, Exists, OuterRef, Value
    from django.db.models.functions import Cast, Concat
    from django.db.models.lookups import Contains

    # A place's path lists its ancestors' ids ("/3319/3536/3552/"): a council governs the enterprise when its place's
    # id is in the enterprise's place's path. Read from the council table alone: joined to the places to compare
    # paths, SQLite without statistics for the (new, small) council table scanned every place for each enterprise
    # (a street's coverage report took 10 s at city scale, with no council at all).
    needle = Concat(Value("/"), Cast("place_id", output_field=CharField()), Value("/"))
    councils = Council.objects.filter(Contains(OuterRef("place__path"), needle))
    complete = (OfficerAssignment.objects.order_by().values("enterprise")
                .annotate(n=Count("kind", distinct=True)).filter(n__gte=len(OfficerKind.values)).values("enterprise"))
    governed = Q(Exists(councils))
    return governed, governed & ~Q(pk__in=complete)


def officer_gap_count(place) -> tuple[int, int]:
    """(enterprises lacking one of the four officers, enterprises where the system applies) under `place`."""
    from jiceng.enterprises.models import Enterprise
    from jiceng.organizations.coverage import _in_place

    governed, gaps = officer_gap_filters()
    counts = _in_place(Enterprise.objects.all(), place).aggregate(
        total=Count("pk", filter=governed), gaps=Count("pk", filter=gaps))
    return counts["gaps"], counts["total"]


# --- council meetings and decisions -----------------------------------------------------------------------------


@dataclass
class DecisionInput:
    text: str
    owner: CouncilMember | None
    due_in_working_days: int


def _decision(meeting: CouncilMeeting, item: DecisionInput, calendar: WorkCalendar, position: int | None = None
              ) -> Decision:
    where = (_("第 %(n)s 项决议:") % {"n": position}) if position else ""
    if item.owner is None:
        raise ValidationError({"owner": where + _("决议须指定责任人。")})
    if not (item.text or "").strip():
        raise ValidationError({"text": where + _("请填写决议事项。")})
    days = item.due_in_working_days
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 250:
        raise ValidationError({"due_in_working_days": where + _("办理时限须为 1–250 个工作日。")})
    held = timezone.localtime(meeting.held_at).date()
    decision = Decision(meeting=meeting, text=item.text.strip()[:500], owner=item.owner, due_in_working_days=days,
                        due_date=calendar.add_working_days(held, days))
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def record_meeting(council: Council, *, title: str, held_at: dt.datetime, by=None, location: str = "",
                   agenda: Sequence[str] = (), attendees: Iterable[CouncilMember] = (), guests: str = "",
                   minutes: str = "", decisions: Sequence[DecisionInput] = ()) -> CouncilMeeting:
    """A meeting with its agenda, attendance, minutes and decisions, all or nothing."""
    meeting = CouncilMeeting(council=council, title=(title or "").strip()[:100], held_at=held_at,
                             location=location[:100], guests=guests[:300], minutes=minutes,
                             created_by=by if getattr(by, "is_authenticated", False) else None)
    meeting.full_clean()
    meeting.save()
    attendees = list(attendees)
    if any(member.council_id != council.pk for member in attendees):
        raise ValidationError({"attendees": _("出席成员须是本楼事会的成员。")})
    meeting.attendees.set(attendees)
    for position, title_ in enumerate([a.strip() for a in agenda if a and a.strip()], start=1):
        AgendaItem.objects.create(meeting=meeting, position=position, title=title_[:200])
    calendar = WorkCalendar()
    for position, item in enumerate(decisions, start=1):
        _decision(meeting, item, calendar, position if len(decisions) > 1 else None)
    return meeting


def add_decision(meeting: CouncilMeeting, item: DecisionInput) -> Decision:
    with transaction.atomic():
        return _decision(meeting, item, WorkCalendar())


def complete_decision(decision: Decision, *, outcome: str = "", by=None, today: dt.date | None = None) -> Decision:
    with transaction.atomic():
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        if decision.status == DecisionStatus.DONE:
            raise ValidationError({"status": _("该决议已办结。")})
        decision.status, decision.done_on = DecisionStatus.DONE, today or timezone.localdate()
        decision.outcome = (outcome or "").strip()[:500]
        decision.save()
    return decision


def _convertible(decision: Decision) -> Decision:
    decision = Decision.objects.select_for_update(of=("self",)).select_related("meeting__council__place").get(
        pk=decision.pk)
    if decision.converted:
        raise ValidationError({"decision": _("该决议已转办。")})
    return decision


def decision_to_demand(decision: Decision, *, by):
    """The decision as a demand to the street (the existing demand workflow), in one step."""
    from jiceng.demands import workflow
    from jiceng.demands.models import DemandSource, RequesterKind

    with transaction.atomic():
        decision = _convertible(decision)
        council = decision.meeting.council
        # Not routed back to the head: the council itself asks the street for what it cannot settle.
        demand = workflow.submit(text=_("楼事会决议:%(text)s") % {"text": decision.text}, place=council.place,
                                 title=decision.text[:100], user=by, source=DemandSource.WEB,
                                 requester_kind=RequesterKind.RESIDENT, requester_name=council.name[:50],
                                 route=False)
        decision.demand = demand
        decision.save()
    return demand


def _need_for(decision: Decision, *, by, category: str, quantity: int):
    from jiceng.matching import services as lists
    from jiceng.matching.models import Need

    council = decision.meeting.council
    conference = ensure_conference(council)
    place = council.place
    if place.lat is None or place.lng is None:
        raise ValidationError({"need": _("楼宇“%(place)s”没有坐标,不能登记清单需求;请先在地域中补充经纬度。")
                               % {"place": place.name}})
    start = timezone.now().replace(microsecond=0)
    end = timezone.make_aware(dt.datetime.combine(decision.due_date, dt.time(18, 0)))
    if end <= start:
        end = start + dt.timedelta(days=30)
    need = Need(conference=conference, title=decision.text[:100], description=decision.text, category=category,
                quantity=quantity, start=start, end=end, requester_kind="community",
                requester_name=council.name[:100], location=(place.address or place.name)[:200],
                lat=place.lat, lng=place.lng)
    return lists.save_need(need, by=by)


def decision_to_need(decision: Decision, *, by, category: str = "other", quantity: int = 1):
    """The decision as a need on the building's three lists."""
    with transaction.atomic():
        decision = _convertible(decision)
        need = _need_for(decision, by=by, category=category, quantity=quantity)
        decision.need = need
        decision.save()
    return need


def decision_to_project(decision: Decision, *, unit, by, category: str = "other", quantity: int = 1):
    """The decision as a project: a need on the building's lists, claimed at once by the chosen member unit."""
    from jiceng.matching import services as lists

    with transaction.atomic():
        decision = _convertible(decision)
        need = _need_for(decision, by=by, category=category, quantity=quantity)
        if unit is None or unit.conference_id != need.conference_id:
            raise ValidationError({"unit": _("承接单位须是本楼宇清单的成员单位。")})
        project = lists.claim_need(need, unit=unit, quantity=quantity, by=by, note=decision.text[:500])
        decision.need, decision.project = need, project
        decision.save()
    return project


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def scope_roles(user) -> set[str]:
    return scope_for(user).roles
