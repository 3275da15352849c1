"""The stations stage of `jiceng seed` (operations/seeding.py): a three-level network per street, with coordinates.

Per street one 党群服务中心 near the street's point; in most areas a 党群服务站 near the area's point (under the
street's center); the rest of the target as 党群服务点 scattered a few hundred metres round the stations (under
them). About one area in seven gets no station, so the city has real gaps for the 500 m report. `city` scale:
4,000 stations over 2,200 areas.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jiceng.places.models import Place, PlaceKind

from .models import Station, StationLevel

AREA_WITH_STATION = 0.85
METRES_PER_DEGREE = 111_195.0


def _jitter(rng, lat: float, lng: float, metres: float) -> tuple[Decimal, Decimal]:
    d_lat = rng.uniform(-metres, metres) / METRES_PER_DEGREE
    d_lng = rng.uniform(-metres, metres) / (METRES_PER_DEGREE * 0.855)  # cos(31°)
    return Decimal(f"{lat + d_lat:.6f}"), Decimal(f"{lng + d_lng:.6f}")


def stage_stations(ctx) -> int:
    target = getattr(ctx.scale, "stations", 0)
    if not target or not ctx.areas:
        return 0
    rng = ctx.rng("stations")
    points_of = {pk: (float(lat), float(lng), path) for pk, lat, lng, path in Place.objects.filter(
        pk__in=[*ctx.street_ids, *(a.id for a in ctx.areas)]).values_list("pk", "lat", "lng", "path")}
    plan: list[dict] = []  # place rows, each with its level and the index of its parent row
    center_of: dict[int, int] = {}
    for street_id in ctx.street_ids:
        lat, lng, path = points_of[street_id]
        center_of[street_id] = len(plan)
        plan.append({"name": f"{ctx.street_name[street_id]}党群服务中心", "level": StationLevel.CENTER,
                     "parent_place": (street_id, path), "district": ctx.street_district[street_id],
                     "street": street_id, "at": _jitter(rng, lat, lng, 300), "parent": None})
    stations: list[int] = []
    for area in ctx.areas:
        if rng.random() >= AREA_WITH_STATION or len(plan) >= target:
            continue
        lat, lng, path = points_of[area.id]
        stations.append(len(plan))
        plan.append({"name": f"{area.name}党群服务站", "level": StationLevel.STATION,
                     "parent_place": (area.id, path), "district": area.district_id, "street": area.street_id,
                     "at": _jitter(rng, lat, lng, 150), "parent": center_of[area.street_id]})
    n = 0
    while len(plan) < target and stations:
        parent_index = rng.choice(stations)
        parent = plan[parent_index]
        n += 1
        lat, lng = float(parent["at"][0]), float(parent["at"][1])
        plan.append({"name": f"{parent['name'].removesuffix('党群服务站')}第{n}党群服务点", "level": StationLevel.POINT,
                     "parent_place": parent["parent_place"], "district": parent["district"],
                     "street": parent["street"], "at": _jitter(rng, lat, lng, 700), "parent": parent_index})

    first = ctx.allocate_ids(Place, len(plan))
    places = []
    for offset, row in enumerate(plan):
        pk = first + offset
        parent_id, parent_path = row["parent_place"]
        row["place_id"] = pk
        places.append(Place(id=pk, name=row["name"], kind=PlaceKind.STATION, parent_id=parent_id,
                            code=f"S{pk}", address="", lat=row["at"][0], lng=row["at"][1],
                            path=f"{parent_path}{pk}/", depth=parent_path.count("/") - 1,
                            district_id=row["district"], street_id=row["street"]))
    written = ctx.insert(Place, iter(places), len(places), "stations (places)")
    # Level by level, so each parent has its id (returned by bulk_create) before its children are written.
    for level in (StationLevel.CENTER, StationLevel.STATION, StationLevel.POINT):
        rows = [row for row in plan if row["level"] == level]
        objects = [Station(place_id=row["place_id"], level=level, district_id=row["district"],
                           street_id=row["street"], opens_at=dt.time(9), closes_at=dt.time(17, 30),
                           parent_id=plan[row["parent"]]["station_id"] if row["parent"] is not None else None)
                   for row in rows]
        Station.objects.bulk_create(objects, batch_size=1000)
        for row, station in zip(rows, objects, strict=True):
            row["station_id"] = station.pk
    return written
