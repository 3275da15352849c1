"""The grids' layer of the map: each grid in scope as its polygon, with its warnings; listed among the layers."""

import pytest
from django.test import Client

from jiceng.stations.maplayers import LAYERS

from .conftest import LAT, LNG

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_grids_layer_sits_after_the_gaps():
    codes = [layer.code for layer in LAYERS]
    assert codes.index("grids") == codes.index("gaps") + 1


def test_grids_layer_draws_the_street_s_grids_with_their_warnings(g):
    data = client_for(g["staff"]).get("/map/layers/grids/").json()
    [feature] = data["features"]
    assert feature["geometry"]["type"] == "Polygon"
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == [round(LNG, 6), round(LAT, 6)] and ring[0] == ring[-1]
    props = feature["properties"]
    assert props["name"] == "第一网格" and props["url"] == g["grid"].get_absolute_url()
    assert props["members"] == 0 and props["warnings"]  # no members yet: fewer than 15


def test_grids_layer_in_gcj02_moves_the_corners(g):
    wgs = client_for(g["staff"]).get("/map/layers/grids/").json()["features"][0]["geometry"]["coordinates"][0][0]
    gcj = client_for(g["staff"]).get("/map/layers/grids/", {"crs": "gcj02"}).json()
    moved = gcj["features"][0]["geometry"]["coordinates"][0][0]
    assert moved != wgs and abs(moved[0] - wgs[0]) < 0.01 and abs(moved[1] - wgs[1]) < 0.01


def test_grids_layer_is_scoped(g):
    assert client_for(g["staff2"]).get("/map/layers/grids/").json()["features"] == []
    assert len(client_for(g["admin"]).get("/map/layers/grids/").json()["features"]) == 1
