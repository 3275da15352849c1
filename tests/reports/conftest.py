"""Data for the report tests: two streets of one district, another district, and a clock frozen in March 2026
(the reports are asked for 2025 and its quarters)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jiceng.accounts.models import Role
from jiceng.demands.models import Category as DemandCategory
from jiceng.demands.models import Demand, DemandStatus
from jiceng.matching.models import JointConference, MemberUnit, Project, ProjectStatus
from jiceng.members.models import Application, ApplicationStep, DuesPayment, Education, Occupation, Stage
from jiceng.organizations.models import OrgKind
from tests import factories as f

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 16, 10, 0, tzinfo=SHANGHAI)  # a Monday
YEAR = 2025


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def world(db, frozen):
    """Members, applications, organizations, enterprises, dues, projects and demands in both streets (and a little
    in another district), varied at random from a fixed seed; the tests count them again by another route."""
    rng = random.Random(17)
    tree = f.district_tree()
    other = f.district_tree("外区")
    committee = f.organization(tree["street1"], "五角场街道党工委", kind=OrgKind.COMMITTEE)
    branches = {
        "street1": [f.organization(tree["park1"], "创智天地联合党支部", kind=OrgKind.JOINT_BRANCH, parent=committee),
                    f.organization(tree["building1"], "攀达科技党支部", parent=committee,
                                   established=dt.date(2025, 6, 1))],
        "street2": [f.organization(tree["park2"], "殷行园区党支部")],
        "other": [f.organization(other["park1"], "外区党支部")],
    }
    # An organization set up after the period: not in 2025's figures.
    f.organization(tree["park1"], "新设党支部", parent=committee, established=dt.date(2026, 2, 1))
    ethnicities = ["汉族"] * 6 + ["回族", "满族", "壮族"]
    members = []
    for key, orgs in branches.items():
        for i in range(24 if key != "other" else 6):
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 62))
            join = max(dt.date(birth.year + 19, birth.month, 1), dt.date(1980, 1, 1)) + dt.timedelta(
                days=rng.randint(0, 300))
            kw = {"status": "full", "full_date": join.replace(year=join.year + 1)}
            roll = rng.random()
            if roll < 0.1:  # joined after the period: not counted
                join, kw = dt.date(2026, 1, 10), {"status": "probationary"}
            elif roll < 0.2:  # probationary through the period
                join, kw = dt.date(2025, 5, 1), {"status": "probationary"}
            elif roll < 0.25:  # full now, but only since 2026: probationary at the end of 2025
                join, kw = dt.date(2024, 12, 20), {"status": "full", "full_date": dt.date(2026, 1, 5)}
            join = max(join, dt.date(birth.year + 18, birth.month, birth.day) + dt.timedelta(days=1))
            member = f.member(orgs[i % len(orgs)], f"党员{key}{i}", birth_date=birth, join_date=join,
                              gender=rng.choice("MF"), ethnicity=rng.choice(ethnicities),
                              education=rng.choice([*Education.values, ""]),
                              occupation=rng.choice([*Occupation.values, ""]), **kw)
            if rng.random() < 0.1:  # transferred out: before the end of 2025 (not counted), or after (counted)
                member.left_on = rng.choice([dt.date(2025, 8, 1), dt.date(2026, 2, 1)])
                member.save(update_fields=["left_on"])
            members.append(member)
    # 发展党员: applications with steps in and out of 2025.
    n = 0
    for orgs in branches.values():
        for code, day in [("admit", dt.date(2025, 3, 2)), ("admit", dt.date(2025, 11, 20)),
                          ("admit", dt.date(2024, 12, 30)), ("full", dt.date(2025, 7, 1)),
                          ("full", dt.date(2026, 1, 3)), ("apply", dt.date(2025, 2, 1))]:
            n += 1
            app = Application.objects.create(name=f"申请人{n}", gender="M", birth_date=dt.date(1995, 1, 1),
                                             id_number=f.id_number(900 + n, dt.date(1995, 1, 1)),
                                             organization=orgs[0], stage=Stage.PROBATIONARY)
            ApplicationStep.objects.create(application=app, code=code, date=day)
        for stage in (Stage.APPLICANT, Stage.ACTIVIST, Stage.ACTIVIST, Stage.TARGET, Stage.CLOSED):
            n += 1
            Application.objects.create(name=f"申请人{n}", gender="F", birth_date=dt.date(1996, 1, 1),
                                       id_number=f.id_number(900 + n, dt.date(1996, 1, 1), male=False),
                                       organization=orgs[0], stage=stage)
    # Enterprises: covered by an organization (since before or after the end of 2025), by an instructor, or not.
    instructor = f.user("instructor1")
    for key, where in [("street1", tree["building1"]), ("street2", tree["building2"]), ("other", other["park1"])]:
        org = branches[key][0]
        for i in range(10):
            kind = "social_org" if i % 4 == 0 else "enterprise"
            ent = f.enterprise(where, f"{key}单位{i}", kind=kind,
                               instructor=instructor if i % 3 == 1 else None)
            if i % 3 == 0:
                cov = f.cover(org, ent)
                cov.since = dt.date(2026, 2, 1) if i == 6 else dt.date(2024, 1, 1)
                cov.save()
    # Dues: payments for months of 2024, 2025 and 2026.
    for member in members[::3]:
        for month in (dt.date(2024, 12, 1), dt.date(2025, 1, 1), dt.date(2025, 6, 1), dt.date(2025, 12, 1),
                      dt.date(2026, 1, 1)):
            if member.join_date <= month:
                DuesPayment.objects.create(member=member, month=month, paid_on=month,
                                           amount=Decimal(rng.randint(200, 9000)) / 100)
    # The three lists: projects completed in and out of 2025 at street 1's and street 2's conferences.
    conferences = {"street1": JointConference.objects.create(name="五角场联席会议", place=tree["street1"]),
                   "street2": JointConference.objects.create(name="殷行联席会议", place=tree["street2"]),
                   "park1": JointConference.objects.create(name="创智天地联席会议", place=tree["park1"]),
                   "other": JointConference.objects.create(name="外区联席会议", place=other["street1"])}
    from tests.matching.conftest import make_need

    staff = f.user("staff_maker", superuser=True)
    for key, conf in conferences.items():
        units = [MemberUnit.objects.create(conference=conf, name=f"{key}单位{u}", kind=kind)
                 for u, kind in enumerate(["enterprise", "state_owned", "social_org"])]
        need = make_need(conf, staff)
        for i in range(12):
            completed = rng.choice([at(dt.date(2025, 1, 1), 0), at(dt.date(2025, 6, 30), 23),
                                    at(dt.date(2025, 12, 31), 23), at(dt.date(2024, 12, 31), 23),
                                    at(dt.date(2026, 1, 1), 0), None])
            status = rng.choice([ProjectStatus.COMPLETED, ProjectStatus.EVALUATED]) if completed else \
                ProjectStatus.IN_PROGRESS
            Project.objects.create(conference=conf, need=need, provider=units[i % 3],
                                   category=rng.choice(["venue", "parking", "volunteers"]),
                                   quantity=rng.randint(1, 9), claim_kind="need", status=status,
                                   completed_at=completed, rating=rng.choice([None, 3, 5]) if completed else None,
                                   claimed_at=at(dt.date(2025, 1, 1)))
    # Demands submitted in and out of 2025, resolved on time, late or not at all, rated or not.
    categories = list(DemandCategory.objects.order_by("order")[:3])
    for key, where in [("street1", tree["park1"]), ("street1b", tree["building1"]), ("street2", tree["park2"]),
                       ("other", other["park1"])]:
        for i in range(15):
            created = rng.choice([at(dt.date(2025, 1, 1), 0), at(dt.date(2025, 8, 8)), at(dt.date(2025, 12, 31), 23),
                                  at(dt.date(2024, 12, 31), 23), at(dt.date(2026, 1, 1), 0)])
            due = created.date() + dt.timedelta(days=7)
            outcome = rng.choice(["on_time", "late", "open", "rejected", "no_due"])
            demand = Demand.objects.create(text=f"{key} 需求 {i}", place=where,
                                           category=rng.choice([*categories, None]),
                                           status=DemandStatus.ASSIGNED, due_date=due)
            values = {"created": created}
            if outcome in ("on_time", "late", "no_due"):
                # Resolved at 23:30 Beijing time on the deadline's day (on time) or the day after (late).
                day = due if outcome != "late" else due + dt.timedelta(days=1)
                values.update(status=rng.choice([DemandStatus.RESOLVED, DemandStatus.CLOSED]),
                              resolved_at=at(day, 23).replace(minute=30), rating=rng.choice([None, 2, 4, 5]))
                if outcome == "no_due":
                    values["due_date"] = None
            elif outcome == "rejected":
                values.update(status=DemandStatus.REJECTED)
            Demand.objects.filter(pk=demand.pk).update(**values)
    return {
        "tree": tree, "other": other, "branches": branches, "members": members, "conferences": conferences,
        "staff1": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "district_admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
        "worker1": f.user("worker1", Role.BUILDING_WORKER, tree["park1"]),
        "outsider": f.user("outsider", Role.STREET_STAFF, other["street1"]),
        "secretary": f.user("secretary1", Role.ORG_SECRETARY, branches["street1"][0]),
    }
