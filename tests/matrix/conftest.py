import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.activities import services as activity_services
from jiceng.activities.models import ActivityKind
from jiceng.matching import services as list_services
from jiceng.matching.models import JointConference, MemberUnit
from tests import factories as f
from tests.matching.conftest import make_need

# A fixed day: every date below is in 2026 whatever today is.
NOW = dt.datetime(2026, 6, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=True):
        yield


@pytest.fixture
def world(tree):
    """Street 1: a branch (members, secretary), a conference with two enterprise units and a street unit; street 2:
    a branch and a conference of its own. Staff per street, a district admin, a superuser."""
    branch = f.organization(tree["building1"], "攀达科技党支部")
    branch2 = f.organization(tree["building2"], "殷行贸易党支部")
    ent_a = f.enterprise(tree["building1"], "攀达科技")
    ent_b = f.enterprise(tree["building1"], "创智物业")
    ent_c = f.enterprise(tree["building2"], "殷行贸易")
    conf = JointConference.objects.create(name="五角场联席会议", place=tree["street1"])
    conf2 = JointConference.objects.create(name="殷行联席会议", place=tree["street2"])
    units = {
        "a": MemberUnit.objects.create(conference=conf, name="攀达科技", enterprise=ent_a),
        "b": MemberUnit.objects.create(conference=conf, name="创智物业", enterprise=ent_b),
        "street": MemberUnit.objects.create(conference=conf, name="五角场街道", kind="street", place=tree["street1"]),
        "c": MemberUnit.objects.create(conference=conf2, name="殷行贸易", enterprise=ent_c),
    }
    return {
        "tree": tree, "branch": branch, "branch2": branch2, "conf": conf, "conf2": conf2, "units": units,
        "members": [f.member(branch, name) for name in ("张三", "李四", "王五", "赵六")],
        "members2": [f.member(branch2, name) for name in ("钱七", "孙八")],
        "secretary": f.user("secretary", Role.ORG_SECRETARY, branch),
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
        "root": f.user("root", superuser=True),
        "contact_a": f.user("contact_a", Role.UNIT_CONTACT, ent_a),
        "contact_b": f.user("contact_b", Role.UNIT_CONTACT, ent_b),
        "contact_c": f.user("contact_c", Role.UNIT_CONTACT, ent_c),
    }


def at(month: int, day: int, hour: int = 14, year: int = 2026) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def activity(org, start: dt.datetime, *, cells: int = 0, themes: int = 0, **kw):
    kw.setdefault("title", "主题党日")
    kw.setdefault("kind", ActivityKind.THEME_DAY)
    return activity_services.create_activity(organization=org, start=start, end=start + dt.timedelta(hours=2),
                                             cells=cells, themes=themes, **kw)


def project(world, conf_key: str = "conf", unit_key: str = "a", *, title: str = "居民夜间停车", by=None):
    conf = world[conf_key]
    need = make_need(conf, by or world["root"], title=title)
    return list_services.claim_need(need, unit=world["units"][unit_key], quantity=1, by=by or world["root"])


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api
