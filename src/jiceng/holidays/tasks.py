"""Periodic calendar job (`jiceng run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="8", minute="0"))
def warn_if_next_year_provisional() -> int:
    return services.warn_managers()
