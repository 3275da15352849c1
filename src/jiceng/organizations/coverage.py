"""Coverage and compliance reports (覆盖率与合规) for any place: building, park, street or district.

All figures come from a few grouped queries over the place's subtree, so a district report costs
the same number of queries as a building's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from jiceng.enterprises.models import NON_PUBLIC, Enterprise, EnterpriseKind
from jiceng.members.models import Member, MemberStatus
from jiceng.places.models import Place, PlaceKind

from .models import BRANCH_KINDS, CommitteeMember, Coverage, Organization, OrgKind

# Places a coverage report can be asked for.
REPORT_KINDS = (PlaceKind.DISTRICT, PlaceKind.STREET, PlaceKind.PARK, PlaceKind.COMMERCIAL_BUILDING,
                PlaceKind.COMMUNITY, PlaceKind.MARKET, PlaceKind.VILLAGE, PlaceKind.BUILDING)


@dataclass
class CoverageReport:
    place: Place
    enterprises: int = 0
    org_covered: int = 0
    work_covered: int = 0  # no organization, instructor assigned
    organizations: int = 0
    joint_branches: int = 0
    independent_branches: int = 0
    members: int = 0
    must_cover_uncovered: list[Enterprise] = field(default_factory=list)
    should_set_up: list[tuple[Enterprise, int]] = field(default_factory=list)  # 应建未建
    no_committee: list[tuple[Organization, int]] = field(default_factory=list)
    terms_ending: list[Organization] = field(default_factory=list)
    terms_ended: list[Organization] = field(default_factory=list)  # overdue re-elections (换届逾期)
    # Structure checks (支部工作条例 第二章): joint branches over the unit limit, branches too large for one branch,
    # temporary branches past their end date.
    joint_too_many_units: list[tuple[Organization, int]] = field(default_factory=list)
    suggest_general_branch: list[tuple[Organization, int]] = field(default_factory=list)  # 51–100 members
    suggest_committee: list[tuple[Organization, int]] = field(default_factory=list)  # over 100 members
    temporary_overdue: list[Organization] = field(default_factory=list)
    # The four officers (四大员, seed 003): enterprises in buildings with a council that lack one of the four, of all
    # enterprises in such buildings (jiceng.governance; 0 and 0 where no council exists).
    officer_gaps: int = 0
    officer_governed: int = 0
    children: list[CoverageReport] = field(default_factory=list)  # summary rows, see coverage_report(children=)

    @property
    def branches_too_large(self) -> int:
        return len(self.suggest_general_branch) + len(self.suggest_committee)

    @property
    def org_coverage_rate(self) -> float:
        return self.org_covered / self.enterprises if self.enterprises else 0.0

    @property
    def work_coverage_rate(self) -> float:
        return self.work_covered / self.enterprises if self.enterprises else 0.0

    @property
    def total_coverage_rate(self) -> float:
        return (self.org_covered + self.work_covered) / self.enterprises if self.enterprises else 0.0

    def as_dict(self) -> dict:
        return {
            "place": {"id": self.place.pk, "name": self.place.name, "kind": self.place.kind},
            "enterprises": self.enterprises,
            "org_covered": self.org_covered,
            "work_covered": self.work_covered,
            "org_coverage_rate": round(self.org_coverage_rate, 4),
            "work_coverage_rate": round(self.work_coverage_rate, 4),
            "total_coverage_rate": round(self.total_coverage_rate, 4),
            "organizations": self.organizations,
            "joint_branches": self.joint_branches,
            "independent_branches": self.independent_branches,
            "members": self.members,
            "must_cover_uncovered": [_ent(e) for e in self.must_cover_uncovered],
            "should_set_up": [{**_ent(e), "full_members": n} for e, n in self.should_set_up],
            "no_committee": [{"id": o.pk, "name": o.name, "full_members": n} for o, n in self.no_committee],
            "terms_ending": [{"id": o.pk, "name": o.name, "term_end": o.term_end.isoformat()}
                             for o in self.terms_ending],
            "terms_ended": [{"id": o.pk, "name": o.name, "term_end": o.term_end.isoformat()}
                            for o in self.terms_ended],
            "joint_too_many_units": [{"id": o.pk, "name": o.name, "units": n} for o, n in self.joint_too_many_units],
            "suggest_general_branch": [{"id": o.pk, "name": o.name, "members": n}
                                       for o, n in self.suggest_general_branch],
            "suggest_committee": [{"id": o.pk, "name": o.name, "members": n} for o, n in self.suggest_committee],
            "temporary_overdue": [{"id": o.pk, "name": o.name, "end_date": o.end_date.isoformat()}
                                  for o in self.temporary_overdue],
            "officer_gaps": self.officer_gaps,
            "officer_governed": self.officer_governed,
        }


def _ent(e: Enterprise) -> dict:
    return {"id": e.pk, "name": e.name, "credit_code": e.credit_code, "kind": e.kind, "employees": e.employees}


def _in_place(queryset: QuerySet, place: Place, prefix: str = "") -> QuerySet:
    # District and street use their indexed denormalized keys; smaller places use the path prefix.
    if place.kind == PlaceKind.DISTRICT:
        return queryset.filter(**{f"{prefix}district": place})
    if place.kind == PlaceKind.STREET:
        return queryset.filter(**{f"{prefix}street": place})
    # The places under it by id: `place IN (…)` uses the foreign key's index, where a prefix match on the joined
    # place's path made the database read every row (decision 031).
    under = Place.objects.filter(path__startswith=place.path).values("pk")
    return queryset.filter(**{f"{prefix}place__in": under})


def coverage_report(place: Place, *, today: dt.date | None = None, children: bool = False) -> CoverageReport:
    """The figures and gap lists for `place`; with `children`, also a summary row per child area."""
    cfg = settings.JICENG
    today = today or timezone.localdate()
    report = CoverageReport(place=place)
    enterprises = _in_place(Enterprise.objects.all(), place)
    covered = Exists(Coverage.objects.filter(enterprise=OuterRef("pk")))
    # The place's totals are the sums of the rows grouped by street and place that the child areas' summaries
    # read too: one query per table for both (three fewer for a district, about 60 ms on PostgreSQL).
    groups = _grouped_counts(place)
    groups.add_to(lambda street_id, place_id: report, officers=True)

    must_cover = Q(kind=EnterpriseKind.ENTERPRISE, ownership__in=NON_PUBLIC,
                   employees__gte=cfg["COVERAGE_ENTERPRISE_MIN_EMPLOYEES"]) | Q(
        kind=EnterpriseKind.SOCIAL_ORG, employees__gte=cfg["COVERAGE_SOCIAL_ORG_MIN_STAFF"])
    # The lists show a few columns of possibly thousands of rows: only those are read (model rows with every column
    # cost a district 0.1 s).
    listed = ("pk", "name", "credit_code", "kind", "employees")
    report.must_cover_uncovered = list(enterprises.filter(must_cover).exclude(covered).only(*listed)
                                       .order_by("-employees"))

    # Full members per employer from one grouped query over the place's enterprises, then the few with enough
    # of them (a correlated count per enterprise cost 0.12 s for a district on PostgreSQL).
    full_members = dict(
        Member.objects.active().filter(status=MemberStatus.FULL, employer__in=enterprises.values("pk"))
        .values_list("employer").annotate(n=Count("*")).filter(n__gte=cfg["BRANCH_MIN_FULL_MEMBERS"]).order_by())
    has_own_branch = Exists(Coverage.objects.filter(enterprise=OuterRef("pk"), organization__kind__in=(
        "branch", "temporary_branch", "general_branch", "committee")))
    candidates = enterprises.filter(pk__in=list(full_members)).exclude(has_own_branch).only(*listed) \
        if full_members else []
    report.should_set_up = sorted(((e, full_members[e.pk]) for e in candidates), key=lambda pair: -pair[1])

    orgs = _in_place(Organization.objects.all(), place)

    _organization_checks(report, orgs, today)
    if children:
        report.children = _child_reports(place, report.terms_ended, groups)
    return report


@dataclass
class GroupedCounts:
    """Rows of counts grouped by (street_id, place_id) over a place's subtree: enterprises (total, org, work and
    the four officers' figures), organizations (total, joint, independent) and active members (n)."""

    enterprises: list[dict]
    organizations: list[dict]
    members: list[dict]

    def add_to(self, report_for: Callable[[int | None, int | None], CoverageReport | None], *,
               officers: bool = False) -> None:
        """Add each row to the report `report_for(street_id, place_id)` names (None: the row is no one's); the
        four officers' figures only with `officers` (the place's own report, not its children's summaries)."""
        for row in self.enterprises:
            if (report := report_for(row["street_id"], row["place_id"])) is not None:
                report.enterprises += row["total"]
                report.org_covered += row["org"]
                report.work_covered += row["work"]
                if officers:
                    report.officer_gaps += row.get("officer_gaps", 0)
                    report.officer_governed += row.get("officer_governed", 0)
        for row in self.organizations:
            if (report := report_for(row["street_id"], row["place_id"])) is not None:
                report.organizations += row["total"]
                report.joint_branches += row["joint"]
                report.independent_branches += row["independent"]
        for row in self.members:
            if (report := report_for(row["street_id"], row["place_id"])) is not None:
                report.members += row["n"]


