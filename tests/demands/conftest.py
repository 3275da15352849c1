import pytest

from jiceng.accounts.models import Role
from tests import factories as f


@pytest.fixture
def world(tree):
    """Two streets; a worker on park 1, staff of street 1, an enterprise user, a member."""
    ent = f.enterprise(tree["building1"], "攀达科技")
    other_ent = f.enterprise(tree["building2"], "殷行贸易")
    org = f.organization(tree["park1"])
    member = f.member(org, "张三")
    return {
        "tree": tree, "ent": ent, "other_ent": other_ent,
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "worker": f.user("worker1", Role.BUILDING_WORKER, tree["park1"]),
        "worker2": f.user("worker2", Role.BUILDING_WORKER, tree["park2"]),
        "contact": f.user("contact", Role.UNIT_CONTACT, ent),
        "member_user": f.user("zs", Role.MEMBER, member),
    }
