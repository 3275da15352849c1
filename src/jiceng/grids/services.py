"""The rules of grids, household contacts and renovation projects. Views and the API only call these."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.geo import haversine_m
from jiceng.members.models import Member
from jiceng.organizations.models import Organization, OrgKind
from jiceng.places.models import Place, PlaceKind

from . import geometry
from .models import (
    GRID_PLACE_KINDS,
    ContactLog,
    Grid,
    GridMember,
    GridSettings,
    GridSource,
    HouseholdContact,
    ProjectStatus,
    RenovationMember,
    RenovationProject,
    StreetBoundary,
)

MAX_IMPORT_BYTES = 2 * 1024 * 1024  # a street's grids are a few kilobytes; more is a wrong file


# --- grids -----------------------------------------------------------------------------------------------------

def street_of(place: Place) -> Place | None:
    if place.kind == PlaceKind.STREET:
        return place
    return Place.objects.filter(pk=place.street_id).first() if place.street_id else None


def check_grid(grid: Grid) -> None:
    """All the rules of one grid, each error naming its field: a valid polygon inside China and inside its street,
    a grid branch that is a branch, a contact who belongs to the grid."""
    if grid.place_id and grid.place.kind not in GRID_PLACE_KINDS:
        raise ValidationError({"place": _("微网格只能设在街道/镇、居民区或村。")})
    grid.geometry = geometry.polygon_geometry(grid.geometry)
    ring = geometry.validate_polygon(grid.geometry)
    if grid.place_id:
        check_inside_street(ring, grid.place)
    grid.area_m2 = round(geometry.area_m2(ring), 1)
    grid.center_lng, grid.center_lat = geometry.centroid(ring)
    if grid.branch_id and grid.branch.kind not in (OrgKind.BRANCH, OrgKind.JOINT_BRANCH, OrgKind.TEMPORARY_BRANCH):
        raise ValidationError({"branch": _("网格党支部须是党支部(或联合、临时党支部)。")})
    if grid.contact_id:
        in_grid = grid.pk and GridMember.objects.filter(grid=grid, member_id=grid.contact_id).exists()
        in_branch = grid.branch_id and grid.contact.organization_id == grid.branch_id
        if not (in_grid or in_branch):
            raise ValidationError({"contact": _("网格联络员须是编入本网格或网格党支部的党员。")})


def check_inside_street(ring: geometry.Ring, place: Place) -> None:
    """Inside the street's boundary when it has one; with only the street's point, within `street_reach_m`
    of it (a grid drawn in the wrong district is caught either way); with neither, nothing to check."""
    street = street_of(place)
    if street is None:
        return
    boundary = StreetBoundary.objects.filter(street=street).first()
    if boundary is not None:
        if not geometry.within(ring, boundary.ring):
            raise ValidationError({"geometry": _("网格超出所在街道“%(s)s”的边界。") % {"s": street.name}})
        return
    if street.lat is not None and street.lng is not None:
        reach = GridSettings.current().street_reach_m
        far = max(haversine_m(float(street.lat), float(street.lng), lat, lng) for lng, lat in ring)
        if far > reach:
            raise ValidationError({"geometry": _("网格距所在街道“%(s)s”中心 %(d).0f 米,超出 %(r)d 米,不在该街道内。")
                                   % {"s": street.name, "d": far, "r": reach}})


def refresh_member_count(grid: Grid) -> None:
    grid.member_count = GridMember.objects.filter(grid=grid).count()
    Grid.objects.filter(pk=grid.pk).update(member_count=grid.member_count)


@transaction.atomic
def assign_member(grid: Grid, member: Member, *, basis: str, since: dt.date | None = None) -> GridMember:
    """A member joins a grid by residence or workplace; a member is in one grid at a time."""
    existing = GridMember.objects.filter(member=member).select_related("grid").first()
    if existing is not None:
        if existing.grid_id == grid.pk:
            raise ValidationError({"member": _("%(m)s 已在本网格。") % {"m": member.name}})
        raise ValidationError({"member": _("%(m)s 已编入网格“%(g)s”,一名党员只编入一个网格。")
                               % {"m": member.name, "g": existing.grid.name}})
    if member.left_on is not None:
        raise ValidationError({"member": _("%(m)s 已转出,不能编入网格。") % {"m": member.name}})
    assignment = GridMember(grid=grid, member=member, basis=basis, since=since or timezone.localdate())
    assignment.full_clean(exclude=["grid", "member"])
    assignment.save()
    refresh_member_count(grid)
    return assignment


@transaction.atomic
def remove_member(assignment: GridMember) -> None:
    grid = assignment.grid
    if grid.contact_id == assignment.member_id and grid.contact.organization_id != grid.branch_id:
        Grid.objects.filter(pk=grid.pk).update(contact=None)
    assignment.delete()
    refresh_member_count(grid)


def save_grid(grid: Grid) -> Grid:
    grid.full_clean()
    grid.save()
    return grid


def parse_geojson(raw: bytes | str | dict, field: str = "file") -> list[dict]:
    """The features of a GeoJSON upload (FeatureCollection, Feature or bare Polygon) as
    [{"name", "code", "geometry"}]; an unreadable file is an error naming `field`."""
    if isinstance(raw, bytes | str):
        if len(raw) > MAX_IMPORT_BYTES:
            raise ValidationError({field: _("文件太大(上限 2 MB)。")})
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ValidationError({field: _("不是有效的 GeoJSON(JSON 解析失败)。")}) from exc
    else:
        data = raw
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise ValidationError({field: _("FeatureCollection 中没有要素。")})
    elif isinstance(data, dict) and data.get("type") in ("Feature", "Polygon"):
        features = [data]
    else:
        raise ValidationError({field: _("须为 GeoJSON 的 FeatureCollection、Feature 或 Polygon。")})
    rows = []
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        rows.append({"name": str(props.get("name") or "").strip()[:100], "code": str(props.get("code") or "")[:32],
                     "geometry": feature})
    return rows


@transaction.atomic
def import_grids(place: Place, raw: bytes | str | dict, *, field: str = "file") -> list[Grid]:
    """Every feature becomes a grid in `place`, all or nothing: one bad feature names itself and nothing is saved."""
    rows = parse_geojson(raw, field)
    grids = []
    for index, row in enumerate(rows, start=1):
        name = row["name"] or _("%(p)s第%(n)d网格") % {"p": place.name, "n": index}
        grid = Grid(place=place, name=name, code=row["code"], geometry=row["geometry"], source=GridSource.IMPORTED)
        try:
            grid.full_clean()
        except ValidationError as exc:
            messages = exc.message_dict if hasattr(exc, "error_dict") else {field: exc.messages}
            raise ValidationError({field: [_("第 %(n)d 个要素(%(name)s):%(msg)s")
                                           % {"n": index, "name": name, "msg": "; ".join(m)}
                                           for m in messages.values()]}) from exc
        grid.save()
        grids.append(grid)
    return grids


@transaction.atomic
def generate_cells(street: Place, *, side_m: int | None = None, prefix: str = "") -> list[Grid]:
    """Cells of about 1 km² (the side as data) over the street's boundary, each cut to it; named 第N网格."""
    if street.kind != PlaceKind.STREET:
        raise ValidationError({"street": _("只能在街道/镇上生成网格。")})
    boundary = StreetBoundary.objects.filter(street=street).first()
    if boundary is None:
        raise ValidationError({"street": _("街道“%(s)s”还没有边界,不能生成网格;请先导入街道边界。")
                               % {"s": street.name}})
    side = side_m or GridSettings.current().cell_side_m
    if not 100 <= side <= 10_000:
        raise ValidationError({"side_m": _("网格边长须在 100 到 10000 米之间。")})
    taken = set(Grid.objects.filter(place=street).values_list("name", flat=True))
    grids, number = [], 0
    for ring in geometry.square_cells(boundary.ring, side):
        number += 1
        name = f"{prefix or street.name}第{number}网格"
        if name in taken:
            continue
        grid = Grid(place=street, name=name, geometry=geometry.as_geometry(ring), source=GridSource.GENERATED)
        try:
            grid.full_clean()
        except ValidationError:
            continue  # a sliver cut from a concave boundary that folds on itself: left for drawing by hand
        grid.save()
        grids.append(grid)
    return grids