def _grouped_counts(place: Place) -> GroupedCounts:
    covered = Exists(Coverage.objects.filter(enterprise=OuterRef("pk")))
    officers = {}
    if apps.is_installed("jiceng.governance"):  # the four officers' gaps, counted in the same pass
        from jiceng.governance.services import officer_gap_filters

        governed, gaps = officer_gap_filters()
        officers = {"officer_governed": Count("pk", filter=governed), "officer_gaps": Count("pk", filter=gaps)}
    enterprises = _in_place(Enterprise.objects.all(), place).values("street_id", "place_id").annotate(
        total=Count("pk"), org=Count("pk", filter=Q(covered)),
        work=Count("pk", filter=Q(~Q(covered), instructor__isnull=False)), **officers).order_by()
    organizations = _in_place(Organization.objects.all(), place).values("street_id", "place_id").annotate(
        total=Count("pk"), joint=Count("pk", filter=Q(kind="joint_branch")),
        independent=Count("pk", filter=Q(kind__in=("branch", "temporary_branch")))).order_by()
    members = _in_place(Member.objects.active(), place, "organization__").values(
        street_id=F("organization__street_id"), place_id=F("organization__place_id")).annotate(
        n=Count("*")).order_by()
    return GroupedCounts(list(enterprises), list(organizations), list(members))


