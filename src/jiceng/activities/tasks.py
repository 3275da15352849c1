"""Periodic activity jobs (`jiceng run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="5"))
def remind_tomorrows_activities() -> int:
    # Hourly, so a sign-up made during the day before still gets its reminder; each sign-up is reminded once.
    return services.send_reminders()
