"""`/api/stations/`, `/api/station-duties/`, `/api/station-amenities/` and `/api/service-gaps/`: contracts, bad input
and scoping."""

import pytest
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.core.geo import wgs84_to_gcj02
from jiceng.places.models import Place
from jiceng.stations.models import Duty, Station
from tests import factories as f

pytestmark = pytest.mark.django_db


def client_for(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def payload(tree, **kw):
    data = {"name": "新建党群服务点", "level": "station", "located_in": tree["park1"].pk, "lat": "31.305",
            "lng": "121.516", "address": "上海市杨浦区淞沪路 1 号", "amenities": ["reading_corner", "tax_terminal"],
            "open_weekdays": "123456", "opens_at": "09:00", "closes_at": "20:00"}
    data.update(kw)
    return data


def test_create_and_read_a_station(net):
    api = client_for(net["staff"])
    response = api.post("/api/stations/", payload(net["tree"], parent=net["center"].pk), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["level"] == "station" and data["parent"] == net["center"].pk
    assert data["lat"] == "31.305000" and data["located_in"] == net["tree"]["park1"].pk
    assert sorted(data["amenities"]) == ["reading_corner", "tax_terminal"]
    station = Station.objects.get(pk=data["id"])
    assert station.place.kind == "station" and station.street_id == net["tree"]["street1"].pk
    listed = api.get("/api/stations/", {"level": "center"}).json()
    assert [row["id"] for row in listed["results"]] == [net["center"].pk]
    center = api.get(f"/api/stations/{net['center'].pk}/").json()
    assert center["children"] == [net["station"].pk, data["id"]] or set(center["children"]) == {
        net["station"].pk, data["id"]}
    assert set(center) >= {"name", "level", "parent", "address", "lat", "lng", "open_weekdays", "opens_at",
                           "closes_at", "amenities", "duties", "rooms", "public_url"}


def test_gcj02_in_and_out(net):
    lng, lat = wgs84_to_gcj02(121.516, 31.305)
    api = client_for(net["staff"])
    response = api.post("/api/stations/?crs=gcj02", payload(net["tree"], lat=f"{lat:.6f}", lng=f"{lng:.6f}"),
                        format="json")
    assert response.status_code == 201, response.json()
    place = Station.objects.get(pk=response.json()["id"]).place
    assert abs(float(place.lat) - 31.305) < 2e-6 and abs(float(place.lng) - 121.516) < 2e-6
    assert response.json()["lat"] == f"{lat:.6f}"


def test_partial_update_keeps_the_rest(net):
    api = client_for(net["staff"])
    response = api.patch(f"/api/stations/{net['station'].pk}/", {"hours_note": "周六上午开放"}, format="json")
    assert response.status_code == 200, response.json()
    station = Station.objects.get(pk=net["station"].pk)
    assert station.hours_note == "周六上午开放" and station.parent_id == net["center"].pk
    assert station.place.lat is not None


@pytest.mark.parametrize(("change", "field"), [
    ({"lat": "48.85", "lng": "2.35"}, "lng"),
    ({"lat": "121.5", "lng": "31.3"}, "lat"),
    ({"lat": "NaN"}, "lat"),
    ({"lat": True}, "lat"),
    ({"lng": [121.5]}, "lng"),
    ({"lat": None}, "lat"),
    ({"level": "tower"}, "level"),
    ({"amenities": ["sauna"]}, "amenities"),
    ({"open_weekdays": "189"}, "open_weekdays"),
    ({"opens_at": "20:00", "closes_at": "08:00"}, "closes_at"),
    ({"located_in": 999999}, "located_in"),
])
def test_bad_input_names_the_field_and_saves_nothing(net, change, field):
    before = (Place.objects.count(), Station.objects.count())
    response = client_for(net["staff"]).post("/api/stations/", payload(net["tree"], **change), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert (Place.objects.count(), Station.objects.count()) == before


def test_a_station_below_a_point_via_the_api(net):
    api = client_for(net["staff"])
    point = api.post("/api/stations/", payload(net["tree"], name="点", level="point", parent=net["station"].pk),
                     format="json").json()
    response = api.post("/api/stations/", payload(net["tree"], name="站", parent=point["id"]), format="json")
    assert response.status_code == 400 and "parent" in response.json()


def test_scoping_and_permissions(net):
    tree = net["tree"]
    # street 2's staff do not find street 1's stations (404, not 403)
    api2 = client_for(net["staff2"])
    assert api2.get(f"/api/stations/{net['center'].pk}/").status_code == 404
    assert {row["id"] for row in api2.get("/api/stations/").json()["results"]} == {net["other"].pk}
    # nor can they hang a station under one, or put one in street 1
    response = api2.post("/api/stations/", payload(tree, located_in=tree["street2"].pk, parent=net["center"].pk),
                         format="json")
    assert response.status_code == 400 and "parent" in response.json()
    response = api2.post("/api/stations/", payload(tree), format="json")
    assert response.status_code == 400 and "located_in" in response.json()
    # a building worker reads the stations of their park, but may not write
    worker = client_for(net["worker"])
    assert {row["id"] for row in worker.get("/api/stations/").json()["results"]} == {net["station"].pk}
    assert worker.post("/api/stations/", payload(tree), format="json").status_code == 403
    # a member sees the stations of their organization's street
    org = f.organization(tree["park1"])
    member_user = f.user("m1", Role.MEMBER, f.member(org))
    assert {row["id"] for row in client_for(member_user).get("/api/stations/").json()["results"]} == {
        net["center"].pk, net["station"].pk}
    # anonymous: nothing
    assert client_for(None).get("/api/stations/").status_code in (401, 403)
    assert client_for(None).get("/api/service-gaps/").status_code in (401, 403)
    # the district admin sees all three
    assert len(client_for(net["admin"]).get("/api/stations/").json()["results"]) == 3


def test_delete(net):
    api = client_for(net["staff"])
    assert api.delete(f"/api/stations/{net['center'].pk}/").status_code == 400  # a station sits below it
    place_id = net["station"].place_id
    assert api.delete(f"/api/stations/{net['station'].pk}/").status_code == 204
    assert not Place.objects.filter(pk=place_id).exists()


def test_duties_mask_phones_for_readers(net):
    staff = client_for(net["staff"])
    response = staff.post("/api/station-duties/", {"station": net["center"].pk, "weekday": "1", "name": "陈海燕",
                                                   "title": "站长", "phone": "13916300001"}, format="json")
    assert response.status_code == 201, response.json()
    assert staff.post("/api/station-duties/", {"station": net["center"].pk, "weekday": "1", "name": "陈海燕"},
                      format="json").status_code == 400
    assert staff.post("/api/station-duties/", {"station": net["center"].pk, "weekday": "8", "name": "周"},
                      format="json").json().keys() >= {"weekday"}
    worker_view = client_for(net["worker"]).get(f"/api/stations/{net['center'].pk}/")
    assert worker_view.status_code == 404  # the worker's scope is park 1, the center sits at street level
    org = f.organization(net["tree"]["park1"])
    member_user = f.user("m2", Role.MEMBER, f.member(org))
    duty = client_for(member_user).get(f"/api/stations/{net['center'].pk}/").json()["duties"][0]
    assert duty["name"] == "陈海燕" and duty["phone"] != "13916300001" and "*" in duty["phone"]
    assert client_for(net["staff2"]).get(f"/api/station-duties/{Duty.objects.get().pk}/").status_code == 404


def test_amenities_list(net):
    data = client_for(net["worker"]).get("/api/station-amenities/").json()
    assert [a["code"] for a in data][:2] == ["reading_corner", "decompression_room"]
    assert {"one_net_terminal", "tax_terminal", "nursing_room", "meeting_room"} <= {a["code"] for a in data}


def test_service_gaps_report(net):
    tree = net["tree"]
    data = client_for(net["root"]).get("/api/service-gaps/", {"radius": 500}).json()
    assert data["radius"] == 500 and data["places"] == 4 and data["gaps"] == 1 and data["stations"] == 3
    (row,) = data["results"]
    assert row["id"] == tree["building2"].pk and 1100 < row["distance"] < 1120
    assert row["nearest_station"] == net["other"].place_id and data["what_if"] is None
    # a wider circle closes it
    assert client_for(net["root"]).get("/api/service-gaps/", {"radius": 1200}).json()["gaps"] == 0


def test_service_gaps_scoping(net):
    # street 1's staff see only their buildings and parks; street 2's gap is not theirs to see
    data = client_for(net["staff"]).get("/api/service-gaps/").json()
    assert data["places"] == 2 and data["gaps"] == 0
    data = client_for(net["staff2"]).get("/api/service-gaps/").json()
    assert data["places"] == 2 and [r["id"] for r in data["results"]] == [net["tree"]["building2"].pk]
    # a subtree outside the scope is refused by name
    response = client_for(net["staff2"]).get("/api/service-gaps/", {"place": net["tree"]["park1"].pk})
    assert response.status_code == 400 and "place" in response.json()
    data = client_for(net["staff2"]).get("/api/service-gaps/", {"place": net["tree"]["park2"].pk}).json()
    assert data["places"] == 2


@pytest.mark.parametrize(("params", "field"), [
    ({"radius": "abc"}, "radius"), ({"radius": "10"}, "radius"), ({"radius": "99999"}, "radius"),
    ({"lat": "31.3"}, "lng"), ({"lat": "x", "lng": "121"}, "lat"), ({"lat": "48.8", "lng": "2.3"}, "lng"),
    ({"place": "abc"}, "place"),
])
def test_service_gaps_bad_input(net, params, field):
    response = client_for(net["root"]).get("/api/service-gaps/", params)
    assert response.status_code == 400 and field in response.json(), response.json()


def test_service_gaps_what_if(net):
    data = client_for(net["root"]).get("/api/service-gaps/", {"lat": "31.3305", "lng": "121.53"}).json()
    assert data["what_if"]["brought_within"] == 1
    assert data["what_if"]["places"][0]["id"] == net["tree"]["building2"].pk
    lng, lat = wgs84_to_gcj02(121.53, 31.3305)
    data = client_for(net["root"]).get("/api/service-gaps/", {"lat": lat, "lng": lng, "crs": "gcj02"}).json()
    assert data["what_if"]["brought_within"] == 1


def test_no_station_at_all_answers_without_a_distance(tree):
    from decimal import Decimal

    tree["building1"].lat, tree["building1"].lng = Decimal("31.3"), Decimal("121.5")
    tree["building1"].save()
    data = client_for(f.user("root", superuser=True)).get("/api/service-gaps/").json()
    assert data["gaps"] == 1 and data["results"][0]["distance"] is None and data["stations"] == 0