def _organization_checks(report: CoverageReport, orgs: QuerySet[Organization], today: dt.date) -> None:
    """Every per-organization list of the report from ONE query over the place's organizations (decision 032):
    the few organizations that are flagged for any reason come back with their counts, and Python sorts them
    into the lists.

    - No committee: a branch with COMMITTEE_MIN_FULL_MEMBERS full members and fewer than COMMITTEE_MIN_SIZE seats.
    - Terms ending within TERM_WARNING_DAYS, or over (换届逾期): the computed term end (decision 040).
    - Joint branches covering more than JOINT_BRANCH_MAX_UNITS units: 《中国共产党支部工作条例(试行)》(2018) 第二章,
      “联合党支部覆盖单位一般不超过5个”.
    - Branches with more than BRANCH_MAX_MEMBERS members (“党支部党员人数一般不超过50人”, same chapter): up to
      GENERAL_BRANCH_MAX_MEMBERS a general branch (党总支) is suggested, beyond it a base committee (基层党委) —
      the 50/100 thresholds of the 2019 国有企业 and 党和国家机关 基层组织工作条例.
    - Temporary branches (临时党支部, set up for a project of six months or more) whose end date has passed: the
      branch should be dissolved and its members' relationships returned.
    """
    cfg = settings.JICENG

    def count(queryset) -> Subquery:
        return Subquery(queryset.filter(organization=OuterRef("pk")).values("organization")
                        .annotate(n=Count("*")).values("n")[:1])

    active = Member.objects.active()
    warn = today + dt.timedelta(days=cfg["TERM_WARNING_DAYS"])
    flagged = orgs.annotate(
        full_n=count(active.filter(status=MemberStatus.FULL)), seats=count(CommitteeMember.objects.all()),
        units=count(Coverage.objects.all()), n_members=count(active),
    ).filter(
        Q(kind__in=BRANCH_KINDS, full_n__gte=cfg["COMMITTEE_MIN_FULL_MEMBERS"])
        & (Q(seats__isnull=True) | Q(seats__lt=cfg["COMMITTEE_MIN_SIZE"]))
        | Q(term_end__lte=warn)
        | Q(kind=OrgKind.JOINT_BRANCH, units__gt=cfg["JOINT_BRANCH_MAX_UNITS"])
        | Q(kind__in=BRANCH_KINDS, n_members__gt=cfg["BRANCH_MAX_MEMBERS"])
        | Q(kind=OrgKind.TEMPORARY_BRANCH, end_date__lt=today)
    ).only("pk", "name", "kind", "term_end", "end_date", "place", "district", "street").order_by("pk")
    for org in flagged:
        if (org.kind in BRANCH_KINDS and (org.full_n or 0) >= cfg["COMMITTEE_MIN_FULL_MEMBERS"]
                and (org.seats or 0) < cfg["COMMITTEE_MIN_SIZE"]):
            report.no_committee.append((org, org.full_n))
        if org.term_end is not None and org.term_end <= warn:
            (report.terms_ended if org.term_end < today else report.terms_ending).append(org)
        if org.kind == OrgKind.JOINT_BRANCH and (org.units or 0) > cfg["JOINT_BRANCH_MAX_UNITS"]:
            report.joint_too_many_units.append((org, org.units))
        if org.kind in BRANCH_KINDS and (org.n_members or 0) > cfg["BRANCH_MAX_MEMBERS"]:
            big = org.n_members > cfg["GENERAL_BRANCH_MAX_MEMBERS"]
            (report.suggest_committee if big else report.suggest_general_branch).append((org, org.n_members))
        if org.kind == OrgKind.TEMPORARY_BRANCH and org.end_date is not None and org.end_date < today:
            report.temporary_overdue.append(org)
    report.no_committee.sort(key=lambda pair: -pair[1])
    report.terms_ending.sort(key=lambda o: (o.term_end, o.pk))
    report.terms_ended.sort(key=lambda o: (o.term_end, o.pk))
    for pairs in (report.joint_too_many_units, report.suggest_general_branch, report.suggest_committee):
        pairs.sort(key=lambda pair: -pair[1])
    report.temporary_overdue.sort(key=lambda o: (o.end_date, o.pk))


