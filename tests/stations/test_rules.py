"""The station rules: three levels one under another, coordinates in China, and the 500 m boundary."""

import datetime as dt
import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jiceng.core.geo import haversine_m
from jiceng.places.models import Place, PlaceKind
from jiceng.stations import circles, services
from jiceng.stations.models import Station, StationLevel

from .conftest import located

pytestmark = pytest.mark.django_db


def new_station(tree, name, level, parent=None, lat="31.300000", lng="121.510000", **kw):
    return services.save_station(None, name=name, located_in=tree["street1"], lat=Decimal(lat), lng=Decimal(lng),
                                 level=level, parent=parent, **kw)


def refused(field: str, fn) -> str:
    places, stations = Place.objects.count(), Station.objects.count()
    with pytest.raises(ValidationError) as exc:
        fn()
    assert field in exc.value.message_dict, exc.value.message_dict
    assert (Place.objects.count(), Station.objects.count()) == (places, stations)  # nothing saved
    return " ".join(exc.value.message_dict[field])


def test_levels_one_under_another(net):
    point = new_station(net["tree"], "创智天地服务点", StationLevel.POINT, parent=net["station"])
    assert point.parent == net["station"] and net["station"].parent == net["center"]
    assert point.place.kind == PlaceKind.STATION and point.street_id == net["tree"]["street1"].pk


def test_a_station_below_a_point_is_refused(net):
    point = new_station(net["tree"], "服务点", StationLevel.POINT, parent=net["station"])
    message = refused("parent", lambda: new_station(net["tree"], "下挂站", StationLevel.STATION, parent=point))
    assert "党群服务站" in message and "党群服务点" in message


def test_a_point_directly_under_a_center_is_refused(net):
    message = refused("parent", lambda: new_station(net["tree"], "点", StationLevel.POINT, parent=net["center"]))
    assert "恰好高一级" in message


def test_a_center_has_no_parent(net):
    refused("parent", lambda: new_station(net["tree"], "中心2", StationLevel.CENTER, parent=net["center"]))


def test_a_point_below_a_point_is_refused(net):
    point = new_station(net["tree"], "点1", StationLevel.POINT, parent=net["station"])
    refused("parent", lambda: new_station(net["tree"], "点2", StationLevel.POINT, parent=point))


def test_level_change_that_strands_children_is_refused(net):
    new_station(net["tree"], "点", StationLevel.POINT, parent=net["station"])
    center = net["center"]
    with pytest.raises(ValidationError) as exc:
        services.save_station(center, name=center.place.name, located_in=center.place.parent, lat=center.place.lat,
                              lng=center.place.lng, level=StationLevel.POINT)
    assert "level" in exc.value.message_dict


def test_parent_in_another_district_is_refused(net):
    from tests.factories import district_tree

    other = district_tree("外")
    message = refused("parent", lambda: services.save_station(
        None, name="外区站", located_in=other["street1"], lat=Decimal("31.2"), lng=Decimal("121.4"),
        level=StationLevel.STATION, parent=net["center"]))
    assert "同一个区" in message


@pytest.mark.parametrize(("lat", "lng", "field"), [
    ("48.8566", "2.3522", "lng"),  # Paris: latitude is within China's band, longitude is not
    ("-33.86", "151.21", "lat"),  # Sydney
    ("60.0", "121.4", "lat"),
    ("31.2", "150.0", "lng"),
])
def test_coordinates_outside_china_are_refused(net, lat, lng, field):
    message = refused(field, lambda: new_station(net["tree"], "境外站", StationLevel.STATION, lat=lat, lng=lng))
    assert "不在中国境内" in message


def test_swapped_coordinates_get_a_hint(net):
    message = refused("lat", lambda: new_station(net["tree"], "反站", StationLevel.STATION, lat="121.4", lng="31.2"))
    assert "填反" in message