def set_street_boundary(street: Place, raw: bytes | str | dict, field: str = "file") -> StreetBoundary:
    rows = parse_geojson(raw, field)
    if len(rows) != 1:
        raise ValidationError({field: _("街道边界须是一个多边形。")})
    boundary = StreetBoundary.objects.filter(street=street).first() or StreetBoundary(street=street)
    boundary.geometry = rows[0]["geometry"]
    boundary.full_clean()
    boundary.save()
    return boundary


def grids_with_warnings(grids: Iterable[Grid]) -> list[tuple[Grid, list[str]]]:
    rules = GridSettings.current()
    return [(grid, grid.warnings(rules)) for grid in grids]


# --- household contacts ----------------------------------------------------------------------------------------

def check_household(household: HouseholdContact) -> None:
    """A household is assigned once (one member, one row: a second assignment is refused, naming the field), and a
    member holds at most the quota of households (seed 001: 50, as data)."""
    street_id = household.place.street_id if household.place_id else None
    same = HouseholdContact.objects.exclude(pk=household.pk)
    if household.enterprise_id:
        other = same.filter(enterprise_id=household.enterprise_id).select_related("member").first()
        if other is not None:
            raise ValidationError({"enterprise": _("该户已结对联系党员 %(m)s,不能重复分配。")
                                   % {"m": other.member.name}})
    if street_id and household.name:
        other = same.filter(street_id=street_id, kind=household.kind, name=household.name.strip(),
                            address=household.address.strip()).select_related("member").first()
        if other is not None:
            raise ValidationError({"name": _("“%(n)s”(%(a)s)已结对联系党员 %(m)s,不能重复分配。")
                                   % {"n": household.name, "a": household.address, "m": other.member.name}})
    if household.member_id:
        if household.member.left_on is not None:
            raise ValidationError({"member": _("%(m)s 已转出,不能结对联系户。") % {"m": household.member.name}})
        quota = GridSettings.current().households_per_member
        held = same.filter(member_id=household.member_id).count()
        if held >= quota:
            raise ValidationError({"member": _("%(m)s 已联系 %(n)d 户,达到每名党员 %(q)d 户的上限。")
                                   % {"m": household.member.name, "n": held, "q": quota}})
    if household.grid_id and household.place_id and household.grid.street_id != household.place.street_id:
        raise ValidationError({"grid": _("联系户所在网格须在同一街道。")})


