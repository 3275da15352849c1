"""The six-month rule (constitution, art. 9): members with no organizational life, no dues payment or no
assigned work for six consecutive months are listed for their branch to handle.

Each kind of record is a *source*: it gives the records on or after a date (so the database finds the members
lacking one with NOT EXISTS, whatever the size of the organization) and, for the members on a page, the date
of each one's latest record. Dues payments are a source here; the activities capability registers attendance
(and assigned work) as further sources with `register_source`, and the report picks them up without change.
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

from .models import DuesPayment, Member

LatestBySource = Callable[[list[int]], dict[int, dt.date]]
RecordsSince = Callable[[dt.date], QuerySet]


@dataclass(frozen=True)
class Source:
    label: str
    latest: LatestBySource  # member ids → each one's latest record date (for the rows shown)
    since: RecordsSince  # a date → the source's records on or after it (a queryset with a `member` key)


_SOURCES: dict[str, Source] = {}


def register_source(code: str, label: str, latest: LatestBySource, since: RecordsSince) -> None:
    _SOURCES[code] = Source(label, latest, since)


def source_labels() -> dict[str, str]:
    return {code: source.label for code, source in _SOURCES.items()}


def _latest_dues(member_ids: list[int]) -> dict[int, dt.date]:
    rows = DuesPayment.objects.filter(member_id__in=member_ids).values("member_id").annotate(last=Max("month"))
    return {row["member_id"]: row["last"] for row in rows}


register_source("dues", _("缴纳党费"), _latest_dues, lambda start: DuesPayment.objects.filter(month__gte=start))


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
    cutoff = cutoff_date(today)
    lacking = Q()
    for source in _SOURCES.values():
        lacking |= ~Exists(source.since(cutoff).filter(member=OuterRef("pk")))
    return members.filter(left_on__isnull=True, join_date__lte=cutoff).filter(lacking)


def describe(members: Iterable[Member], *, today: dt.date | None = None) -> list[InactiveMember]:
    """For members already found inactive (a page of `inactive_queryset`): what each one lacks, and since when."""
    cutoff = cutoff_date(today)
    members = list(members)
    ids = [m.pk for m in members]
    latest = {code: source.latest(ids) for code, source in _SOURCES.items()}
    result = []
    for member in members:
        missing = {code: dates.get(member.pk) for code, dates in latest.items()
                   if dates.get(member.pk) is None or dates[member.pk] < cutoff}
        if missing:
            result.append(InactiveMember(member, missing))
    return result


def inactive_members(members: QuerySet[Member], *, today: dt.date | None = None) -> list[InactiveMember]:
    """The whole list with what each member lacks (exports and tests; pages use inactive_queryset + describe)."""
    return describe(inactive_queryset(members, today=today), today=today)
