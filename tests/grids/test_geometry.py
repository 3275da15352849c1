"""The polygon checks without a GIS library: closure, self-intersection, China, containment, area, cells."""

import pytest
from django.core.exceptions import ValidationError

from jiceng.grids import geometry

from .conftest import LAT, LNG, square


def ring(coords):
    return geometry.polygon_geometry({"type": "Polygon", "coordinates": [coords]})


def test_a_square_kilometre_is_valid_and_measures_one_km2():
    g = geometry.polygon_geometry(square(LNG, LAT))
    points = geometry.validate_polygon(g)
    assert geometry.area_m2(points) == pytest.approx(1_000_000, rel=0.002)


def test_a_feature_holding_a_polygon_is_accepted():
    g = geometry.polygon_geometry({"type": "Feature", "properties": {}, "geometry": square(LNG, LAT)})
    assert g["type"] == "Polygon"


@pytest.mark.parametrize("coords, words", [
    ([[121.5, 31.3], [121.51, 31.3], [121.51, 31.31], [121.5, 31.31]], "未闭合"),
    # A bow-tie: the first and third edges cross.
    ([[121.5, 31.3], [121.51, 31.31], [121.51, 31.3], [121.5, 31.31], [121.5, 31.3]], "自相交"),
    # An edge folding back over its neighbour.
    ([[121.5, 31.3], [121.52, 31.3], [121.51, 31.3], [121.51, 31.31], [121.5, 31.3]], "自相交"),
    ([[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.86], [2.35, 48.85]], "中国境内"),
    # Latitude and longitude swapped: (31.3, 121.5) is not in China either.
    ([[31.3, 121.5], [31.31, 121.5], [31.31, 121.51], [31.3, 121.51], [31.3, 121.5]], "中国境内"),
    ([[121.5, 31.3], [121.51, 31.3], [121.52, 31.3], [121.5, 31.3]], "自相交"),  # collinear: folds back
    ([[121.5, 31.3], [121.500001, 31.3], [121.5, 31.300001], [121.5, 31.3]], "面积为零"),
])
def test_bad_polygons_are_refused_naming_the_geometry(coords, words):
    with pytest.raises(ValidationError) as exc:
        geometry.validate_polygon(ring(coords))
    assert words in str(exc.value.message_dict["geometry"])


@pytest.mark.parametrize("data", [
    {"type": "Point", "coordinates": [121.5, 31.3]},
    {"type": "Polygon", "coordinates": []},
    {"type": "Polygon", "coordinates": [[[121.5, 31.3], [121.51, 31.3], [121.5, 31.3]]]},
    {"type": "Polygon", "coordinates": [[[121.5, "x"], [121.51, 31.3], [121.51, 31.31], [121.5, 31.3]]]},
    {"type": "Polygon", "coordinates": [[[121.5, True], [121.51, 31.3], [121.51, 31.31], [121.5, 31.3]]]},
    {"type": "Polygon", "coordinates": [square(LNG, LAT)["coordinates"][0]] * 2},  # a hole
    "not geojson",
])
def test_malformed_geojson_names_the_field(data):
    with pytest.raises(ValidationError) as exc:
        geometry.polygon_geometry(data)
    assert "geometry" in exc.value.message_dict


def test_within_and_crossing():
    outer = geometry.points(square(LNG, LAT, 3000))
    inner = geometry.points(square(LNG + 0.001, LAT + 0.001, 1000))
    assert geometry.within(inner, outer)
    # Sharing the outer's south-west corner and two edges still counts as inside.
    assert geometry.within(geometry.points(square(LNG, LAT, 1000)), outer)
    sticking_out = geometry.points(square(LNG + 0.025, LAT + 0.001, 1000))
    assert not geometry.within(sticking_out, outer)


def test_within_a_concave_outline_refuses_an_edge_across_the_notch():
    # A U shape: the grid's vertices are all inside the arms, its top edge crosses the notch.
    u = [(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3), (0, 0)]
    u = [(121 + x / 100, 31 + y / 100) for x, y in u]
    bar = [(121.005, 31.02), (121.025, 31.02), (121.025, 31.025), (121.005, 31.025), (121.005, 31.02)]
    assert not geometry.within(bar, u)


def test_cells_cover_a_street_and_are_cut_to_it():
    street = geometry.points(square(LNG, LAT, 2500))
    cells = geometry.square_cells(street, 1000)
    assert len(cells) == 9  # 3 × 3, the last row and column cut to half a kilometre
    assert sum(geometry.area_m2(c) for c in cells) == pytest.approx(geometry.area_m2(street), rel=0.001)
    for cell in cells:
        assert geometry.within(cell, street)
        assert geometry.self_intersection(cell) is None


def test_a_cell_cut_by_a_diagonal_edge_stays_inside():
    # 豫园's demo outline has its north-east corner cut: the corner cell's computed vertices lie on that edge.
    from jiceng.grids.demo import OUTLINE

    cells = geometry.square_cells(OUTLINE, 1000)
    assert len(cells) == 4
    assert all(geometry.within(cell, OUTLINE) for cell in cells)
