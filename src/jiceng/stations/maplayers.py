"""The layers of the map (/map/): each a function from the user (and the request's coordinate system) to GeoJSON
features, registered in `LAYERS` in the order the layer control lists them. A later capability (micro-grids,
household contacts, renovation projects) adds its layer with `register()` from its app's `ready()`:

    from jiceng.stations.maplayers import Layer, register
    register(Layer("grids", _("微网格"), build_grids, after="gaps"))

Everything is in the user's scope except the stations, which are public. Coordinates are stored in WGS-84 and
written in the coordinate system the tile source needs (`crs`, decision 066); circle radii stay in metres.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.geo import wgs84_to_bd09, wgs84_to_gcj02
from jiceng.core.reversing import pk_url
from jiceng.places.models import Place, PlaceKind

from . import circles

FEATURE_LIMIT = 20_000  # per layer; a layer cut there says so (`truncated`)
CONVERTERS: dict[str, Callable[[float, float], tuple[float, float]]] = {
    "wgs84": lambda lng, lat: (lng, lat), "gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


@dataclass
class MapContext:
    user: Any
    crs: str = "wgs84"
    today: dt.date = field(default_factory=timezone.localdate)
    radius: int = field(default_factory=circles.default_radius)
    memo: dict = field(default_factory=dict)

    def xy(self, lat, lng) -> list[float]:
        """A GeoJSON position [lng, lat] in the map's coordinate system, to the micro-degree."""
        x, y = CONVERTERS.get(self.crs, CONVERTERS["wgs84"])(float(lng), float(lat))
        return [round(x, 6), round(y, 6)]

    def point(self, lat, lng, **properties) -> dict:
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": self.xy(lat, lng)},
                "properties": properties}

    def gap_report(self) -> circles.GapReport:
        if "gaps" not in self.memo:
            self.memo["gaps"] = circles.gap_report(self.user, self.radius)
        return self.memo["gaps"]


@dataclass(frozen=True)
class Layer:
    code: str
    label: Any
    build: Callable[[MapContext], list[dict]]
    default_on: bool = True
    after: str | None = None  # register(): place the layer after this one


LAYERS: list[Layer] = []


def register(layer: Layer) -> None:
    """Add (or replace) a layer; `after` puts it behind a named one, else at the end."""
    existing = [i for i, known in enumerate(LAYERS) if known.code == layer.code]
    if existing:
        LAYERS[existing[0]] = layer
        return
    if layer.after is not None:
        for index, known in enumerate(LAYERS):
            if known.code == layer.after:
                LAYERS.insert(index + 1, layer)
                return
    LAYERS.append(layer)


def url_maker(name: str) -> Callable[[int], str]:
    """A page's URL for many ids at the cost of one reverse() (thousands of reverse() calls cost a second)."""
    return lambda pk: pk_url(name, pk)


def layer_by_code(code: str) -> Layer | None:
    return next((layer for layer in LAYERS if layer.code == code), None)


def feature_collection(layer: Layer, ctx: MapContext) -> dict:
    features = layer.build(ctx)
    return {"type": "FeatureCollection", "layer": layer.code, "crs_name": ctx.crs,
            "truncated": len(features) >= FEATURE_LIMIT, "features": features[:FEATURE_LIMIT]}


# --- the plain base: street outlines drawn from the places' own coordinates ------------------------------------

def convex_hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Andrew's monotone chain; counter-clockwise, without repeating the first point."""
    pts = sorted(set(points))
    if len(pts) <= 2:
        return pts

    def cross(o, a, b) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _padded(hull: list[tuple[float, float]], pad: float = 0.0015) -> list[tuple[float, float]]:
    """The hull pushed out from its centre by ~150 m, so places on the edge sit inside the outline; a street with one
    or two located places gets a small square round them."""
    if len(hull) < 3:
        xs, ys = [p[0] for p in hull], [p[1] for p in hull]
        x0, x1, y0, y1 = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
        return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    cx, cy = sum(p[0] for p in hull) / len(hull), sum(p[1] for p in hull) / len(hull)
    out = []
    for x, y in hull:
        dx, dy = x - cx, y - cy
        norm = (dx * dx + dy * dy) ** 0.5 or 1.0
        out.append((x + dx / norm * pad, y + dy / norm * pad))
    return out


