"""Building visits (跑楼): recording a visit with its demands and risk findings, and visit plans/routes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.enterprises.models import Enterprise

from . import workflow
from .models import Demand, DemandSource, RequesterKind, Visit, VisitPlan

# Risk findings a worker can tick on a visit; the five-colour analysis weighs them (codes are stable).
SIGNAL_CHOICES = [
    ("lease_ending", _("租约即将到期")),
    ("intends_to_move", _("有迁出意向")),
    ("intends_to_shrink", _("有缩减规模意向")),
    ("headcount_falling", _("员工人数下降")),
    ("rent_arrears", _("拖欠租金")),
    ("registration_moved", _("注册地迁出")),
    ("expansion_need", _("有扩租/新增发展需求")),
]
SIGNAL_CODES = {code for code, _label in SIGNAL_CHOICES}
DEFAULT_INTERVAL_DAYS = 90
ROUTE_DAYS = 7  # a route covers the visits due within a week


@transaction.atomic
def record_visit(*, enterprise: Enterprise, worker, date: dt.date, people_met: str = "", notes: str = "",
                 findings: str = "", signals: list[str] | None = None, demand_texts: list[str] | None = None) -> Visit:
    """One visit, the demands raised in it and the risk findings, all or nothing; moves the visit plan on."""
    signals = list(dict.fromkeys(signals or []))
    unknown = [s for s in signals if s not in SIGNAL_CODES]
    if unknown:
        raise ValidationError({"signals": _("未知的风险信号:%(codes)s") % {"codes": ", ".join(unknown)}})
    if date > timezone.localdate():
        raise ValidationError({"date": _("走访日期不能晚于今天。")})
    visit = Visit(enterprise=enterprise, place=enterprise.place, worker=worker, date=date, people_met=people_met,
                  notes=notes, findings=findings, signals=signals)
    visit.full_clean()
    visit.save()
    for text in demand_texts or []:
        workflow.submit(text=text, place=enterprise.place, source=DemandSource.VISIT, user=worker,
                        requester_kind=RequesterKind.ENTERPRISE, requester_enterprise=enterprise, visit=visit,
                        requester_name=people_met[:50])
    plan, _created = VisitPlan.objects.get_or_create(
        enterprise=enterprise, defaults={"next_visit": date, "interval_days": DEFAULT_INTERVAL_DAYS})
    plan.next_visit = max(plan.next_visit, date + dt.timedelta(days=plan.interval_days))
    plan.save()
    _after_visit(visit)
    return visit


def _after_visit(visit: Visit) -> None:
    """Hook for capabilities that react to visits (the risk analysis registers itself here)."""
    for handler in VISIT_HANDLERS:
        handler(visit)


VISIT_HANDLERS: list = []


@dataclass
class RouteStop:
    enterprise: Enterprise
    next_visit: dt.date | None
    overdue: bool


def due_for_visit(enterprises: QuerySet[Enterprise], *, until: dt.date) -> QuerySet[Enterprise]:
    """The enterprises due for a visit by `until`: planned on or before it, or never planned (due now).
    Annotated with `next_visit` (None when never planned)."""
    return (enterprises.filter(Q(visit_plan__isnull=True) | Q(visit_plan__next_visit__lte=until))
            .annotate(next_visit=F("visit_plan__next_visit")))


def route(enterprises: QuerySet[Enterprise], *, until: dt.date | None = None) -> dict[str, list[RouteStop]]:
    """Enterprises due for a visit by `until` (default: today + 7 days), grouped by building, soonest first.

    Enterprises never visited and without a plan are due now.
    """
    today = timezone.localdate()
    until = until or today + dt.timedelta(days=ROUTE_DAYS)
    stops: dict[str, list[RouteStop]] = {}
    for ent in due_for_visit(enterprises, until=until).select_related("place").order_by("place__name", "name"):
        due = ent.next_visit
        stops.setdefault(ent.place.name, []).append(RouteStop(ent, due, due is not None and due < today))
    for rows in stops.values():
        rows.sort(key=lambda s: (s.next_visit or dt.date.min))
    return stops


def demands_from_visit(visit: Visit) -> QuerySet[Demand]:
    return visit.demands.all()
