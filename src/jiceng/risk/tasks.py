"""Periodic risk jobs (`jiceng run_huey`)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="2", minute="30"))
def recompute_risk_levels() -> dict[int, int]:
    """Nightly: signals expire, leases come closer and demands go overdue without anyone touching them."""
    return dict(services.recompute_all())
