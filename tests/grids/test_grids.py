"""Micro-grid rules: member thresholds (as data), one grid per member, the contact, inside the street, GeoJSON
import (all or nothing) and generated cells."""

import json

import pytest
from django.core.exceptions import ValidationError

from jiceng.grids import services
from jiceng.grids.models import AssignmentBasis, Grid, GridMember, GridSettings, GridSource, StreetBoundary

from .conftest import LAT, LNG, square

pytestmark = pytest.mark.django_db


def fill(grid, members, n):
    for member in members[:n]:
        services.assign_member(grid, member, basis=AssignmentBasis.RESIDENCE)
    grid.refresh_from_db()
    return grid


@pytest.mark.parametrize("n, warned", [(14, True), (15, False), (20, False), (21, True)])
def test_member_count_boundaries(g, n, warned):
    grid = fill(g["grid"], g["members"], n)
    assert grid.member_count == n
    assert bool(grid.warnings()) is warned
    if warned:
        assert str(n) in grid.warnings()[0]


def test_thresholds_are_data(g):
    grid = fill(g["grid"], g["members"], 15)
    assert grid.warnings() == []
    GridSettings.objects.create(min_members=16, max_members=18)
    assert "16" in grid.warnings()[0]


def test_settings_refuse_a_minimum_above_the_maximum():
    with pytest.raises(ValidationError) as exc:
        GridSettings(min_members=21, max_members=20).full_clean()
    assert "max_members" in exc.value.message_dict


def test_a_member_is_in_one_grid(g):
    second = services.save_grid(Grid(place=g["street"], name="第二网格", geometry=square(LNG + 0.011, LAT)))
    services.assign_member(g["grid"], g["members"][0], basis=AssignmentBasis.WORKPLACE)
    with pytest.raises(ValidationError) as exc:
        services.assign_member(second, g["members"][0], basis=AssignmentBasis.RESIDENCE)
    assert "第一网格" in exc.value.message_dict["member"][0]
    assert GridMember.objects.filter(grid=second).count() == 0


def test_removing_a_member_updates_the_count(g):
    grid = fill(g["grid"], g["members"], 3)
    services.remove_member(GridMember.objects.get(grid=grid, member=g["members"][0]))
    grid.refresh_from_db()
    assert grid.member_count == 2


def test_contact_must_belong_to_the_grid_or_its_branch(g):
    grid = g["grid"]
    grid.contact = g["other"]
    with pytest.raises(ValidationError) as exc:
        grid.full_clean()
    assert "contact" in exc.value.message_dict
    grid.contact = g["members"][3]  # in the grid branch
    grid.full_clean()


def test_grid_area_and_centre_follow_the_polygon(g):
    grid = services.save_grid(Grid(place=g["street"], name="第二网格", geometry=square(LNG, LAT, 800)))
    assert grid.area_m2 == pytest.approx(640_000, rel=0.002)
    assert grid.center_lat == pytest.approx(LAT + 0.0036, abs=0.0002)


def test_grid_far_from_its_street_point_is_refused(g):
    # 静安寺, about 10 km from 五角场: outside the street's reach (5 km by default, as data).
    with pytest.raises(ValidationError) as exc:
        services.save_grid(Grid(place=g["street"], name="远处网格", geometry=square(121.445, 31.223)))
    assert "五角场街道" in exc.value.message_dict["geometry"][0]
    assert not Grid.objects.filter(name="远处网格").exists()


def test_grid_outside_the_street_boundary_is_refused(g):
    StreetBoundary.objects.create(street=g["street"], geometry=square(LNG, LAT, 2000))
    services.save_grid(Grid(place=g["street"], name="界内", geometry=square(LNG + 0.001, LAT + 0.001, 900)))
    with pytest.raises(ValidationError) as exc:
        services.save_grid(Grid(place=g["street"], name="越界", geometry=square(LNG + 0.015, LAT, 900)))
    assert "边界" in exc.value.message_dict["geometry"][0]


