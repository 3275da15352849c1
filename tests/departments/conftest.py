import datetime as dt

import pytest

from jiceng.accounts.models import Role
from jiceng.demands import workflow
from jiceng.departments.models import Department
from tests import factories as f


@pytest.fixture
def world(tree):
    """A district with two departments (and one of another district), street staff, a district admin, a building
    worker, and a user for each of the two departments."""
    district = tree["district"]
    other = f.place("黄浦区", "district")
    invest = Department.objects.create(district=district, name="杨浦区投资促进办公室", short_name="区投资促进办")
    market = Department.objects.create(district=district, name="杨浦区市场监管所", short_name="市场监管所")
    foreign = Department.objects.create(district=other, name="黄浦区税务所", short_name="税务所")
    ent = f.enterprise(tree["building1"], "攀达科技")
    return {
        "tree": tree, "ent": ent, "invest": invest, "market": market, "foreign": foreign,
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "admin": f.user("dadmin", Role.DISTRICT_ADMIN, district),
        "worker": f.user("worker1", Role.BUILDING_WORKER, tree["park1"]),
        "dept_user": f.user("invest1", Role.DEPARTMENT_STAFF, invest),
        "dept_user2": f.user("market1", Role.DEPARTMENT_STAFF, market),
    }


def accepted(world, text="公司想扩租两层,租约下月到期,需要区里协调政策", place=None, day=dt.date(2026, 9, 14)):
    d = workflow.submit(text=text, place=place or world["tree"]["building1"], requester_enterprise=world["ent"])
    return workflow.accept(d, user=world["staff"], today=day)


def handed(world, department=None, day=dt.date(2026, 9, 14), **kw):
    d = accepted(world, day=day, **kw)
    return workflow.assign(d, user=world["staff"], department=department or world["invest"], today=day)
