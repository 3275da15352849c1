"""Seed 003's case: the lease ends soon and the company needs a bigger office → fairly unstable (orange)."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from jiceng.demands import visits
from jiceng.risk.models import EnterpriseRisk, FollowUp


def test_lease_ending_and_bigger_office_turns_orange(world):
    ent = world["ent"]
    today = timezone.localdate()
    ent.lease_end = today + relativedelta(months=2)
    ent.save()
    visits.record_visit(enterprise=ent, worker=world["worker"], date=today, notes="租约两个月后到期,想找更大的办公室",
                        signals=["lease_ending", "expansion_need"])
    risk = EnterpriseRisk.objects.get(enterprise=ent)
    assert risk.level == 4
    assert FollowUp.objects.filter(enterprise=ent, level=4).count() == 1
    # The expansion need alone is a stabilising signal: it does not raise the level.
    other = world["other_ent"]
    visits.record_visit(enterprise=other, worker=world["worker2"], date=today - dt.timedelta(days=1),
                        signals=["expansion_need"])
    assert EnterpriseRisk.objects.filter(enterprise=other).first() is None or \
        EnterpriseRisk.objects.get(enterprise=other).level == 1
