"""Periodic governance jobs (`jiceng run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(minute="5", hour="0"))
def advance_head_selections() -> int:
    """Each night, notices whose period ended without objection give way to the next notice (or the appointment)."""
    return services.advance_due()
