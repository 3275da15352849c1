"""Periodic demand jobs (`jiceng run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import workflow


@db_periodic_task(crontab(minute="*/30"))
def escalate_overdue_demands() -> int:
    return workflow.escalate_overdue()
