"""The map in a browser: every layer loads, markers are drawn, and no request leaves this server."""

from decimal import Decimal
from urllib.parse import urlsplit

import pytest

from jiceng.accounts.models import Role
from jiceng.places.models import PlaceKind
from jiceng.stations import services
from jiceng.stations.models import StationLevel
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_map_layers_without_any_outside_request(page, live_server):
    tree = f.district_tree()
    for place, lat, lng in ((tree["park1"], "31.301200", "121.514100"), (tree["building1"], "31.302000", "121.5145"),
                            (tree["building2"], "31.330000", "121.530000")):
        place.lat, place.lng = Decimal(lat), Decimal(lng)
        place.save()
    services.save_station(None, name="五角场党群服务中心", located_in=tree["street1"], lat=Decimal("31.3012"),
                          lng=Decimal("121.5141"), level=StationLevel.CENTER)
    f.place("无站楼", PlaceKind.BUILDING, tree["park2"], lat=Decimal("31.3400"), lng=Decimal("121.5400"))
    f.user("staff", Role.DISTRICT_ADMIN, tree["district"])
    own = urlsplit(live_server.url).netloc
    outside = []
    page.on("request", lambda request: outside.append(request.url)
            if urlsplit(request.url).netloc not in (own, "") and not request.url.startswith("data:") else None)
    login(page, "staff")
    page.goto("/map/")
    page.wait_for_selector("#map[data-loaded=true]")
    map_el = page.locator("#map")
    assert map_el.get_attribute("data-layer-stations") == "1"
    assert map_el.get_attribute("data-layer-buildings") == "4"
    assert map_el.get_attribute("data-layer-gaps") == "2"
    assert map_el.get_attribute("data-layer-base") == "2"
    assert page.locator(".leaflet-control-layers").count() == 1
    # the layer control lists every layer; turning needs on loads it
    page.locator(".leaflet-control-layers label", has_text="需求清单").locator("input").check()
    page.wait_for_selector("#map[data-layer-needs]")
    # 选址测算: a click asks the gap report what a station there would do
    page.locator("#what-if-toggle").check()
    page.locator("#map").click(position={"x": 200, "y": 200})
    page.wait_for_selector("#what-if-result[data-brought-within]")
    assert outside == [], outside
