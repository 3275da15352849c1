import datetime as dt
from decimal import Decimal

import pytest

from jiceng.accounts.models import Role
from jiceng.places.models import PlaceKind
from jiceng.stations import services
from jiceng.stations.models import StationLevel
from tests import factories as f

# 五角场 (street 1) and 殷行 (street 2) of the test tree, about 3 km apart.
P1 = (Decimal("31.301200"), Decimal("121.514100"))
P2 = (Decimal("31.320000"), Decimal("121.530000"))


def located(place, lat, lng):
    place.lat, place.lng = Decimal(str(lat)), Decimal(str(lng))
    place.save()
    return place


@pytest.fixture
def net(tree):
    """A center and a station in street 1 (at park 1), a station in street 2; buildings placed around them."""
    located(tree["park1"], *P1)
    located(tree["building1"], Decimal("31.302000"), Decimal("121.514500"))  # ~95 m from the center
    located(tree["park2"], *P2)
    located(tree["building2"], Decimal("31.330000"), Decimal("121.530000"))  # ~1.1 km from the station of street 2
    center = services.save_station(None, name="五角场党群服务中心", located_in=tree["street1"], lat=P1[0], lng=P1[1],
                                   level=StationLevel.CENTER, opens_at=dt.time(9), closes_at=dt.time(18))
    station = services.save_station(None, name="创智天地党群服务站", located_in=tree["park1"],
                                    lat=Decimal("31.303000"), lng=Decimal("121.515000"),
                                    level=StationLevel.STATION, parent=center)
    other = services.save_station(None, name="殷行党群服务站", located_in=tree["street2"], lat=P2[0], lng=P2[1],
                                  level=StationLevel.STATION)
    return {
        "tree": tree, "center": center, "station": station, "other": other,
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "worker": f.user("worker1", Role.BUILDING_WORKER, tree["park1"]),
        "admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
        "root": f.user("root", superuser=True),
    }


__all__ = ["P1", "P2", "PlaceKind", "located"]
