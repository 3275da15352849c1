"""Replaying a demo story through the domain services, each step at the moment it happens in the story.

The demo's demands, visits, risk follow-ups and transfers are not rows written with made-up dates: each step
(a demand submitted, accepted, dispatched, resolved; a visit recorded; a letter issued) runs through the same
service a user's click runs, with Django's clock set to the step's moment for its duration. So everything the
services compute is theirs — deadlines counted in working days from the acceptance, the timeline, the history,
risk levels and follow-ups with their due dates, notifications — and it all carries the story's dates
(docs/decisions/050-the-demo-replays-its-story.md).

The clock is `django.utils.timezone.now`, which Django itself (auto_now_add, `timezone.localdate()`) and the
services read; it is set only while a step runs and always restored. `jiceng demo` loads the demo before it
serves, in one thread; nothing else may run beside a load.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone

from jiceng.holidays.calendar import WorkCalendar


class Story:
    """Moments relative to `today`, never in the future, on the official working-day calendar."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.now = timezone.now()
        self.calendar = WorkCalendar()

    # --- days --------------------------------------------------------------------------------------------
    def ago(self, days: int) -> dt.date:
        return self.today - dt.timedelta(days=days)

    def workday_on_or_before(self, day: dt.date) -> dt.date:
        while not self.calendar.is_workday(day):
            day -= dt.timedelta(days=1)
        return day

    def next_workday(self, day: dt.date, n: int = 1) -> dt.date:
        """The n-th working day after `day`, but never after today (then today: the step happens later today)."""
        return min(self.calendar.add_working_days(day, n), max(day, self.today))

    def workdays_ago(self, n: int) -> dt.date:
        """The working day n working days before today (n=1: the last working day before today)."""
        day, seen = self.today, 0
        while seen < n:
            day -= dt.timedelta(days=1)
            if self.calendar.is_workday(day):
                seen += 1
        return day

    # --- moments -------------------------------------------------------------------------------------------
    def moment(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        """`day` at hh:mm local time, or a minute ago if that is still to come."""
        value = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
        return min(value, self.now - dt.timedelta(minutes=1))

    @contextmanager
    def at(self, moment: dt.datetime) -> Iterator[None]:
        """Run the block with Django's clock at `moment` (never later than the real now)."""
        moment = min(moment, self.now)
        original = timezone.now
        timezone.now = lambda: moment
        try:
            yield
        finally:
            timezone.now = original
