"""Demo party dues (党费) for the demo districts' members.

Every member on the rolls declares a base (after-tax salary; retired members and the market's business owners by
their own categories) from twelve months ago or from joining, and most have paid every month up to last month.
A few are behind by one to three months, so the arrears list has something in it; one member has an approved
exemption (免交) and one a reduction (少交), as the 2008 dues rules allow for members in real difficulty.

Idempotent: a member of the demo with a declared base is the marker; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from jiceng.places.models import Place, PlaceKind

from .dues import amount_due, month_start
from .models import DuesBase, DuesCategory, DuesPayment, DuesRelief, Member, PaymentMethod, ReliefKind

DEMO_DISTRICTS = ("杨浦区", "黄浦区", "静安区", "浦东新区")
SEED = 2008  # the year the dues rules came into force
MONTHS = 12


def load(users: dict[str, Any], today: dt.date, say) -> None:
    districts = Place.objects.filter(kind=PlaceKind.DISTRICT, parent=None, name__in=DEMO_DISTRICTS)
    members = list(Member.objects.active().filter(organization__district__in=districts)
                   .select_related("organization__place").order_by("pk"))
    if not members or DuesBase.objects.filter(member__in=members).exists():
        return
    rng = random.Random(SEED)
    first = month_start(today) - relativedelta(months=MONTHS)
    last = month_start(today) - relativedelta(months=1)
    recorder = users.get("org_secretary")
    bases = []
    for member in members:
        start = max(first, month_start(member.join_date))
        if member.organization.place.kind == PlaceKind.MARKET and rng.random() < 0.5:
            # Half of the market's members are retired shopkeepers who still keep their stalls.
            category, base = DuesCategory.RETIRED, Decimal(rng.randrange(3500, 7000, 50))
        else:
            category, base = DuesCategory.IN_SERVICE, Decimal(rng.randrange(4000, 26000, 100))
        bases.append(DuesBase(member=member, category=category, base=base, effective_month=start,
                              recorded_by=recorder))
    DuesBase.objects.bulk_create(bases)

    # One exemption and one reduction, approved by the committee above the branch (2008 规定: 党支部研究,
    # 上一级党委批准).
    reliefs = {}
    for member, kind, amount, reason in (
            (members[5], ReliefKind.EXEMPT, None, "家庭成员重病,生活困难"),
            (members[17], ReliefKind.REDUCED, Decimal("10.00"), "失业后再就业,收入大幅下降")):
        parent = member.organization.parent
        relief = DuesRelief(member=member, kind=kind, amount=amount, start_month=first + relativedelta(months=6),
                            end_month=month_start(today) + relativedelta(months=5), reason=reason,
                            approved_by=parent.name if parent else member.organization.name,
                            approved_on=first + relativedelta(months=6), recorded_by=recorder)
        relief.full_clean()
        relief.save()
        reliefs[member.pk] = [relief]

    payments = []
    by_member = {b.member_id: b for b in bases}
    for member in members:
        behind = rng.choices([0, 1, 2, 3], weights=[86, 7, 4, 3])[0]  # most pay every month
        base = by_member[member.pk]
        regular = amount_due(member, base.effective_month, [base], [])  # one rate lookup per member
        month, stop = base.effective_month, last - relativedelta(months=behind)
        while month <= stop:
            due = amount_due(member, month, [base], reliefs[member.pk]) if member.pk in reliefs else regular
            if due:
                paid_on = month + dt.timedelta(days=rng.randint(2, 25))
                payments.append(DuesPayment(member=member, month=month, amount=due, paid_on=min(paid_on, today),
                                            method=rng.choice(PaymentMethod.values), recorded_by=recorder))
            month += relativedelta(months=1)
    DuesPayment.objects.bulk_create(payments, batch_size=1000)
    say(f"党费:{len(bases)} 名党员登记基数,{len(payments)} 笔缴纳记录。")