@transaction.atomic
def log_contact(household: HouseholdContact, *, date: dt.date, way: str, raised: str = "", by=None,
                member: Member | None = None, to_demand: bool = False) -> ContactLog:
    """Record one contact; with `to_demand` the raised matter becomes a demand at once."""
    if date > timezone.localdate():
        raise ValidationError({"date": _("联系日期不能晚于今天。")})
    log = ContactLog(household=household, member=member or household.member, date=date, way=way,
                     raised=(raised or "").strip(), created_by=by)
    log.full_clean(exclude=["household", "member", "demand"])
    log.save()
    if household.last_contact is None or date > household.last_contact:
        household.last_contact = date
        HouseholdContact.objects.filter(pk=household.pk).update(last_contact=date)
    if to_demand:
        log.demand = raise_demand(log, by=by)
    return log


@transaction.atomic
def raise_demand(log: ContactLog, *, by=None):
    """The matter raised in a contact as a demand at the household's place, through the demands workflow (routing,
    duplicates and notifications as for any demand); a log becomes at most one demand."""
    from jiceng.demands.models import DemandSource, RequesterKind
    from jiceng.demands.workflow import submit

    log = ContactLog.objects.select_for_update().select_related("household").get(pk=log.pk)
    if log.demand_id:
        raise ValidationError({"demand": _("这条联系记录已转为需求。")})
    if not log.raised.strip():
        raise ValidationError({"raised": _("没有反映的问题,不能转为需求。")})
    household = log.household
    business = household.enterprise_id is not None
    demand = submit(text=log.raised, place=household.place, source=DemandSource.VISIT, user=by,
                    title=_("联系户反映:%(n)s") % {"n": household.name},
                    requester_kind=RequesterKind.ENTERPRISE if business else RequesterKind.RESIDENT,
                    requester_enterprise=household.enterprise if business else None,
                    requester_name=household.name[:50])
    log.demand = demand
    log.save(update_fields=["demand"])
    return demand


@dataclass
class CoverageRow:
    key: int | None
    name: str
    households: int
    contacted: int
    target: int | None = None

    @property
    def rate(self) -> float:
        return round(self.contacted / self.households, 4) if self.households else 0.0

    def as_dict(self) -> dict:
        return {"id": self.key, "name": self.name, "households": self.households, "contacted": self.contacted,
                "rate": self.rate, "target": self.target}


COVERAGE_BY = {"member": ("member", "member__name"), "grid": ("grid", "grid__name"),
               "street": ("street", "street__name")}


