"""The six-month rule (党章 第九条: 党员如果没有正当理由,连续六个月不参加党的组织生活,或不交纳党费,或不做党所
分配的工作,就被认为是自行脱党): members with no record of one of these for six consecutive months are listed for
their branch to handle.

Each kind of record is a *source*: it gives the records on or after a date (so the database finds the members
lacking one with NOT EXISTS, whatever the size of the organization) and, for the members on a page, the date
of each one's latest record. A source may also say to whom it applies: assigned work concerns only members who
were given work (a member never given any is not "not doing" it). The sources:

- dues (registered here): a payment for a month in the window;
- assigned work (registered here): a task done in the window; it applies to a member with a task assigned
  before the window and overdue, undone;
- organizational life (registered by the activities app with `register_source`): attendance at an activity of
  a kind the 三会一课 rules count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AssignedWork, DuesPayment, Member

LatestBySource = Callable[[list[int]], dict[int, dt.date]]
RecordsSince = Callable[[dt.date], QuerySet]
AppliesTo = Callable[[dt.date, dt.date], QuerySet]


@dataclass(frozen=True)
class Source:
    label: str
    latest: LatestBySource  # member ids → each one's latest record date (for the rows shown)
    since: RecordsSince  # a date → the source's records on or after it (a queryset with a `member` key)
    # (cutoff, today) → rows (with a `member` key) of the members the source concerns; None: every member.
    applies: AppliesTo | None = None


_SOURCES: dict[str, Source] = {}


def register_source(code: str, label: str, latest: LatestBySource, since: RecordsSince,
                    applies: AppliesTo | None = None) -> None:
    _SOURCES[code] = Source(label, latest, since, applies)


def source_labels() -> dict[str, str]:
    return {code: source.label for code, source in _SOURCES.items()}


def _latest_dues(member_ids: list[int]) -> dict[int, dt.date]:
    rows = DuesPayment.objects.filter(member_id__in=member_ids).values("member_id").annotate(last=Max("month"))
    return {row["member_id"]: row["last"] for row in rows}


register_source("dues", _("缴纳党费"), _latest_dues, lambda start: DuesPayment.objects.filter(month__gte=start))


def _latest_work(member_ids: list[int]) -> dict[int, dt.date]:
    rows = (AssignedWork.objects.filter(member_id__in=member_ids, done__isnull=False).values("member_id")
            .annotate(last=Max("done")).order_by())
    return {row["member_id"]: row["last"] for row in rows}


def _work_owed(cutoff: dt.date, today: dt.date) -> QuerySet:
    """Work that makes the rule concern a member: assigned before the window, past its due date, not done."""
    return AssignedWork.objects.filter(done__isnull=True, assigned__lt=cutoff, due__lt=today)


register_source("work", _("做党组织分配的工作"), _latest_work,
                lambda start: AssignedWork.objects.filter(done__gte=start), applies=_work_owed)


@dataclass
class InactiveMember:
    member: Member
    missing: dict[str, dt.date | None]  # source code → latest record (None: never)


def cutoff_date(today: dt.date | None = None) -> dt.date:
    """The first day of the six-month window: a record on or after it keeps a member off the list."""
    today = today or timezone.localdate()
    return (today - relativedelta(months=settings.JICENG["INACTIVITY_MONTHS"])).replace(day=1)


def inactive_queryset(members: QuerySet[Member], *, today: dt.date | None = None) -> QuerySet[Member]:
    """The members of `members` lacking a record of at least one source since the cutoff.

    Members who left, and those who joined (or came back) after the cutoff — they cannot have six empty months
    yet — are not listed.
    """
    today = today or timezone.localdate()
    cutoff = cutoff_date(today)
    lacking = Q()
    for source in _SOURCES.values():
        missing = ~Exists(source.since(cutoff).filter(member=OuterRef("pk")))
        if source.applies is not None:
            missing &= Exists(source.applies(cutoff, today).filter(member=OuterRef("pk")))
        lacking |= missing
    return members.filter(left_on__isnull=True, join_date__lte=cutoff).filter(lacking)


def describe(members: Iterable[Member], *, today: dt.date | None = None) -> list[InactiveMember]:
    """For members already found inactive (a page of `inactive_queryset`): what each one lacks, and since when."""
    today = today or timezone.localdate()
    cutoff = cutoff_date(today)
    members = list(members)
    ids = [m.pk for m in members]
    latest = {code: source.latest(ids) for code, source in _SOURCES.items()}
    concerned = {code: set(source.applies(cutoff, today).filter(member_id__in=ids).values_list("member_id",
                                                                                                flat=True))
                 for code, source in _SOURCES.items() if source.applies is not None}
    result = []
    for member in members:
        missing = {code: dates.get(member.pk) for code, dates in latest.items()
                   if (code not in concerned or member.pk in concerned[code])
                   and (dates.get(member.pk) is None or dates[member.pk] < cutoff)}
        if missing:
            result.append(InactiveMember(member, missing))
    return result


def inactive_members(members: QuerySet[Member], *, today: dt.date | None = None) -> list[InactiveMember]:
    """The whole list with what each member lacks (exports and tests; pages use inactive_queryset + describe)."""
    return describe(inactive_queryset(members, today=today), today=today)
