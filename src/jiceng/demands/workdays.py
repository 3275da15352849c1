"""Working days on the official Chinese calendar (weekends, public holidays and make-up working days 调休).

The `chinese-calendar` package knows the years up to its release. For later years (or corrections) an
admin enters the State Council's schedule as a `HolidayYear` with its `HolidayDate`s; a year with such a
table uses it (plus ordinary weekends), and a date in a year that neither covers is refused with a clear
error instead of a silently wrong deadline.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar
from django.utils.translation import gettext as _


class UncoveredYear(ValueError):
    def __init__(self, year: int):
        self.year = year
        super().__init__(_("%(year)d 年的节假日安排尚未录入,无法计算工作日。请管理员在“节假日安排”中录入该年。")
                         % {"year": year})


def _table(year: int) -> dict[dt.date, bool] | None:
    from .models import HolidayYear

    holiday_year = HolidayYear.objects.filter(year=year).prefetch_related("dates").first()
    if holiday_year is None:
        return None
    return {d.date: d.is_workday for d in holiday_year.dates.all()}


class WorkCalendar:
    """Caches the per-year tables for one computation (a request or a batch job)."""

    def __init__(self) -> None:
        self._tables: dict[int, dict[dt.date, bool] | None] = {}

    def is_workday(self, day: dt.date) -> bool:
        if day.year not in self._tables:
            self._tables[day.year] = _table(day.year)
        table = self._tables[day.year]
        if table is not None:
            return table.get(day, day.weekday() < 5)
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            raise UncoveredYear(day.year) from None

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date `days` working days after `start` (start itself not counted)."""
        day = start
        remaining = days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_workday(day)
        return count


def add_working_days(start: dt.date, days: int) -> dt.date:
    return WorkCalendar().add_working_days(start, days)