def build_base(ctx: MapContext) -> list[dict]:
    """One outline per street in scope: the padded convex hull of its located places (the product stores no street
    boundaries; this is drawn from what it has, so the map needs no outside tile)."""
    rows = (Place.objects.restrict(ctx.user).filter(lat__isnull=False, lng__isnull=False, street__isnull=False)
            .exclude(kind__in=[PlaceKind.DISTRICT, PlaceKind.UNIT]).order_by()
            .values_list("street_id", "street__name", "lat", "lng"))
    by_street: dict[int, tuple[str, list[tuple[float, float]]]] = {}
    for street_id, name, lat, lng in rows:
        by_street.setdefault(street_id, (name, []))[1].append(tuple(ctx.xy(lat, lng)))
    features = []
    for street_id, (name, points) in sorted(by_street.items()):
        ring = [list(p) for p in _padded(convex_hull(points))]
        ring = [[round(x, 6), round(y, 6)] for x, y in ring]
        features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
                         "properties": {"id": street_id, "name": name, "kind": "street"}})
    return features


# --- the domain layers --------------------------------------------------------------------------------------

def building_levels(user, place_ids: set[int]) -> dict[int, int]:
    """The five-colour level of each building or park: the highest level among the enterprises in it (and in its
    units and 楼栋), in the user's scope. One grouped query."""
    from jiceng.enterprises.models import Enterprise
    from jiceng.risk.selectors import with_risk

    rows = (with_risk(Enterprise.objects.restrict(user)).order_by().values("place__path")
            .annotate(top=Max("risk_level")).values_list("place__path", "top"))
    levels: dict[int, int] = {}
    for path, top in rows:
        for part in path.strip("/").split("/"):
            pk = int(part)
            if pk in place_ids and top > levels.get(pk, 0):
                levels[pk] = top
    return levels


def build_buildings(ctx: MapContext) -> list[dict]:
    from jiceng.risk.choices import LEVEL_HEX, RiskLevel

    rows = list(circles.report_places(ctx.user).filter(lat__isnull=False, lng__isnull=False).order_by("path")
                .values_list("pk", "name", "kind", "lat", "lng")[:FEATURE_LIMIT])
    levels = building_levels(ctx.user, {row[0] for row in rows})
    labels = dict(PlaceKind.choices)
    url = url_maker("places:place_detail")
    features = []
    for pk, name, kind, lat, lng in rows:
        level = levels.get(pk)
        features.append(ctx.point(lat, lng, id=pk, name=name, kind=str(labels.get(kind, kind)), level=level,
                                  level_label=str(RiskLevel(level).label) if level else "",
                                  colour=LEVEL_HEX.get(level, "#868e96"),
                                  url=url(pk)))
    return features


def build_stations(ctx: MapContext) -> list[dict]:
    """The stations round the user's places (public: a neighbouring street's circle matters too), with their level
    and the radius of their service circle in metres; a superuser sees the whole city's."""
    from .models import Station, StationLevel

    qs = Place.objects.filter(kind=PlaceKind.STATION, lat__isnull=False, lng__isnull=False)
    if not getattr(ctx.user, "is_superuser", False):
        box = circles.report_places(ctx.user).filter(lat__isnull=False).aggregate(
            south=models.Min("lat"), north=models.Max("lat"), west=models.Min("lng"), east=models.Max("lng"))
        if box["south"] is None:
            return []
        margin = Decimal("0.02")  # ~2 km: the circles that reach the user's places, and their neighbours
        qs = qs.filter(lat__gte=box["south"] - margin, lat__lte=box["north"] + margin,
                       lng__gte=box["west"] - margin, lng__lte=box["east"] + margin)
    details = {place_id: (pk, level, parent) for pk, place_id, level, parent in Station.objects.filter(
        place__in=qs).values_list("pk", "place_id", "level", "parent_id")}
    level_labels = {code: str(label) for code, label in StationLevel.choices}
    url = url_maker("stations:station_public")
    features = []
    for pk, name, address, lat, lng in qs.order_by("path").values_list("pk", "name", "address", "lat", "lng")[
            :FEATURE_LIMIT]:
        station_id, level, parent = details.get(pk, (None, "", None))
        features.append(ctx.point(lat, lng, id=pk, name=name, address=address, radius=ctx.radius, level=level,
                                  level_label=level_labels.get(level, ""), parent=parent,
                                  url=url(station_id) if station_id else ""))
    return features


