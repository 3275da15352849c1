import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.activities import services
from jiceng.activities.models import ActivityKind
from jiceng.organizations.models import OrgKind
from tests import factories as f


@pytest.fixture
def world(tree):
    """A branch in street 1 (with a party group) and one in street 2; members, a secretary, staff per street."""
    branch = f.organization(tree["building1"], "攀达科技党支部")
    group = f.organization(tree["building1"], "第一党小组", kind=OrgKind.PARTY_GROUP, parent=branch)
    other = f.organization(tree["building2"], "殷行贸易党支部")
    m1 = f.member(branch, "张三")
    m2 = f.member(branch, "李四")
    m3 = f.member(branch, "王五")
    outsider = f.member(other, "赵六")
    return {
        "tree": tree, "branch": branch, "group": group, "other": other,
        "m1": m1, "m2": m2, "m3": m3, "outsider": outsider,
        "secretary": f.user("secretary", Role.ORG_SECRETARY, branch),
        "secretary2": f.user("secretary2", Role.ORG_SECRETARY, other),
        "u1": f.user("member1", Role.MEMBER, m1),
        "u2": f.user("member2", Role.MEMBER, m2),
        "u3": f.user("member3", Role.MEMBER, m3),
        "u_out": f.user("outsider", Role.MEMBER, outsider),
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
    }


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_activity(org, *, start=None, hours=2, user=None, **kw):
    start = start or timezone.now() + dt.timedelta(days=3)
    kw.setdefault("title", "主题党日")
    kw.setdefault("kind", ActivityKind.THEME_DAY)
    return services.create_activity(user=user, organization=org, start=start, end=start + dt.timedelta(hours=hours),
                                    **kw)


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


