"""Tests for jiceng.core.geo (coordinate datums, distance, coordinate validators)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from jiceng.core.geo import (
    bd09_to_gcj02,
    bd09_to_wgs84,
    gcj02_to_bd09,
    gcj02_to_wgs84,
    haversine_m,
    out_of_china,
    validate_lat,
    validate_lng,
    wgs84_to_bd09,
    wgs84_to_gcj02,
)

SHANGHAI_WGS = (121.4737, 31.2304)

# Stay 0.1 degree inside the bounding box: near its edge a shifted point can cross it, and the datum is
# then (by definition) discontinuous, so round trips are only meaningful in the interior.
china_lng = st.floats(min_value=72.104, max_value=137.7347, allow_nan=False)
china_lat = st.floats(min_value=0.9293, max_value=55.7271, allow_nan=False)


def dist_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Distance between two (lng, lat) tuples."""
    return haversine_m(a[1], a[0], b[1], b[0])


# ---------------------------------------------------------------------------------------- conversion


def test_shanghai_known_offset():
    gcj = wgs84_to_gcj02(*SHANGHAI_WGS)
    # Published GCJ-02 for People's Square is about (121.4782, 31.2285); our formula gives ~5 m from it.
    assert dist_m(gcj, (121.4782, 31.2285)) < 20
    # GCJ-02 shifts Shanghai roughly 480 m to the east-south-east.
    assert 400 < dist_m(gcj, SHANGHAI_WGS) < 600
    assert gcj[0] > SHANGHAI_WGS[0]
    assert gcj[1] < SHANGHAI_WGS[1]


def test_bd09_is_further_offset_from_gcj02():
    gcj = wgs84_to_gcj02(*SHANGHAI_WGS)
    bd = gcj02_to_bd09(*gcj)
    assert bd == wgs84_to_bd09(*SHANGHAI_WGS)
    # BD-09 adds roughly +0.0065 lng / +0.006 lat on top of GCJ-02.
    assert bd[0] - gcj[0] == pytest.approx(0.0065, abs=0.001)
    assert bd[1] - gcj[1] == pytest.approx(0.006, abs=0.001)


@pytest.mark.parametrize(
    "point",
    [(139.6917, 35.6895), (2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688), (100.0, 60.0)],
)
def test_outside_china_gcj02_equals_wgs84(point):
    assert out_of_china(*point)
    assert wgs84_to_gcj02(*point) == point
    assert gcj02_to_wgs84(*point) == point


def test_out_of_china_box():
    assert not out_of_china(*SHANGHAI_WGS)
    assert out_of_china(72.0, 30.0)
    assert out_of_china(138.0, 30.0)
    assert out_of_china(100.0, 0.8)
    assert out_of_china(100.0, 55.9)


def test_inverse_beats_one_step_approximation():
    gcj = wgs84_to_gcj02(*SHANGHAI_WGS)
    one_step = (2 * gcj[0] - wgs84_to_gcj02(*gcj)[0], 2 * gcj[1] - wgs84_to_gcj02(*gcj)[1])
    assert dist_m(one_step, SHANGHAI_WGS) > 0.5  # the naive inverse is metres off here...
    assert dist_m(gcj02_to_wgs84(*gcj), SHANGHAI_WGS) < 0.01  # ...the iterative one is not


@given(lng=china_lng, lat=china_lat)
def test_wgs_gcj_round_trip(lng, lat):
    back = gcj02_to_wgs84(*wgs84_to_gcj02(lng, lat))
    assert dist_m(back, (lng, lat)) < 0.5


@given(lng=china_lng, lat=china_lat)
def test_gcj_wgs_round_trip(lng, lat):
    back = wgs84_to_gcj02(*gcj02_to_wgs84(lng, lat))
    assert dist_m(back, (lng, lat)) < 0.5


@given(lng=china_lng, lat=china_lat)
def test_gcj_bd_round_trip(lng, lat):
    assert dist_m(bd09_to_gcj02(*gcj02_to_bd09(lng, lat)), (lng, lat)) < 0.5


@given(lng=china_lng, lat=china_lat)
def test_wgs_bd_round_trip(lng, lat):
    assert dist_m(bd09_to_wgs84(*wgs84_to_bd09(lng, lat)), (lng, lat)) < 0.5


@given(lng=china_lng, lat=china_lat)
def test_gcj_offset_is_bounded(lng, lat):
    # The datum shift is a few hundred metres, never kilometres: guards against sign/unit slips.
    assert dist_m(wgs84_to_gcj02(lng, lat), (lng, lat)) < 1500


# ------------------------------------------------------------------------------------------ haversine


def test_haversine_basics():
    assert haversine_m(31.2, 121.4, 31.2, 121.4) == 0
    # One degree of latitude on the mean sphere is 2*pi*R/360.
    assert haversine_m(0, 0, 1, 0) == pytest.approx(2 * math.pi * 6371008.8 / 360, rel=1e-9)
    assert haversine_m(0, 0, 0, 180) == pytest.approx(math.pi * 6371008.8, rel=1e-9)


def test_haversine_beijing_shanghai():
    d = haversine_m(39.9042, 116.4074, 31.2304, 121.4737)
    assert 1_060_000 < d < 1_075_000


@given(
    lat1=st.floats(-90, 90),
    lng1=st.floats(-180, 180),
    lat2=st.floats(-90, 90),
    lng2=st.floats(-180, 180),
)
def test_haversine_symmetric_and_bounded(lat1, lng1, lat2, lng2):
    d = haversine_m(lat1, lng1, lat2, lng2)
    assert d == pytest.approx(haversine_m(lat2, lng2, lat1, lng1), abs=1e-6)
    assert 0 <= d <= math.pi * 6371008.8 + 1e-6


# ------------------------------------------------------------------------------------------ validators


@pytest.mark.parametrize("value", [0, -90, 90, 31.2304, "31.2304", Decimal("-45.5")])
def test_validate_lat_ok(value):
    validate_lat(value)


@pytest.mark.parametrize("value", [0, -180, 180, 121.4737, "121.4737", Decimal("-179.999")])
def test_validate_lng_ok(value):
    validate_lng(value)


@pytest.mark.parametrize(
    ("validator", "value", "code"),
    [
        (validate_lat, 90.0001, "lat_range"),
        (validate_lat, -91, "lat_range"),
        (validate_lat, "abc", "lat_invalid"),
        (validate_lat, None, "lat_invalid"),
        (validate_lat, float("nan"), "lat_invalid"),
        (validate_lat, True, "lat_invalid"),
        (validate_lng, 180.0001, "lng_range"),
        (validate_lng, Decimal("-200"), "lng_range"),
        (validate_lng, "", "lng_invalid"),
        (validate_lng, float("inf"), "lng_invalid"),
    ],
)
def test_coordinate_validators_reject(validator, value, code):
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    assert excinfo.value.code == code
