import datetime as dt

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.matching import services
from jiceng.matching.models import JointConference, MemberUnit, Need, Resource
from tests import factories as f

LAT, LNG = 31.3012, 121.5141


@pytest.fixture
def lists(tree):
    """A conference in street 1 (three units) and one in street 2; contacts for each enterprise unit; staff."""
    ent_a = f.enterprise(tree["building1"], "攀达科技")
    ent_b = f.enterprise(tree["building1"], "创智物业")
    ent_c = f.enterprise(tree["building2"], "殷行贸易")
    conf = JointConference.objects.create(name="五角场联席会议", place=tree["street1"])
    conf2 = JointConference.objects.create(name="殷行联席会议", place=tree["street2"])
    unit_a = MemberUnit.objects.create(conference=conf, name="攀达科技", enterprise=ent_a)
    unit_b = MemberUnit.objects.create(conference=conf, name="创智物业", enterprise=ent_b)
    unit_street = MemberUnit.objects.create(conference=conf, name="五角场街道", kind="street", place=tree["street1"])
    unit_c = MemberUnit.objects.create(conference=conf2, name="殷行贸易", enterprise=ent_c)
    return {
        "tree": tree, "conf": conf, "conf2": conf2, "unit_a": unit_a, "unit_b": unit_b, "unit_street": unit_street,
        "unit_c": unit_c,
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
        "contact_a": f.user("contact_a", Role.UNIT_CONTACT, ent_a),
        "contact_b": f.user("contact_b", Role.UNIT_CONTACT, ent_b),
        "contact_c": f.user("contact_c", Role.UNIT_CONTACT, ent_c),
    }


def window(days: int = 30, start_days: int = 0):
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=start_days)
    return start, start + dt.timedelta(days=days)


def make_need(conf, by, *, quantity=20, category="parking", title="居民夜间停车", unit=None, daily=None, **kw):
    start, end = window()
    values = dict(conference=conf, requester_name="国和居民区", title=title, category=category, quantity=quantity,
                  start=start, end=end, lat=round(LAT + 0.003, 6), lng=round(LNG + 0.002, 6), requester_unit=unit,
                  daily_start=daily[0] if daily else None, daily_end=daily[1] if daily else None)
    values.update(kw)
    return services.save_need(Need(**values), by=by)


def make_resource(conf, unit, by, *, capacity=40, category="parking", title="夜间错时停车", radius=3000, daily=None,
                  **kw):
    start, end = window(60, -5)
    values = dict(conference=conf, unit=unit, title=title, category=category, capacity=capacity, start=start,
                  end=end, lat=LAT, lng=LNG, radius_m=radius, daily_start=daily[0] if daily else None,
                  daily_end=daily[1] if daily else None)
    values.update(kw)
    return services.save_resource(Resource(**values), by=by)
