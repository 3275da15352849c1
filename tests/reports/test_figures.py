"""Each report's figures against an independent count: the rows the fixture made, filtered and counted in Python
(not through the report's queries), for a district, a street and a park, for the year and for quarters."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

from jiceng.core.dates import add_years
from jiceng.demands.models import Demand, DemandStatus
from jiceng.enterprises.models import Enterprise
from jiceng.matching.models import DONE_PROJECT_STATUSES, Project
from jiceng.members.models import Application, ApplicationStep, DuesPayment, Member, Stage
from jiceng.organizations.models import Organization
from jiceng.reports import services
from jiceng.reports.periods import Period

from .conftest import SHANGHAI, YEAR

PLACES = ["district", "street1", "street2", "park1"]
PERIODS = [Period(YEAR), Period(YEAR, 1), Period(YEAR, 4)]


def under(place, located) -> bool:
    """Is a located row (its place) at `place`? By the place's path, not the report's district/street keys."""
    return located.path.startswith(place.path)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def expected_members(place, end: dt.date) -> list[Member]:
    return [m for m in Member.objects.select_related("organization__place")
            if under(place, m.organization.place) and m.join_date <= end and (m.left_on is None or m.left_on > end)]


def test_party_statistics_count_what_is_there(world):
    for place_key in PLACES:
        for period in PERIODS:
            _party_statistics_count_what_is_there(world, place_key, period)


def _party_statistics_count_what_is_there(world, place_key, period):
    place = world["tree"][place_key]
    data = services.party_statistics(place, period).data
    end = period.end
    members = expected_members(place, end)
    assert members, "the fixture has members here"
    full = [m for m in members if m.status == "full" and (m.full_date is None or m.full_date <= end)]
    assert data["members"] == {"total": len(members), "full": len(full), "probationary": len(members) - len(full)}

    def counted(rows):
        return {r["key"]: r["count"] for r in rows if r["count"]}

    assert counted(data["by_gender"]) == Counter(m.gender for m in members)
    assert counted(data["by_education"]) == Counter(m.education for m in members)
    assert counted(data["by_occupation"]) == Counter(m.occupation for m in members)
    assert counted(data["by_ethnicity"]) == Counter(m.ethnicity for m in members)
    ages = Counter()
    for m in members:
        age = age_on(m.birth_date, end)
        band = next(f"{lo}-{hi if hi is not None else ''}" for lo, hi in services.AGE_BANDS
                    if lo <= age and (hi is None or age <= hi))
        ages[band] += 1
    assert counted(data["by_age"]) == ages
    assert sum(r["count"] for r in data["by_age"]) == len(members)

    steps = [s for s in ApplicationStep.objects.select_related("application__organization__place")
             if under(place, s.application.organization.place) and period.start <= s.date <= end]
    apps = [a for a in Application.objects.select_related("organization__place")
            if under(place, a.organization.place)]
    assert data["development"] == {
        "developed": len({s.application_id for s in steps if s.code == "admit"}),
        "made_full": len({s.application_id for s in steps if s.code == "full"}),
        "applicants": sum(a.stage == Stage.APPLICANT for a in apps),
        "activists": sum(a.stage == Stage.ACTIVIST for a in apps),
        "targets": sum(a.stage == Stage.TARGET for a in apps)}
    assert data["development"]["developed"] > 0

    orgs = [o for o in Organization.objects.select_related("place")
            if under(place, o.place) and (o.established is None or o.established <= end)]
    assert data["organizations"]["total"] == len(orgs)
    assert counted(data["organizations"]["by_kind"]) == Counter(o.kind for o in orgs)

    for row in data["coverage"]:
        ents = [e for e in Enterprise.objects.select_related("place").prefetch_related("coverages")
                if under(place, e.place) and e.kind == row["key"]]
        covered = [e for e in ents if any(c.since is None or c.since <= end for c in e.coverages.all())]
        work = [e for e in ents if e not in covered and e.instructor_id]
        assert (row["total"], row["with_organization"], row["work_covered"]) == (len(ents), len(covered), len(work))
        assert row["covered"] == len(covered) + len(work)

    payments = [p for p in DuesPayment.objects.select_related("member__organization__place")
                if under(place, p.member.organization.place) and period.start <= p.month <= end]
    assert data["dues"] == {"collected": sum((p.amount for p in payments), Decimal("0.00")),
                            "payments": len(payments), "members_paid": len({p.member_id for p in payments})}


def test_a_member_turning_31_on_the_last_day_is_in_the_31_to_35_band(world):
    place = world["tree"]["park2"]
    org = world["branches"]["street2"][0]
    from tests import factories as f

    before = services.party_statistics(place, Period(YEAR)).data["by_age"]
    f.member(org, "生日党员", birth_date=add_years(dt.date(YEAR, 12, 31), -31), join_date=dt.date(2020, 1, 1))
    after = services.party_statistics(place, Period(YEAR)).data["by_age"]
    changed = {b["key"]: b["count"] - a["count"] for a, b in zip(before, after, strict=True)
               if b["count"] != a["count"]}
    assert changed == {"31-35": 1}


def test_projects_year_counts_projects_completed_in_the_period(world):
    for place_key in PLACES:
        for period in PERIODS:
            _projects_year_counts_projects_completed_in_the_period(world, place_key, period)


def _projects_year_counts_projects_completed_in_the_period(world, place_key, period):
    place = world["tree"][place_key]
    report = services.projects_year(place, period)
    done = [p for p in Project.objects.select_related("conference__place", "provider")
            if under(place, p.conference.place) and p.status in DONE_PROJECT_STATUSES
            and period.start <= p.completed_at.astimezone(SHANGHAI).date() <= period.end]
    assert report.data["completed"] == len(done)
    assert {c["key"]: c["completed"] for c in report.data["by_category"]} == Counter(p.category for p in done)
    assert {c["key"]: c["quantity"] for c in report.data["by_category"]} == {
        k: sum(p.quantity for p in done if p.category == k) for k in {p.category for p in done}}
    assert {u["name"]: u["completed"] for u in report.data["by_unit"]} == Counter(p.provider.name for p in done)
    headline = f"{YEAR} 年全年完成项目 {len(done)} 个" if period.quarter is None else \
        f"{YEAR} 年第 {period.quarter} 季度完成项目 {len(done)} 个"
    assert report.lines[0] == headline


def test_projects_year_for_the_district_has_completions(world):
    assert services.projects_year(world["tree"]["district"], Period(YEAR)).data["completed"] > 0


def test_demands_year_counts_on_time_and_satisfaction(world):
    for place_key in PLACES:
        for period in PERIODS:
            _demands_year_counts_on_time_and_satisfaction(world, place_key, period)


def _demands_year_counts_on_time_and_satisfaction(world, place_key, period):
    shanghai = SHANGHAI
    place = world["tree"][place_key]
    data = services.demands_year(place, period).data
    demands = [d for d in Demand.objects.select_related("place", "category")
               if under(place, d.place) and period.start <= d.created.astimezone(shanghai).date() <= period.end]
    resolved = [d for d in demands if d.status in (DemandStatus.RESOLVED, DemandStatus.CLOSED)]
    with_due = [d for d in resolved if d.due_date]
    on_time = [d for d in with_due if d.resolved_at.astimezone(shanghai).date() <= d.due_date]
    rated = [d for d in demands if d.rating]
    satisfied = [d for d in rated if d.rating >= 4]
    total = data["total"]
    assert (total["received"], total["resolved"], total["with_deadline"], total["on_time"], total["rated"],
            total["satisfied"]) == (len(demands), len(resolved), len(with_due), len(on_time), len(rated),
                                    len(satisfied))
    assert total["on_time_rate"] == (round(len(on_time) / len(with_due), 4) if with_due else None)
    assert total["satisfaction_rate"] == (round(len(satisfied) / len(rated), 4) if rated else None)
    assert total["average_rating"] == (round(sum(d.rating for d in rated) / len(rated), 2) if rated else None)
    by_code = {c["key"]: c["received"] for c in data["by_category"]}
    assert by_code == Counter(d.category.code if d.category else "" for d in demands)


def test_demands_year_has_late_and_on_time_demands_in_the_district(world):
    total = services.demands_year(world["tree"]["district"], Period(YEAR)).data["total"]
    assert 0 < total["on_time"] < total["with_deadline"]
    assert 0 < total["satisfied"] < total["rated"]


def test_report_queries_are_bounded(world, django_assert_max_num_queries):
    """Set-based: the same few queries for a district as for a park (decision 032)."""
    for place_key in ("district", "park1"):
        place = world["tree"][place_key]
        with django_assert_max_num_queries(8):
            services.party_statistics(place, Period(YEAR))
        with django_assert_max_num_queries(4):
            services.projects_year(place, Period(YEAR))
        with django_assert_max_num_queries(3):
            services.demands_year(place, Period(YEAR))
