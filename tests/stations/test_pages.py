"""The station pages, the public station page, the gap report page, the map and its layers' data."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from jiceng.activities.models import Activity, ActivityKind
from jiceng.places.models import Place, PlaceKind
from jiceng.stations import demo, maplayers
from jiceng.stations.models import Duty, Station, StationLevel
from tests import factories as f

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 18, 10, 0, tzinfo=dt.UTC)  # a Wednesday


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_list_detail_and_public_page(net):
    Duty.objects.create(station=net["center"], weekday="1", name="陈海燕", title="站长", phone="13916300001")
    staff = client_for(net["staff"])
    page = staff.get("/stations/").content.decode()
    assert "五角场党群服务中心" in page and "殷行党群服务站" not in page
    detail = staff.get(f"/stations/{net['center'].pk}/").content.decode()
    assert "创智天地党群服务站" in detail and "陈海燕" in detail and "13916300001" not in detail
    assert client_for(net["staff2"]).get(f"/stations/{net['center'].pk}/").status_code == 404
    public = Client().get(f"/stations/{net['center'].pk}/public/")
    assert public.status_code == 200
    text = public.content.decode()
    assert "陈海燕" in text and "1391630" not in text and "党群服务中心" in text


def test_public_page_lists_upcoming_public_activities(net):
    with time_machine.travel(NOW, tick=False):
        start = timezone.now() + dt.timedelta(days=1)
        Activity.objects.create(title="公开讲座", kind=ActivityKind.LECTURE, start=start,
                                end=start + dt.timedelta(hours=1), station=net["center"].place, public=True)
        Activity.objects.create(title="内部会议", kind=ActivityKind.LECTURE, start=start,
                                end=start + dt.timedelta(hours=1), station=net["center"].place, public=False)
        text = Client().get(f"/stations/{net['center'].pk}/public/").content.decode()
    assert "公开讲座" in text and "内部会议" not in text


def test_gap_report_page(net):
    page = client_for(net["staff2"]).get("/stations/gaps/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "殷行2号楼" in text and "创智天地1号楼" not in text
    bad = client_for(net["staff2"]).get("/stations/gaps/", {"radius": "abc"}).content.decode()
    assert "半径须是整数" in bad
    what_if = client_for(net["root"]).get("/stations/gaps/", {"lat": "31.3305", "lng": "121.53"}).content.decode()
    assert 'data-testid="what-if"' in what_if


def test_map_page_offline_by_default(net):
    response = client_for(net["staff"]).get("/map/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "vendor/leaflet/leaflet.js" in text and "http://" not in text.split("map-config")[1][:2000]
    assert "img-src 'self' data:;" in response.headers["Content-Security-Policy"]


@override_settings(JICENG={**__import__("django.conf").conf.settings.JICENG,
                           "MAP_TILE_URL": "https://tiles.gov.example/{z}/{x}/{y}.png", "MAP_TILE_CRS": "gcj02"})
def test_map_with_a_tile_source_allows_only_that_origin(net):
    response = client_for(net["staff"]).get("/map/")
    assert "https://tiles.gov.example" in response.headers["Content-Security-Policy"]
    data = client_for(net["root"]).get("/map/layers/stations/").json()
    assert data["crs_name"] == "gcj02"
    feature = next(f for f in data["features"] if f["properties"]["name"] == "殷行党群服务站")
    assert feature["geometry"]["coordinates"] != [121.53, 31.32]  # shifted into GCJ-02


def test_layers_are_scoped(net):
    f.enterprise(net["tree"]["building1"])
    layers = {code: client_for(net["staff2"]).get(f"/map/layers/{code}/").json()
              for code in ("base", "buildings", "stations", "gaps", "needs", "resources", "activities")}
    assert {f["properties"]["name"] for f in layers["buildings"]["features"]} == {"殷行园区", "殷行2号楼"}
    assert len(layers["stations"]["features"]) == 3  # stations are public
    assert [f["properties"]["name"] for f in layers["gaps"]["features"]] == ["殷行2号楼"]
    assert [f["properties"]["name"] for f in layers["base"]["features"]] == ["殷行街道"]
    assert layers["base"]["features"][0]["geometry"]["type"] == "Polygon"
    assert client_for(net["staff2"]).get("/map/layers/nope/").status_code == 404
    assert client_for(net["staff2"]).get("/map/layers/base/", {"crs": "utm"}).status_code == 400
    assert Client().get("/map/layers/base/").status_code == 302  # sign in first


def test_buildings_coloured_by_the_highest_level_inside(net):
    from jiceng.risk.models import EnterpriseRisk

    low = f.enterprise(net["tree"]["building1"])
    high = f.enterprise(net["tree"]["building1"])
    EnterpriseRisk.objects.create(enterprise=low, computed_level=2, score=3)
    EnterpriseRisk.objects.create(enterprise=high, computed_level=4, score=30)
    features = maplayers.build_buildings(maplayers.MapContext(net["root"]))
    by_name = {f["properties"]["name"]: f["properties"] for f in features}
    assert by_name["创智天地1号楼"]["level"] == 4 and by_name["创智天地1号楼"]["colour"] == "#f76707"
    assert by_name["创智天地"]["level"] == 4  # the park holds the building
    assert by_name["殷行2号楼"]["level"] is None


def test_activities_this_week(net):
    with time_machine.travel(NOW, tick=False):
        for days, title in ((1, "本周活动"), (8, "下周活动")):
            start = timezone.now() + dt.timedelta(days=days)
            Activity.objects.create(title=title, kind=ActivityKind.LECTURE, start=start,
                                    end=start + dt.timedelta(hours=1), station=net["center"].place, public=True)
        features = maplayers.build_activities(maplayers.MapContext(net["root"], today=dt.date(2026, 3, 18)))
    assert [f["properties"]["name"] for f in features] == ["本周活动"]


def test_register_a_layer_after_another():
    saved = list(maplayers.LAYERS)
    try:
        maplayers.register(maplayers.Layer("grids", "微网格", lambda ctx: [], after="gaps"))
        codes = [layer.code for layer in maplayers.LAYERS]
        assert codes[codes.index("gaps") + 1] == "grids"
    finally:
        maplayers.LAYERS[:] = saved


def test_convex_hull():
    square = [(0, 0), (1, 0), (1, 1), (0, 1), (0.5, 0.5)]
    assert sorted(maplayers.convex_hull(square)) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_demo_network_of_18_with_a_gap(tree):
    f.user("admin", superuser=True)
    street = f.place("豫园街道", PlaceKind.STREET, tree["district"])
    f.place("豫园小商品市场", PlaceKind.MARKET, street, lat=Decimal("31.226200"), lng=Decimal("121.491100"))
    demo.load({}, dt.date(2026, 3, 18))
    demo.load({}, dt.date(2026, 3, 18))  # idempotent
    network = Station.objects.filter(place__parent__name="豫园小商品市场")
    assert network.count() == 18
    assert [network.filter(level=level).count() for level in StationLevel.values] == [1, 6, 11]
    from django.contrib.auth import get_user_model

    from jiceng.stations import circles

    report = circles.gap_report(get_user_model().objects.get(username="admin"), 500)
    assert "人民路商务楼" in {g.place.name for g in report.gaps}
    assert Place.objects.filter(name="华宝楼").count() == 1