def test_a_grid_only_in_a_street_community_or_village(g):
    with pytest.raises(ValidationError) as exc:
        services.save_grid(Grid(place=g["market"], name="市场网格", geometry=square(LNG, LAT, 500)))
    assert "place" in exc.value.message_dict


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": name}, "geometry": geom} for name, geom in features]})


def test_geojson_import_makes_one_grid_per_feature(g):
    raw = collection(("东网格", square(LNG + 0.011, LAT)), ("北网格", square(LNG, LAT + 0.01)))
    grids = services.import_grids(g["street"], raw.encode())
    assert [x.name for x in grids] == ["东网格", "北网格"]
    assert all(x.source == GridSource.IMPORTED and x.area_m2 > 900_000 for x in grids)


BOW_TIE = {"type": "Polygon", "coordinates": [[[LNG, LAT], [LNG + 0.01, LAT + 0.01], [LNG + 0.01, LAT],
                                               [LNG, LAT + 0.01], [LNG, LAT]]]}


@pytest.mark.parametrize("raw, words", [
    (b"{not json", "JSON"),
    (json.dumps({"type": "FeatureCollection", "features": []}).encode(), "没有要素"),
    (json.dumps([1, 2]).encode(), "FeatureCollection"),
    (collection(("好网格", square(LNG + 0.011, LAT)), ("坏网格", BOW_TIE)).encode(), "自相交"),
    (collection(("巴黎", square(2.35, 48.85))).encode(), "中国境内"),
    (collection(("远处", square(121.445, 31.223))).encode(), "不在该街道内"),
])
def test_invalid_geojson_files_save_nothing(g, raw, words):
    before = Grid.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.import_grids(g["street"], raw)
    assert words in " ".join(exc.value.message_dict["file"])
    assert Grid.objects.count() == before


def test_the_bad_feature_is_named(g):
    raw = collection(("好网格", square(LNG + 0.011, LAT)), ("坏网格", BOW_TIE))
    with pytest.raises(ValidationError) as exc:
        services.import_grids(g["street"], raw)
    assert "第 2 个要素(坏网格)" in exc.value.message_dict["file"][0]


def test_generated_cells_cover_the_street(g):
    StreetBoundary.objects.create(street=g["street"], geometry=square(LNG - 0.02, LAT - 0.02, 2500))
    cells = services.generate_cells(g["street"])
    assert len(cells) == 9
    assert cells[0].name == "五角场街道第1网格" and cells[0].source == GridSource.GENERATED
    assert sum(c.area_m2 for c in cells) == pytest.approx(6_250_000, rel=0.003)
    # Run again: the names are taken, nothing is doubled.
    assert services.generate_cells(g["street"]) == []


def test_cells_need_a_boundary(g):
    with pytest.raises(ValidationError) as exc:
        services.generate_cells(g["street"])
    assert "street" in exc.value.message_dict


def test_street_boundary_is_checked_too(g):
    with pytest.raises(ValidationError):
        services.set_street_boundary(g["street"], json.dumps(BOW_TIE))
    boundary = services.set_street_boundary(g["street"], json.dumps(square(LNG, LAT, 3000)))
    assert boundary.street == g["street"]


def test_cli_boundary_generate_and_list(g, tmp_path):
    from io import StringIO

    from django.core.management import CommandError, call_command

    path = tmp_path / "street.geojson"
    path.write_text(json.dumps(square(LNG - 0.02, LAT - 0.02, 2000)))
    out = StringIO()
    call_command("grids", "boundary", "五角场街道", str(path), stdout=out)
    call_command("grids", "generate", "五角场街道", "--side", "1000", stdout=out)
    assert "4 grids generated" in out.getvalue()
    call_command("grids", "list", "五角场街道", stdout=out)
    assert "五角场街道第1网格" in out.getvalue() and "少于 15 名" in out.getvalue()
    path.write_text(json.dumps(BOW_TIE))
    with pytest.raises(CommandError, match="自相交"):
        call_command("grids", "import", "五角场街道", str(path), stdout=out)
    with pytest.raises(CommandError, match="未找到"):
        call_command("grids", "generate", "无此街道", stdout=out)