def build_gaps(ctx: MapContext) -> list[dict]:
    return [ctx.point(gap.place.lat, gap.place.lng, id=gap.place.id, name=gap.place.name, street=gap.place.street,
                      distance=gap.distance if gap.station else None,
                      nearest_station=gap.station.name if gap.station else "")
            for gap in ctx.gap_report().gaps]


def _list_items(model, ctx: MapContext, kind: str) -> list[dict]:
    from jiceng.matching.models import ListStatus

    qs = (model.objects.restrict(ctx.user).filter(status=ListStatus.OPEN).order_by("-created", "-pk")
          .values_list("pk", "title", "category", "lat", "lng", *(["radius_m"] if kind == "resource" else []))
          [:FEATURE_LIMIT])
    features = []
    for row in qs:
        pk, title, category, lat, lng = row[:5]
        props = {"id": pk, "name": title, "category": category,
                 "url": reverse(f"matching:{kind}_detail", args=[pk])}
        if kind == "resource":
            props["radius"] = row[5]
        features.append(ctx.point(lat, lng, **props))
    return features


def build_needs(ctx: MapContext) -> list[dict]:
    from jiceng.matching.models import Need

    return _list_items(Need, ctx, "need")


def build_resources(ctx: MapContext) -> list[dict]:
    from jiceng.matching.models import Resource

    return _list_items(Resource, ctx, "resource")


def week_bounds(today: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00 (local time) of the week holding `today`."""
    monday = today - dt.timedelta(days=today.weekday())
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(monday, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=7)


def build_activities(ctx: MapContext) -> list[dict]:
    """This week's activities (Monday to Sunday), at their place, else the booked room's station, else the
    organizing station."""
    from django.db.models.functions import Coalesce

    from jiceng.activities.models import Activity, ActivityStatus

    start, end = week_bounds(ctx.today)
    rows = (Activity.objects.restrict(ctx.user).filter(start__gte=start, start__lt=end)
            .exclude(status=ActivityStatus.CANCELLED)
            .annotate(at_lat=Coalesce("place__lat", "booking__room__place__lat", "station__lat"),
                      at_lng=Coalesce("place__lng", "booking__room__place__lng", "station__lng"),
                      at_name=Coalesce("place__name", "booking__room__place__name", "station__name"))
            .filter(at_lat__isnull=False, at_lng__isnull=False).order_by("start", "pk")
            .values_list("pk", "title", "start", "at_name", "at_lat", "at_lng")[:FEATURE_LIMIT])
    return [ctx.point(lat, lng, id=pk, name=title, place=place,
                      start=timezone.localtime(when).strftime("%m-%d %H:%M"),
                      url=reverse("activities:activity_detail", args=[pk]))
            for pk, title, when, place, lat, lng in rows]


for _layer in (
    Layer("base", _("街道轮廓"), build_base),
    Layer("buildings", _("楼宇(五色等级)"), build_buildings),
    Layer("stations", _("党群服务站点与服务圈"), build_stations),
    Layer("gaps", _("服务圈缺口"), build_gaps),
    Layer("needs", _("需求清单"), build_needs, default_on=False),
    Layer("resources", _("资源清单"), build_resources, default_on=False),
    Layer("activities", _("本周活动"), build_activities),
):
    register(_layer)
