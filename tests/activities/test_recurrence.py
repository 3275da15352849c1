"""Recurring series across the 2026 official holidays; rules without dates; the simple form's RRULEs."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng.activities import recurrence
from jiceng.activities.models import Activity, ActivityKind, Series
from jiceng.activities.recurrence import Choice, Freq, build_rrule, expand

pytestmark = pytest.mark.django_db


def test_simple_form_builds_rrules():
    assert build_rrule(Freq.MONTHLY_WEEKDAY, ordinal=2, weekday=3) == "FREQ=MONTHLY;BYDAY=+2TH"
    assert build_rrule(Freq.MONTHLY_WEEKDAY, ordinal=-1, weekday=4) == "FREQ=MONTHLY;BYDAY=-1FR"
    assert build_rrule(Freq.WEEKLY, weekdays=[1, 3], interval=2) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH"
    assert build_rrule(Freq.MONTHLY_DAY, monthday=15) == "FREQ=MONTHLY;BYMONTHDAY=15"
    with pytest.raises(ValidationError) as exc:
        build_rrule(Freq.WEEKLY, weekdays=[])
    assert "weekdays" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        build_rrule(Freq.MONTHLY_WEEKDAY, ordinal=5, weekday=3)
    assert "ordinal" in exc.value.message_dict


def test_second_thursday_in_2026():
    dates = [o.date for o in expand("FREQ=MONTHLY;BYDAY=+2TH", dt.date(2026, 1, 1), until=dt.date(2026, 12, 31))]
    assert dates[:3] == [dt.date(2026, 1, 8), dt.date(2026, 2, 12), dt.date(2026, 3, 12)]
    assert len(dates) == 12


def test_holidays_of_2026_are_flagged_with_the_next_working_day():
    # The first Thursday of October 2026 is National Day; the third Thursday of February is in Spring Festival.
    october = expand("FREQ=MONTHLY;BYDAY=+1TH", dt.date(2026, 9, 1), count=3)
    assert [(o.date, o.flagged, o.next_workday) for o in october] == [
        (dt.date(2026, 9, 3), False, None),
        (dt.date(2026, 10, 1), True, dt.date(2026, 10, 8)),  # 1–7 October off; the 8th is a working Thursday
        (dt.date(2026, 11, 5), False, None)]
    february = expand("FREQ=MONTHLY;BYDAY=+3TH", dt.date(2026, 2, 1), count=1)
    assert (february[0].date, february[0].flagged, february[0].next_workday) == (
        dt.date(2026, 2, 19), True, dt.date(2026, 2, 24))  # Spring Festival runs to Monday 23 February


def test_make_up_working_day_is_not_flagged():
    # Saturday 10 October 2026 is a make-up working day (调休).
    occurrences = expand("FREQ=WEEKLY;BYDAY=SA", dt.date(2026, 10, 3), count=2)
    assert [(o.date, o.flagged) for o in occurrences] == [(dt.date(2026, 10, 3), True), (dt.date(2026, 10, 10), False)]


def test_rule_without_dates_names_the_field():
    with pytest.raises(ValidationError) as exc:
        expand("FREQ=MONTHLY;BYMONTHDAY=31", dt.date(2026, 2, 1), until=dt.date(2026, 2, 28))
    assert "rrule" in exc.value.message_dict and "没有产生任何日期" in exc.value.message_dict["rrule"][0]
    with pytest.raises(ValidationError) as exc:
        expand("FREQ=SOMETIMES", dt.date(2026, 2, 1), count=3)
    assert "rrule" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        expand("FREQ=DAILY", dt.date(2026, 2, 1))
    assert "until" in exc.value.message_dict


def test_a_year_without_a_schedule_is_provisional_not_refused():
    # 2099 has no notice and is beyond the calendar package: the provisional calendar flags its dates.
    occurrences = expand("FREQ=MONTHLY;BYDAY=+2TH", dt.date(2099, 1, 1), count=2)
    assert len(occurrences) == 2 and all(o.provisional for o in occurrences)
    assert not any(o.provisional for o in expand("FREQ=MONTHLY;BYDAY=+2TH", dt.date(2026, 1, 1), count=2))


def _series(org, **kw):
    kw.setdefault("rrule", "FREQ=MONTHLY;BYDAY=+1TH")
    kw.setdefault("title", "主题党日")
    return Series.objects.create(kind=ActivityKind.THEME_DAY, organization=org,
                                 start_date=dt.date(2026, 9, 1), count=3, start_time=dt.time(12, 0),
                                 end_time=dt.time(13, 30), **kw)


def test_generate_moves_or_keeps_flagged_dates(world):
    series = _series(world["branch"])
    created = recurrence.generate(series, choices={dt.date(2026, 10, 1): Choice.MOVE}, user=world["secretary"])
    starts = [timezone.localtime(a.start).date() for a in created]
    assert starts == [dt.date(2026, 9, 3), dt.date(2026, 10, 8), dt.date(2026, 11, 5)]
    moved = Activity.objects.get(series=series, occurrence_date=dt.date(2026, 10, 1))
    assert moved.on_holiday and moved.start.hour == 4  # 12:00 Beijing time is 04:00 UTC
    # Generating again adds nothing (idempotent per rule date).
    assert recurrence.generate(series, default=Choice.KEEP) == []

    kept = _series(world["branch"], title="照常")
    recurrence.generate(kept, default=Choice.KEEP)
    kept_day = Activity.objects.get(series=kept, occurrence_date=dt.date(2026, 10, 1))
    assert timezone.localtime(kept_day.start).date() == dt.date(2026, 10, 1)
    skipped = _series(world["branch"])
    assert len(recurrence.generate(skipped, default=Choice.SKIP)) == 2
