"""Working days on the official Chinese calendar (weekends, public holidays and make-up working days 调休).

Each year's schedule comes from the first of:
1. a published `HolidayYear` (the State Council's notice, entered or imported by an admin);
2. the `chinese-calendar` package, which knows the years up to its release;
3. a provisional calendar: weekends plus the statutory holidays computed for that year (`statutory.py`).
So no date is ever refused for want of a schedule; a deadline that a provisional year decided is marked
provisional and recomputed when the notice is published (`services.publish`).

A notice may begin 元旦 in the last days of the year before (2019, 2023): those days are applied to that year
on top of its own schedule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import chinese_calendar
from chinese_calendar import constants as package_days
from django.utils.translation import gettext, gettext_noop

from jiceng.core.i18n import english_active

from .models import HolidaySource, HolidayYear
from .statutory import provisional_days_off


@dataclass(frozen=True)
class Schedule:
    """A year's days off and make-up working days, and where they come from."""

    year: int
    source: str
    days_off: dict[dt.date, str] = field(default_factory=dict)
    workdays: dict[dt.date, str] = field(default_factory=dict)
    note: str = ""

    @property
    def holidays(self) -> list[dt.date]:
        return sorted(self.days_off)

    @property
    def provisional(self) -> bool:
        return self.source == HolidaySource.PROVISIONAL

    def as_json(self) -> dict:
        return {"year": self.year, "source": self.source,
                "holidays": [d.isoformat() for d in sorted(self.days_off)],
                "workdays": [d.isoformat() for d in sorted(self.workdays)]}


@dataclass(frozen=True)
class Deadline:
    date: dt.date
    provisional: bool


def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def package_years() -> list[int]:
    return sorted({day.year for day in package_days.holidays})


def _package_schedule(year: int) -> Schedule:
    return Schedule(year, HolidaySource.PACKAGE,
                    {d: _package_name(n) for d, n in package_days.holidays.items() if d.year == year},
                    {d: _package_name(n) for d, n in package_days.workdays.items() if d.year == year})


_PACKAGE_NAMES = {"New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
                  "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
                  "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利70周年纪念日"}


def _package_name(value) -> str:
    return _PACKAGE_NAMES.get(str(value), str(value))


# The statutory holidays' names as the notices write them: shown in the reader's language (decision 049). A name
# joins several with 、 ("中秋节、国庆节"); anything else an editor typed is shown as written.
HOLIDAY_NAMES = frozenset({gettext_noop("元旦"), gettext_noop("春节"), gettext_noop("清明节"), gettext_noop("劳动节"),
                           gettext_noop("端午节"), gettext_noop("中秋节"), gettext_noop("国庆节"),
                           gettext_noop("抗战胜利70周年纪念日")})


def holiday_label(name: str) -> str:
    parts = (name or "").split("、")
    if not all(part in HOLIDAY_NAMES for part in parts):
        return name
    return (", " if english_active() else "、").join(gettext(part) for part in parts)


def _notice_schedule(holiday_year: HolidayYear) -> Schedule:
    days_off, workdays = {}, {}
    for day in holiday_year.dates.all():
        (workdays if day.is_workday else days_off)[day.date] = day.name
    return Schedule(holiday_year.year, HolidaySource.NOTICE, days_off, workdays, holiday_year.note)


def published_years(years) -> dict[int, HolidayYear]:
    return {y.year: y for y in HolidayYear.objects.filter(year__in=list(years), published=True)
            .prefetch_related("dates")}


def schedule_for(year: int, *, published: dict[int, HolidayYear] | None = None) -> Schedule:
    """The schedule that governs `year` (its own days only; see WorkCalendar for the year-boundary overlay)."""
    if published is None:
        published = published_years([year])
    if year in published:
        return _notice_schedule(published[year])
    if package_covers(year):
        return _package_schedule(year)
    return Schedule(year, HolidaySource.PROVISIONAL, provisional_days_off(year), {})


class WorkCalendar:
    """Caches the per-year tables for one computation (a request or a batch job). Never raises for a year."""

    def __init__(self) -> None:
        self._tables: dict[int, tuple[str, set[dt.date], set[dt.date]]] = {}

    def _table(self, year: int) -> tuple[str, set[dt.date], set[dt.date]]:
        if year not in self._tables:
            published = published_years([year, year + 1])
            own = schedule_for(year, published=published)
            days_off, workdays = {d for d in own.days_off if d.year == year}, {d for d in own.workdays
                                                                                if d.year == year}
            following = published.get(year + 1)
            if following is not None:  # the next notice's 元旦 may start in late December of this year
                for day in following.dates.all():
                    if day.date.year == year:
                        (workdays if day.is_workday else days_off).add(day.date)
                        (days_off if day.is_workday else workdays).discard(day.date)
            self._tables[year] = (own.source, days_off, workdays)
        return self._tables[year]

    def source(self, year: int) -> str:
        return self._table(year)[0]

    def is_provisional(self, year: int) -> bool:
        return self.source(year) == HolidaySource.PROVISIONAL

    def is_workday(self, day: dt.date) -> bool:
        _source, days_off, workdays = self._table(day.year)
        if day in workdays:
            return True
        if day in days_off:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (start itself not counted)."""
        return self.deadline(start, days).date

    def deadline(self, start: dt.date, days: int) -> Deadline:
        """`add_working_days`, and whether a provisional year decided it."""
        day, remaining = start, days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        provisional = any(self.is_provisional(year) for year in range(start.year, day.year + 1))
        return Deadline(day, provisional)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count


def add_working_days(start: dt.date, days: int) -> dt.date:
    return WorkCalendar().add_working_days(start, days)
