"""Coverage and compliance reports (覆盖率与合规) for any place: building, park, street or district.

All figures come from a few grouped queries over the place's subtree, so a district report costs
the same number of queries as a building's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from jiceng.enterprises.models import NON_PUBLIC, Enterprise, EnterpriseKind
from jiceng.members.models import Member, MemberStatus
from jiceng.places.models import Place, PlaceKind

from .models import BRANCH_KINDS, CommitteeMember, Coverage, Organization

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


def coverage_report(place: Place, *, today: dt.date | None = None) -> CoverageReport:
    cfg = settings.JICENG
    today = today or timezone.localdate()
    report = CoverageReport(place=place)
    enterprises = _in_place(Enterprise.objects.all(), place)
    covered = Exists(Coverage.objects.filter(enterprise=OuterRef("pk")))
    counts = enterprises.aggregate(
        total=Count("pk"),
        org=Count("pk", filter=Q(covered)),
        work=Count("pk", filter=Q(~Q(covered), instructor__isnull=False)),
    )
    report.enterprises, report.org_covered, report.work_covered = counts["total"], counts["org"], counts["work"]

    must_cover = Q(kind=EnterpriseKind.ENTERPRISE, ownership__in=NON_PUBLIC,
                   employees__gte=cfg["COVERAGE_ENTERPRISE_MIN_EMPLOYEES"]) | Q(
        kind=EnterpriseKind.SOCIAL_ORG, employees__gte=cfg["COVERAGE_SOCIAL_ORG_MIN_STAFF"])
    report.must_cover_uncovered = list(enterprises.filter(must_cover).exclude(covered).order_by("-employees"))

    full_members = (Member.objects.active().filter(employer=OuterRef("pk"), status=MemberStatus.FULL)
                    .values("employer").annotate(n=Count("pk")).values("n"))
    has_own_branch = Exists(Coverage.objects.filter(enterprise=OuterRef("pk"), organization__kind__in=(
        "branch", "temporary_branch", "general_branch", "committee")))
    report.should_set_up = [
        (e, e.full_n) for e in enterprises.exclude(has_own_branch)
        .annotate(full_n=full_members).filter(full_n__gte=cfg["BRANCH_MIN_FULL_MEMBERS"]).order_by("-full_n")
    ]

    orgs = _in_place(Organization.objects.all(), place)
    org_counts = orgs.aggregate(
        total=Count("pk"),
        joint=Count("pk", filter=Q(kind="joint_branch")),
        independent=Count("pk", filter=Q(kind__in=("branch", "temporary_branch"))),
    )
    report.organizations = org_counts["total"]
    report.joint_branches, report.independent_branches = org_counts["joint"], org_counts["independent"]
    report.members = _in_place(Member.objects.active(), place, "organization__").count()

    org_full = (Member.objects.active().filter(organization=OuterRef("pk"), status=MemberStatus.FULL)
                .values("organization").annotate(n=Count("pk")).values("n"))
    seats = (CommitteeMember.objects.filter(organization=OuterRef("pk"))
             .values("organization").annotate(n=Count("pk")).values("n"))
    report.no_committee = [
        (o, o.full_n) for o in orgs.filter(kind__in=BRANCH_KINDS).annotate(full_n=org_full, seats=seats)
        .filter(full_n__gte=cfg["COMMITTEE_MIN_FULL_MEMBERS"])
        .filter(Q(seats__isnull=True) | Q(seats__lt=cfg["COMMITTEE_MIN_SIZE"])).order_by("-full_n")
    ]
    report.terms_ending = list(orgs.filter(
        term_end__gte=today, term_end__lte=today + dt.timedelta(days=cfg["TERM_WARNING_DAYS"])
    ).order_by("term_end"))
    report.terms_ended = list(orgs.filter(term_end__lt=today).order_by("term_end"))
    return report


def child_reports(place: Place) -> list[CoverageReport]:
    """One row per child area (for a street: its parks and buildings; for a district: its streets)."""
    children = Place.objects.filter(parent=place, kind__in=REPORT_KINDS)
    return [coverage_report(child) for child in children.order_by("name")]
