import datetime as dt
import math
from decimal import Decimal

import pytest

from jiceng.accounts.models import Role
from jiceng.grids.models import Grid
from jiceng.organizations.models import OrgKind
from jiceng.places.models import PlaceKind
from tests import factories as f

DAY = dt.date(2026, 3, 16)
LNG, LAT = 121.5141, 31.3012  # 五角场


def square(lng: float, lat: float, side_m: float = 1000.0) -> dict:
    """A closed counter-clockwise square of `side_m` metres with its south-west corner at (lng, lat)."""
    dlat = math.degrees(side_m / 6371008.8)
    dlng = math.degrees(side_m / (6371008.8 * math.cos(math.radians(lat))))
    ring = [[lng, lat], [lng + dlng, lat], [lng + dlng, lat + dlat], [lng, lat + dlat], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def g(tree):
    """Street 1 (with a point) holding a grid branch with 20 members and a market; street 2 with its own branch;
    users for each role."""
    s1, s2 = tree["street1"], tree["street2"]
    s1.lat, s1.lng = Decimal(f"{LAT:.6f}"), Decimal(f"{LNG:.6f}")
    s1.save()
    committee = f.organization(s1, "五角场街道党工委", kind=OrgKind.COMMITTEE)
    branch = f.organization(s1, "第一网格党支部", parent=committee)
    members = [f.member(branch, f"党员{i:02d}") for i in range(22)]
    market = f.place("五角场市场", PlaceKind.MARKET, s1)
    branch2 = f.organization(tree["park2"], "殷行园区党支部")
    other = f.member(branch2, "殷行党员")
    grid = Grid.objects.create(place=s1, name="第一网格", geometry=square(LNG, LAT), branch=branch)
    return {
        "tree": tree, "street": s1, "street2": s2, "branch": branch, "branch2": branch2, "members": members,
        "other": other, "market": market, "grid": grid, "committee": committee,
        "staff": f.user("staff1", Role.STREET_STAFF, s1),
        "staff2": f.user("staff2", Role.STREET_STAFF, s2),
        "worker": f.user("worker1", Role.BUILDING_WORKER, market),
        "head": f.user("head1", Role.BUILDING_HEAD, market),
        "secretary": f.user("sec1", Role.ORG_SECRETARY, branch),
        "admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
        "member_user": f.user("member1", Role.MEMBER, members[0]),
        "unit": f.user("unit1", Role.UNIT_CONTACT, f.enterprise(market)),
    }
