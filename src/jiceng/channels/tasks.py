"""Delivery jobs (`jiceng run_huey`): one attempt per task run, the retry scheduled after its back-off."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import delivery


@db_task()
def deliver(pk: int) -> None:
    wait = delivery.attempt(pk)
    if wait is not None:
        deliver.schedule(args=(pk,), delay=wait)


@db_periodic_task(crontab(minute="*/5"))
def retry_due_deliveries() -> int:
    """Deliveries a restarted process left pending, or whose retry was lost."""
    return delivery.retry_due()
