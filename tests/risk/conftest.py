import pytest
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from tests import factories as f


@pytest.fixture
def world(tree):
    """Two streets, an enterprise in each; staff and workers per street, a district admin, a unit contact."""
    ent = f.enterprise(tree["building1"], "攀达科技")
    other_ent = f.enterprise(tree["building2"], "殷行贸易")
    return {
        "tree": tree, "ent": ent, "other_ent": other_ent,
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "worker": f.user("worker1", Role.BUILDING_WORKER, tree["park1"]),
        "worker2": f.user("worker2", Role.BUILDING_WORKER, tree["park2"]),
        "admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
        "contact": f.user("contact", Role.UNIT_CONTACT, ent),
    }


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api
