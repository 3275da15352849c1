"""The working-day calendar: notices, the package and the provisional years, and the year-boundary overlay."""

import datetime as dt

import chinese_calendar
import pytest

from jiceng.holidays import services
from jiceng.holidays.calendar import WorkCalendar, schedule_for
from jiceng.holidays.models import HolidaySource
from jiceng.holidays.statutory import provisional_days_off, statutory_festivals

from .conftest import NOTICE_2027, notice_text

D = dt.date
pytestmark = pytest.mark.django_db


def test_package_years_come_from_the_package():
    calendar = WorkCalendar()
    assert calendar.source(2026) == HolidaySource.PACKAGE
    assert not calendar.is_workday(D(2026, 10, 1)) and calendar.is_workday(D(2026, 10, 10))  # 调休 Saturday
    assert calendar.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_imported_notices_give_exactly_the_package_calendar():
    """With every notice from 2018 to 2026 published, each day of those years is a working day exactly when the
    package says so (the notices decide, the package is only compared)."""
    for year in range(2018, 2027):
        services.import_notice(notice_text(year), year, user=None)
    calendar = WorkCalendar()
    assert calendar.source(2018) == HolidaySource.NOTICE
    day = D(2018, 1, 1)
    while day <= D(2026, 12, 31):
        assert calendar.is_workday(day) == chinese_calendar.is_workday(day), day
        day += dt.timedelta(days=1)


def test_statutory_days_of_2027():
    festivals = {f.name: f.days for f in statutory_festivals(2027)}
    assert festivals["春节"] == (D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8))  # 除夕 to 初三
    assert festivals["清明节"] == (D(2027, 4, 5),)
    assert festivals["端午节"] == (D(2027, 6, 9),) and festivals["中秋节"] == (D(2027, 9, 15),)
    assert festivals["国庆节"] == (D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3))


def test_weekend_holidays_are_made_up_on_the_following_weekdays():
    days = provisional_days_off(2027)
    # 春节 6–7 February is a weekend: 补假 on Tuesday 9 and Wednesday 10 (Monday 8 is 初三 itself).
    assert {D(2027, 2, 9), D(2027, 2, 10)} <= set(days) and D(2027, 2, 11) not in days
    # 劳动节 1–2 May 2027 is Saturday–Sunday: 补假 Monday 3 and Tuesday 4 May.
    assert {D(2027, 5, 3), D(2027, 5, 4)} <= set(days) and D(2027, 5, 5) not in days
    # 国庆 2–3 October is a weekend: 补假 4 and 5 October.
    assert {D(2027, 10, 4), D(2027, 10, 5)} <= set(days)
    # 2020: 中秋 fell on 1 October, sharing a day with 国庆, so one more day is made up.
    assert D(2020, 10, 1) in provisional_days_off(2020)
    assert [d.day for d in provisional_days_off(2020) if d.month == 10] == [1, 2, 3, 5, 6]  # Sat 3rd: one more


def test_provisional_year_gives_provisional_deadlines():
    calendar = WorkCalendar()
    assert calendar.source(2027) == HolidaySource.PROVISIONAL
    deadline = calendar.deadline(D(2026, 12, 30), 2)  # Thu 31 Dec, then 1 Jan is 元旦: Mon 4 Jan
    assert deadline.date == D(2027, 1, 4) and deadline.provisional
    assert not calendar.deadline(D(2026, 12, 1), 2).provisional


def test_next_notice_days_in_december_apply_to_that_year():
    services.import_notice(notice_text(2019), 2019, user=None)
    calendar = WorkCalendar()
    assert calendar.source(2018) == HolidaySource.PACKAGE
    assert not calendar.is_workday(D(2018, 12, 31)) and calendar.is_workday(D(2018, 12, 29))


def test_a_draft_does_not_count_until_published():
    saved = services.import_notice(NOTICE_2027, 2027, user=None, publish=False)
    assert schedule_for(2027).source == HolidaySource.PROVISIONAL
    services.publish(saved, user=None)
    schedule = schedule_for(2027)
    assert schedule.source == HolidaySource.NOTICE
    assert schedule.as_json()["workdays"] == ["2027-01-31", "2027-02-20", "2027-04-25", "2027-05-08", "2027-09-26",
                                              "2027-10-09"]
    assert WorkCalendar().is_workday(D(2027, 1, 31))  # a Sunday made a working day
