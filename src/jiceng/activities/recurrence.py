"""Recurring series: an RFC 5545 RRULE built from a simple form, expanded with dateutil, checked against the
official working-day calendar, and turned into Activity rows.

A date the rule gives that is a public holiday or a rest day (weekends, 调休) is flagged; the organizer decides
per date to keep it, move it to the next working day or skip it.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from dateutil import rrule as du
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.holidays.calendar import WorkCalendar

from . import conf
from .models import Activity, Series


class Freq:
    WEEKLY = "weekly"
    MONTHLY_WEEKDAY = "monthly_weekday"  # e.g. the second Thursday
    MONTHLY_DAY = "monthly_day"  # e.g. the 15th


class Choice:
    KEEP = "keep"
    MOVE = "move"
    SKIP = "skip"


WEEKDAY_CODES = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def build_rrule(freq: str, *, interval: int = 1, weekdays: list[int] | tuple[int, ...] = (),
                ordinal: int | None = None, weekday: int | None = None, monthday: int | None = None) -> str:
    """An RRULE from the simple form: weekly on some weekdays, monthly on the n-th weekday or on a day.

    Weekdays are 0 (Monday) … 6 (Sunday); `ordinal` is 1–4 or -1 (the last one in the month).
    """
    if not 1 <= (interval or 0) <= 12:
        raise ValidationError({"interval": _("间隔须为 1 至 12。")})
    every = f";INTERVAL={interval}" if interval > 1 else ""
    if freq == Freq.WEEKLY:
        days = sorted(set(weekdays))
        if not days or any(d not in range(7) for d in days):
            raise ValidationError({"weekdays": _("请选择每周的哪几天。")})
        return f"FREQ=WEEKLY{every};BYDAY={','.join(WEEKDAY_CODES[d] for d in days)}"
    if freq == Freq.MONTHLY_WEEKDAY:
        if ordinal not in (1, 2, 3, 4, -1):
            raise ValidationError({"ordinal": _("请选择第几个(第一至第四,或最后一个)。")})
        if weekday not in range(7):
            raise ValidationError({"weekday": _("请选择星期几。")})
        return f"FREQ=MONTHLY{every};BYDAY={ordinal:+d}{WEEKDAY_CODES[weekday]}"
    if freq == Freq.MONTHLY_DAY:
        if monthday is None or not 1 <= monthday <= 31:
            raise ValidationError({"monthday": _("每月日期须为 1 至 31。")})
        return f"FREQ=MONTHLY{every};BYMONTHDAY={monthday}"
    raise ValidationError({"freq": _("请选择重复方式。")})


@dataclass
class Occurrence:
    date: dt.date  # the date the rule gives
    workday: bool
    next_workday: dt.date | None  # for a non-working day: the next working day
    existing: bool = False  # already generated
    provisional: bool = False  # its year has no official schedule yet: the working-day flag is provisional

    @property
    def flagged(self) -> bool:
        return not self.workday


def rule_dates(rule: str, start_date: dt.date, *, until: dt.date | None = None,
               count: int | None = None) -> list[dt.date]:
    """The dates an RRULE gives from `start_date`, bounded by `until`/`count` (the form's fields win)."""
    text = (rule or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if until is not None and count is not None:
        raise ValidationError({"count": _("结束日期与次数只能填写一项。")})
    if not text or "\n" in text or not text.upper().startswith("FREQ="):
        raise ValidationError({"rrule": _("重复规则须为一条以 FREQ= 开头的 RRULE,例如 FREQ=MONTHLY;BYDAY=+2TH。")})
    try:
        parsed = du.rrulestr(text, dtstart=dt.datetime.combine(start_date, dt.time()))
        if until is not None or count is not None:
            # UNTIL and COUNT must not both be set (RFC 5545): the form's bound replaces the rule's.
            parsed = parsed.replace(until=dt.datetime.combine(until, dt.time()) if until else None, count=count)
    except (ValueError, TypeError, KeyError) as exc:
        raise ValidationError({"rrule": _("无法解析重复规则“%(rule)s”:%(error)s") % {"rule": rule, "error": exc}}) \
            from exc
    if until is None and count is None and "UNTIL=" not in text.upper() and "COUNT=" not in text.upper():
        raise ValidationError({"until": _("请填写结束日期或次数,系列活动不能无限重复。")})
    limit = conf.get("SERIES_MAX_OCCURRENCES")
    dates = [d.date() for d in itertools.islice(parsed, limit + 1)]
    if len(dates) > limit:
        raise ValidationError({"until": _("该规则产生的日期超过 %(limit)d 次,请提前结束日期或减少次数。")
                               % {"limit": limit}})
    if not dates:
        end = until.isoformat() if until else ""
        raise ValidationError({"rrule": _("重复规则在 %(start)s 至 %(end)s 之间没有产生任何日期,请检查规则或日期范围。")
                               % {"start": start_date.isoformat(), "end": end or _("所填次数内")}})
    return dates


def expand(rule: str, start_date: dt.date, *, until: dt.date | None = None, count: int | None = None,
           calendar: WorkCalendar | None = None, existing: set[dt.date] = frozenset()) -> list[Occurrence]:
    calendar = calendar or WorkCalendar()
    result = []
    for day in rule_dates(rule, start_date, until=until, count=count):
        workday = calendar.is_workday(day)
        following = None
        if not workday:
            following = day + dt.timedelta(days=1)
            while not calendar.is_workday(following):
                following += dt.timedelta(days=1)
        result.append(Occurrence(day, workday, following, day in existing, calendar.is_provisional(day.year)))
    return result


def series_occurrences(series: Series, calendar: WorkCalendar | None = None) -> list[Occurrence]:
    existing = set(series.activities.values_list("occurrence_date", flat=True)) if series.pk else set()
    return expand(series.rrule, series.start_date, until=series.until, count=series.count, calendar=calendar,
                  existing=existing)


def _aware(day: dt.date, time: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, time))


def generate(series: Series, *, choices: dict[dt.date, str] | None = None, default: str = Choice.KEEP,
             user=None, room=None) -> list[Activity]:
    """Create the series' missing occurrences in one transaction.

    `choices` maps a flagged date to keep / move / skip; flagged dates without a choice get `default`.
    With a `room`, each occurrence books it (approved at once); any booking conflict undoes everything.
    """
    from .services import create_activity

    choices = choices or {}
    for day, choice in choices.items():
        if choice not in (Choice.KEEP, Choice.MOVE, Choice.SKIP):
            raise ValidationError({"choices": _("%(day)s 的处理方式无效。") % {"day": day}})
    if default not in (Choice.KEEP, Choice.MOVE, Choice.SKIP):
        raise ValidationError({"default": _("节假日的默认处理方式无效。")})
    created = []
    with transaction.atomic():
        Series.objects.select_for_update().filter(pk=series.pk).first()
        for occ in series_occurrences(series):
            if occ.existing:
                continue
            day = occ.date
            if occ.flagged:
                choice = choices.get(occ.date, default)
                if choice == Choice.SKIP:
                    continue
                if choice == Choice.MOVE:
                    day = occ.next_workday
            try:
                activity = create_activity(
                    user=user, room=room, title=series.title, kind=series.kind, organization=series.organization,
                    club=series.club, station=series.station, conference=series.conference,
                    start=_aware(day, series.start_time), end=_aware(day, series.end_time), place=series.place,
                    location=series.location, capacity=series.capacity, public=series.public,
                    speaker_name=series.speaker_name, description=series.description, series=series,
                    occurrence_date=occ.date, on_holiday=occ.flagged)
            except ValidationError as exc:
                messages = exc.messages
                raise ValidationError({"room" if room else "start_date": [
                    _("%(day)s:%(error)s") % {"day": day.isoformat(), "error": "".join(messages)}]}) from exc
            created.append(activity)
    return created