@pytest.mark.parametrize("bad", [None, "", "abc", float("nan"), float("inf")])
def test_missing_or_non_numeric_coordinates_are_refused(net, bad):
    refused("lat", lambda: services.save_station(None, name="无坐标站", located_in=net["tree"]["street1"], lat=bad,
                                                 lng=Decimal("121.5"), level=StationLevel.STATION))


def test_a_station_must_sit_in_a_street_or_area(net):
    refused("located_in", lambda: services.save_station(
        None, name="区级站", located_in=net["tree"]["district"], lat=Decimal("31.3"), lng=Decimal("121.5"),
        level=StationLevel.STATION))


def test_duplicate_name_under_the_same_place_is_refused(net):
    refused("name", lambda: new_station(net["tree"], "五角场党群服务中心", StationLevel.CENTER))


def test_closing_before_opening_is_refused(net):
    refused("closes_at", lambda: new_station(net["tree"], "夜站", StationLevel.STATION,
                                             opens_at=dt.time(18), closes_at=dt.time(9)))


# --- the 500 m boundary ------------------------------------------------------------------------------------------

def test_exactly_500_m_is_within_and_a_decimetre_more_is_not(net):
    """1e-6 degree of latitude is ~0.11 m: 0.004497° north of the station is 500.0 m, 0.004498° is 500.2 m."""
    tree = net["tree"]
    lat0, lng0 = net["other"].place.lat, net["other"].place.lng  # the only station near street 2
    exact = Decimal("0.004497")
    assert circles.rounded(haversine_m(float(lat0), float(lng0), float(lat0 + exact), float(lng0))) == 500.0
    located(tree["building2"], lat0 + exact, lng0)
    report = circles.gap_report(net["root"], 500)
    assert tree["building2"].pk not in {gap.place.id for gap in report.gaps}
    located(tree["building2"], lat0 + exact + Decimal("0.000001"), lng0)
    report = circles.gap_report(net["root"], 500)
    gap = next(gap for gap in report.gaps if gap.place.id == tree["building2"].pk)
    assert gap.distance == 500.2 and gap.station.id == net["other"].place_id


def test_boundary_rule_in_the_pure_function():
    station = circles.Point(1, 31.0, 121.0, "站")
    metres_per_degree = math.pi * 6371008.8 / 180
    at = [circles.Point(10 + i, 31.0 + d / metres_per_degree, 121.0) for i, d in enumerate((499.96, 500.04, 500.06))]
    gaps = circles.find_gaps(at, [station], 500)
    assert [g.place.id for g in gaps] == [12]  # 499.96 → 500.0 and 500.04 → 500.0 are within; 500.06 → 500.1 not
    assert gaps[0].distance == 500.1


def test_no_station_at_all_puts_every_place_in_the_gaps():
    gaps = circles.find_gaps([circles.Point(1, 31.0, 121.0)], [], 500)
    assert len(gaps) == 1 and gaps[0].station is None and gaps[0].distance == math.inf


def test_what_if_counts_the_gaps_a_candidate_reaches(net):
    tree = net["tree"]
    report = circles.gap_report(net["root"], 500, candidate=(31.3305, 121.5300))
    assert [g.place.id for g in report.gaps] == [tree["building2"].pk]
    assert report.what_if.count == 1 and report.what_if.brought_within[0].place.id == tree["building2"].pk
    assert circles.gap_report(net["root"], 500, candidate=(31.2, 121.4)).what_if.count == 0


@pytest.mark.parametrize(("value", "ok"), [("500", True), ("50", True), ("5000", True), ("49", False),
                                           ("5001", False), ("abc", False), ("1e3", False), ("", False)])
def test_radius_bounds(value, ok):
    assert (circles.radius_error(value) is None) is ok


def test_unlocated_places_are_counted_not_measured(net):
    Place.objects.create(name="无坐标楼", kind=PlaceKind.BUILDING, parent=net["tree"]["park1"])
    report = circles.gap_report(net["root"], 500)
    assert report.unlocated == 1 and report.places == 4
