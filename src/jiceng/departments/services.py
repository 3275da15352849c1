"""Departments as data: the default set for a district, linking old free-text assignments, a user's department
work (inbox, workbench)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet

from jiceng.places.models import Place, PlaceKind

from .models import Department, DepartmentState

# name template ({d}: the district's name), short name. The departments streets hand work to in the seeds: seed 003's
# retention case needed "the street and the 区投资办 at the door the same day"; 市场监管所, 税务所, 人社 and 城管 are
# the ones a building's demands (licences, invoices, social insurance, street order) go to; seed 001 names 城管.
DEFAULT_DEPARTMENTS: list[tuple[str, str]] = [
    ("{d}投资促进办公室", "区投资促进办"),
    ("{d}市场监督管理局市场监管所", "市场监管所"),
    ("{d}税务局税务所", "税务所"),
    ("{d}人力资源和社会保障局", "人社"),
    ("{d}城市管理行政执法局", "城管"),
    ("{d}金融服务办公室", "区金融服务办"),
]


@transaction.atomic
def seed_departments(district: Place) -> list[Department]:
    """The default departments of a district (idempotent: found by name, missing ones added)."""
    if district.kind != PlaceKind.DISTRICT:
        raise ValueError(f"{district} is not a district")
    made = []
    for template, short in DEFAULT_DEPARTMENTS:
        dept, _created = Department.objects.get_or_create(district=district, name=template.format(d=district.name),
                                                          defaults={"short_name": short})
        made.append(dept)
    return made


def link_text_departments() -> int:
    """Demands whose free-text 承办部门 is the name or short name of a department of their district get the
    department (as signed: they were being handled before). The same rule as data migration demands/0010, for
    departments added after it ran. Returns how many were linked."""
    from jiceng.demands.models import Demand

    names: dict[tuple[int, str], int] = {}
    for dept in Department.objects.all():
        names[dept.district_id, dept.name] = dept.pk
        if dept.short_name:
            names.setdefault((dept.district_id, dept.short_name), dept.pk)
    linked = 0
    rows = Demand.objects.filter(department__isnull=True).exclude(assignee_department="")
    for pk, district_id, text in rows.values_list("pk", "district_id", "assignee_department").iterator():
        dept_id = names.get((district_id, text.strip()))
        if dept_id is not None:
            linked += Demand.objects.filter(pk=pk).update(department_id=dept_id,
                                                          department_state=DepartmentState.SIGNED)
    return linked


def department_demands(user) -> QuerySet:
    """The open demands handed to the user's departments: waiting for 签收, or signed and being handled."""
    from jiceng.core.scoping import scope_for
    from jiceng.demands.models import Demand, DemandStatus

    ids = scope_for(user).department_ids
    if not ids:
        return Demand.objects.none()
    return Demand.objects.filter(department_id__in=ids, status=DemandStatus.ASSIGNED,
                                 department_state__in=(DepartmentState.PENDING, DepartmentState.SIGNED))


def department_follow_ups(user, limit: int = 50) -> list:
    """The open risk follow-ups handed to the user's departments (waiting for 签收 first)."""
    from django.apps import apps

    from jiceng.core.scoping import scope_for

    ids = scope_for(user).department_ids
    if not ids or not apps.is_installed("jiceng.risk"):
        return []
    from jiceng.risk.choices import FollowUpStatus
    from jiceng.risk.models import FollowUp

    return list(FollowUp.objects.filter(department_id__in=ids, status=FollowUpStatus.OPEN,
                                        department_state__in=(DepartmentState.PENDING, DepartmentState.SIGNED))
                .select_related("enterprise", "department").order_by("department_state", "sign_due", "pk")[:limit])


BOARD_FILTERS = {
    # the street's department board (the demand list's 部门 filter): value → condition on a demand handed to a
    # department (see handed_to_departments)
    "any": Q(),
    "pending": Q(department_state=DepartmentState.PENDING, status="assigned"),
    "signed": Q(department_state=DepartmentState.SIGNED, status="assigned"),
    "returned": Q(department_state=DepartmentState.RETURNED, status="accepted"),
    "callback": Q(status__in=("resolved", "closed"), callback_at__isnull=True),
}
BOARD_COUNTS = ("pending", "returned", "callback")


def handed_to_departments(demands: QuerySet) -> QuerySet:
    """The demands of a queryset that a department has (or had): `department IN (the departments)`, which is
    `department IS NOT NULL` said so that the database finds them through the partial department index. With
    IS NOT NULL beside a street or district condition, SQLite walked all of a district's demands for the board's
    counts (0.3 s at city scale) though few or none are handed over."""
    return demands.filter(department_id__in=Department.objects.values("pk"))


def board_counts(demands: QuerySet) -> dict[str, int]:
    """The street's department board in one query: awaiting 签收, returned (退单), awaiting 回访."""
    from django.db.models import Count

    return handed_to_departments(demands).order_by().aggregate(
        **{key: Count("pk", filter=BOARD_FILTERS[key]) for key in BOARD_COUNTS})