def child_reports(place: Place, *, today: dt.date | None = None) -> list[CoverageReport]:
    """One summary row per child area (for a street: its parks and buildings; for a district: its streets)."""
    return coverage_report(place, today=today, children=True).children


def area_summaries(place: Place) -> list[CoverageReport]:
    """The summary figures only (enterprises, coverage, organizations, members) of every child area of `place`,
    in the few grouped queries of `coverage_report(children=True)` without the report's own gap lists."""
    return _child_reports(place, [])


def district_summaries() -> list[CoverageReport]:
    """The same summary figures for every district (a superuser's overview), one grouped query per count."""
    districts = list(Place.objects.filter(kind=PlaceKind.DISTRICT).order_by("name", "pk"))
    reports = {d.pk: CoverageReport(place=d) for d in districts}
    covered = Exists(Coverage.objects.filter(enterprise=OuterRef("pk")))
    for district_id, total, org, work in Enterprise.objects.values("district_id").annotate(
            total=Count("pk"), org=Count("pk", filter=Q(covered)),
            work=Count("pk", filter=Q(~Q(covered), instructor__isnull=False))).values_list(
            "district_id", "total", "org", "work").order_by():
        if district_id in reports:
            report = reports[district_id]
            report.enterprises, report.org_covered, report.work_covered = total, org, work
    for district_id, n in Member.objects.active().values("organization__district_id").annotate(
            n=Count("*")).values_list("organization__district_id", "n").order_by():
        if district_id in reports:
            reports[district_id].members = n
    return list(reports.values())


def _child_reports(place: Place, terms_ended: list[Organization],
                   groups: GroupedCounts | None = None) -> list[CoverageReport]:
    """The summary figures and overdue re-elections of `coverage_report` for every child area at once.

    Each count is one query over the place's subtree grouped by street and place, and the rows are added up
    under the child they belong to, so a street with 40 areas costs as many queries as one with 4.
    """
    subtree = list(Place.objects.filter(path__startswith=place.path, depth__gt=place.depth).order_by("name", "pk"))
    children = [p for p in subtree if p.parent_id == place.pk and p.kind in REPORT_KINDS]
    if not children:
        return []
    reports = {child.pk: CoverageReport(place=child) for child in children}
    # Which child each place of the subtree lies under: the path segment right after the place's own.
    owner: dict[int, int] = {}
    for node in subtree:
        segment = int(node.path.strip("/").split("/")[place.depth + 1])
        if segment in reports:
            owner[node.pk] = segment

    def report_for(street_id: int | None, place_id: int | None) -> CoverageReport | None:
        # A street child also owns rows that carry its street but no place (as `coverage_report` counts them).
        child = street_id if street_id in reports else owner.get(place_id)
        return reports.get(child) if child is not None else None
    (groups or _grouped_counts(place)).add_to(report_for)
    for org in terms_ended:
        if (report := report_for(org.street_id, org.place_id)) is not None:
            report.terms_ended.append(org)
    return [reports[child.pk] for child in children]
