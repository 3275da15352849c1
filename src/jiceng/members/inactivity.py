"""The six-month rule (constitution, art. 9): members with no organizational life, no dues payment or no
assigned work for six consecutive months are listed for their branch to handle.

Each kind of record is a *source*: a function giving, for a set of members, the date of their latest
record. Dues payments are a source here; the activities capability registers attendance and assigned work
as further sources with `register_source`, and the report picks them up without change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import DuesPayment, Member

LatestBySource = Callable[[list[int]], dict[int, dt.date]]
_SOURCES: dict[str, tuple[str, LatestBySource]] = {}


def register_source(code: str, label: str, latest: LatestBySource) -> None:
    _SOURCES[code] = (label, latest)


def source_labels() -> dict[str, str]:
    return {code: label for code, (label, _latest) in _SOURCES.items()}


def _latest_dues(member_ids: list[int]) -> dict[int, dt.date]:
    rows = DuesPayment.objects.filter(member_id__in=member_ids).values("member_id").annotate(last=Max("month"))
    return {row["member_id"]: row["last"] for row in rows}


register_source("dues", _("缴纳党费"), _latest_dues)


@dataclass
class InactiveMember:
    member: Member
    missing: dict[str, dt.date | None]  # source code → latest record (None: never)


def inactive_members(members: QuerySet[Member] | Iterable[Member], *,
                     today: dt.date | None = None) -> list[InactiveMember]:
    today = today or timezone.localdate()
    cutoff = (today - relativedelta(months=settings.JICENG["INACTIVITY_MONTHS"])).replace(day=1)
    # Members who joined (or came back) less than six months ago cannot have six empty months yet.
    candidates = [m for m in members if not m.left_on and m.join_date <= cutoff]
    ids = [m.pk for m in candidates]
    latest = {code: fn(ids) for code, (_label, fn) in _SOURCES.items()}
    result = []
    for member in candidates:
        missing = {code: dates.get(member.pk) for code, dates in latest.items()
                   if dates.get(member.pk) is None or dates[member.pk] < cutoff}
        if missing:
            result.append(InactiveMember(member, missing))
    return result
