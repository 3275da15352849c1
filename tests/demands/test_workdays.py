"""Working-day deadlines on the official calendar: the 2026 National Day holiday and its make-up days."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jiceng.demands.models import HolidayDate, HolidayYear
from jiceng.demands.workdays import UncoveredYear, WorkCalendar, add_working_days

D = dt.date


@pytest.mark.django_db
def test_national_day_2026_is_skipped():
    # 2026-09-30 (Wed) + 1 working day: 1–7 October are the National Day holiday.
    cal = WorkCalendar()
    assert not cal.is_workday(D(2026, 10, 1)) and not cal.is_workday(D(2026, 10, 7))
    assert cal.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    # Mid-Autumn Festival falls on Friday 25 September 2026.
    assert cal.add_working_days(D(2026, 9, 24), 1) == D(2026, 9, 28)


@pytest.mark.django_db
def test_make_up_working_days_count():
    cal = WorkCalendar()
    # Sunday 20 September and Saturday 10 October 2026 are make-up working days (调休上班).
    assert D(2026, 9, 20).weekday() == 6 and cal.is_workday(D(2026, 9, 20))
    assert D(2026, 10, 10).weekday() == 5 and cal.is_workday(D(2026, 10, 10))
    # Friday 18 September + 1 working day is the make-up Sunday, not Monday the 21st.
    assert add_working_days(D(2026, 9, 18), 1) == D(2026, 9, 20)


@pytest.mark.django_db
def test_uncovered_year_is_a_clear_error():
    with pytest.raises(UncoveredYear) as exc:
        WorkCalendar().add_working_days(D(2027, 3, 1), 3)
    assert "2027" in str(exc.value)


@pytest.mark.django_db
def test_admin_table_covers_a_new_year():
    year = HolidayYear.objects.create(year=2027, note="国办发明电〔2026〕X号")
    HolidayDate.objects.create(holiday_year=year, date=D(2027, 1, 1), name="元旦")
    HolidayDate.objects.create(holiday_year=year, date=D(2027, 1, 9), is_workday=True, name="调休")
    cal = WorkCalendar()
    assert not cal.is_workday(D(2027, 1, 1))
    assert cal.is_workday(D(2027, 1, 9))  # a Saturday made a working day
    assert cal.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)


@pytest.mark.django_db
def test_holiday_date_must_be_in_its_year():
    year = HolidayYear.objects.create(year=2028)
    with pytest.raises(ValidationError):
        HolidayDate(holiday_year=year, date=D(2029, 1, 1)).full_clean()
