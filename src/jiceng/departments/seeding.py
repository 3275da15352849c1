"""The departments stage of `jiceng seed` (see jiceng.operations.seeding): each district's default departments
(services.DEFAULT_DEPARTMENTS) and a share of the generated demands handed to them, in every state of the
department's side — waiting for 签收 (some late), signed and being handled, returned to the street (退单), resolved
and waiting for the street's 回访, and called back.

Deterministic without a random stream: which demands are handed over, and to which department, follows their id
(one in `SHARE` of each status); the stages before it draw the same numbers whether or not this one runs.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Value
from django.db.models.functions import Mod

from jiceng.demands.models import CallbackResult, Demand, DemandStatus
from jiceng.places.models import Place, PlaceKind

from .models import Department, DepartmentState
from .services import DEFAULT_DEPARTMENTS

SHARE = 20  # one demand in twenty of those a street dispatches goes to a department
RETURN_REASON = "经核实不属于本部门职责,请街道另行派单。"


def stage_departments(ctx) -> int:
    """Returns the number of demands handed to departments."""
    districts = list(Place.objects.filter(kind=PlaceKind.DISTRICT).order_by("pk"))
    Department.objects.bulk_create([
        Department(district=district, name=template.format(d=district.name), short_name=short)
        for district in districts for template, short in DEFAULT_DEPARTMENTS])
    today: dt.date = ctx.today
    handed = 0
    for district in districts:
        departments = list(Department.objects.filter(district=district).order_by("pk"))
        n = len(departments)
        for index, department in enumerate(departments):
            # The district's demands whose id picks this department: id ≡ index (mod SHARE × n), one in SHARE.
            mine = Demand.objects.filter(district=district).alias(slot=Mod(F("pk"), SHARE * n)).filter(slot=index)
            common = {"department": department, "assignee_department": department.name}
            handed += mine.filter(status=DemandStatus.ASSIGNED).update(
                **common, department_state=DepartmentState.SIGNED, signed_at=F("created"))
            # A third of those (id ≡ index mod 3·SHARE·n) still wait for 签收: due today, or a day late.
            mine.filter(status=DemandStatus.ASSIGNED).alias(third=Mod(F("pk"), 3 * SHARE * n)).filter(
                third=index).update(department_state=DepartmentState.PENDING, signed_at=None,
                                    sign_due=Value(today - dt.timedelta(days=index % 2)))
            handed += mine.filter(status=DemandStatus.ACCEPTED).update(
                **common, department_state=DepartmentState.RETURNED, return_reason=RETURN_REASON)
            handed += mine.filter(status=DemandStatus.RESOLVED).update(
                **common, department_state=DepartmentState.SIGNED, signed_at=F("created"))
            handed += mine.filter(status=DemandStatus.CLOSED).update(
                **common, department_state=DepartmentState.SIGNED, signed_at=F("created"),
                callback_at=F("resolved_at"), callback_result=CallbackResult.SATISFIED)
    return handed
