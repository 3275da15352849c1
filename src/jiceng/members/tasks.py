"""Periodic jobs of member affairs, run by the task queue (`jiceng run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import transfers


@db_periodic_task(crontab(hour="1", minute="10"))
def expire_transfer_letters() -> int:
    """Open introduction letters past their validity become expired."""
    return transfers.expire_overdue()
