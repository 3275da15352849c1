"""The gap report against a brute-force reference: every place against every station with the same haversine."""

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from jiceng.core.geo import haversine_m
from jiceng.stations import circles

# Shanghai-sized box, so distances from metres to tens of kilometres all occur.
lats = st.floats(min_value=30.7, max_value=31.9, allow_nan=False)
lngs = st.floats(min_value=120.8, max_value=122.0, allow_nan=False)
points = st.lists(st.tuples(lats, lngs), min_size=0, max_size=60)


def reference(places, stations, radius):
    out = {}
    for i, (lat, lng) in enumerate(places):
        best = min((haversine_m(lat, lng, s_lat, s_lng) for s_lat, s_lng in stations), default=math.inf)
        if circles.rounded(best) > radius:
            out[i] = circles.rounded(best)
    return out


@settings(max_examples=200, deadline=None)
@given(places=points, stations=points, radius=st.integers(min_value=50, max_value=5000))
def test_gaps_match_brute_force(places, stations, radius):
    place_points = [circles.Point(i, lat, lng) for i, (lat, lng) in enumerate(places)]
    station_points = [circles.Point(1000 + i, lat, lng) for i, (lat, lng) in enumerate(stations)]
    gaps = circles.find_gaps(place_points, station_points, radius)
    expected = reference(places, stations, radius)
    assert {g.place.id: g.distance for g in gaps} == expected
    assert [g.distance for g in gaps] == sorted((g.distance for g in gaps), reverse=True)


@settings(max_examples=100, deadline=None)
@given(places=st.lists(st.tuples(lats, lngs), min_size=1, max_size=40),
       stations=st.lists(st.tuples(lats, lngs), min_size=1, max_size=40))
def test_nearest_station_is_the_nearest(places, stations):
    index = circles.StationIndex([circles.Point(i, lat, lng) for i, (lat, lng) in enumerate(stations)])
    for (lat, lng), (station, distance) in zip(places, index.nearest([circles.Point(0, a, b) for a, b in places]),
                                               strict=True):
        best = min(haversine_m(lat, lng, s_lat, s_lng) for s_lat, s_lng in stations)
        assert math.isclose(distance, best, rel_tol=0, abs_tol=1e-6)
        assert math.isclose(haversine_m(lat, lng, station.lat, station.lng), best, abs_tol=1e-6)


@settings(max_examples=100, deadline=None)
@given(places=points, stations=points, candidate=st.tuples(lats, lngs), radius=st.integers(50, 5000))
def test_what_if_matches_brute_force(places, stations, candidate, radius):
    place_points = [circles.Point(i, lat, lng) for i, (lat, lng) in enumerate(places)]
    gaps = circles.find_gaps(place_points, [circles.Point(1000 + i, a, b) for i, (a, b) in enumerate(stations)],
                             radius)
    result = circles.what_if(gaps, candidate[0], candidate[1], radius)
    expected = {i for i in reference(places, stations, radius)
                if circles.rounded(haversine_m(candidate[0], candidate[1], *places[i])) <= radius}
    assert {g.place.id for g in result.brought_within} == expected