def coverage(households: models.QuerySet[HouseholdContact], *, start: dt.date, end: dt.date,
             by: str = "member") -> list[CoverageRow]:
    """Per member, grid or street: households held and how many had a contact logged between start and end
    (inclusive). One grouped query."""
    if by not in COVERAGE_BY:
        raise ValidationError({"by": _("按 member、grid 或 street 统计。")})
    if start > end:
        raise ValidationError({"from": _("开始日期不能晚于结束日期。")})
    key, label = COVERAGE_BY[by]
    contacted = Q(logs__date__gte=start, logs__date__lte=end)
    rows = (households.order_by().values(key, label)
            .annotate(n=Count("pk", distinct=True), c=Count("pk", filter=contacted, distinct=True))
            .order_by(label, key))
    target = GridSettings.current().households_per_member if by == "member" else None
    return [CoverageRow(row[key], row[label] or _("(未编入网格)"), row["n"], row["c"], target) for row in rows]


# --- renovation projects ---------------------------------------------------------------------------------------

@transaction.atomic
def set_up_branch(project: RenovationProject, *, name: str = "", parent: Organization | None = None,
                  members: Iterable[Member] = (), on: dt.date | None = None,
                  secretary: Member | None = None) -> Organization:
    """The project's temporary branch (临时党支部, 支部工作条例 第二章: a project of six months or more sets one
    up). Members join it beside their home branch, which does not change (decision 039's pattern)."""
    if project.status != ProjectStatus.ACTIVE:
        raise ValidationError({"temporary_branch": _("项目已结束,不能再设临时党支部。")})
    if project.temporary_branch_id:
        raise ValidationError({"temporary_branch": _("本项目已设临时党支部“%(n)s”。")
                               % {"n": project.temporary_branch}})
    on = on or timezone.localdate()
    branch = Organization(name=name or _("%(p)s临时党支部") % {"p": project.name}, kind=OrgKind.TEMPORARY_BRANCH,
                          parent=parent, place=project.place, established=on)
    branch.full_clean()
    branch.save()
    project.temporary_branch, project.branch_name = branch, branch.name
    project.save(update_fields=["temporary_branch", "branch_name"])
    for member in members:
        join_branch(project, member, on=on)
    if secretary is not None:
        branch.secretary = secretary
        branch.save(update_fields=["secretary"])
    return branch


def join_branch(project: RenovationProject, member: Member, *, on: dt.date | None = None) -> RenovationMember:
    if not project.temporary_branch_id or project.status != ProjectStatus.ACTIVE:
        raise ValidationError({"member": _("项目没有在运行的临时党支部。")})
    if member.left_on is not None:
        raise ValidationError({"member": _("%(m)s 已转出。") % {"m": member.name}})
    if RenovationMember.objects.filter(project=project, member=member).exists():
        raise ValidationError({"member": _("%(m)s 已在本项目临时党支部中。") % {"m": member.name}})
    return RenovationMember.objects.create(project=project, member=member, joined_on=on or timezone.localdate())


@transaction.atomic
def end_project(project: RenovationProject, *, on: dt.date | None = None) -> RenovationProject:
    """The project ends: every membership of its temporary branch ends and the branch is dissolved — removed when
    nothing else refers to it (members then show only their home branch), else closed with its end date."""
    project = RenovationProject.objects.select_for_update().get(pk=project.pk)
    if project.status == ProjectStatus.ENDED:
        raise ValidationError({"status": _("项目已结束。")})
    on = on or timezone.localdate()
    if on < project.started:
        raise ValidationError({"ended": _("结束日期不能早于启动日期。")})
    RenovationMember.objects.filter(project=project, left_on__isnull=True).update(left_on=on)
    project.status, project.ended = ProjectStatus.ENDED, on
    branch = project.temporary_branch
    project.save(update_fields=["status", "ended"])
    if branch is not None:
        _dissolve(branch, on)
    return project


def _dissolve(branch: Organization, on: dt.date) -> None:
    from django.db.models import ProtectedError

    if not branch.members.exists() and not branch.children.exists():
        try:
            with transaction.atomic():
                RenovationProject.objects.filter(temporary_branch=branch).update(temporary_branch=None)
                branch.delete()
            return
        except ProtectedError:
            pass  # activities or records still point at it: keep it, closed
    branch.end_date = on
    branch.save(update_fields=["end_date"])
