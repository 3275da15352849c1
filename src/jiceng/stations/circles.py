"""500 m party service circles (500米党建服务圈, seed 003): for every building and park, the distance to the nearest
service station, the places beyond the radius, and what a candidate site would change.

The nearest station comes from a k-d tree (scipy's cKDTree) over the points as unit vectors in 3-D: the straight
chord between two points on the sphere grows with the great-circle distance, so the nearest by chord *is* the
nearest on the Earth — no map projection and none of its distortion at the edge of a city. The distance reported
for that pair is then the great-circle (haversine) distance of jiceng.core.geo, the same function the brute-force
reference in the tests uses. Building the tree over ~4,000 stations and querying ~7,000 places takes milliseconds;
a loop over all pairs would take 28 million distance computations (decision 065).

Rounding and the boundary: coordinates are stored to 1e-6 degree (about 0.1 m), so distances are reported to the
decimetre, and a place is within reach when that rounded distance is at most the radius — exactly 500.0 m is
within a 500 m circle, 500.1 m is not.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from scipy.spatial import cKDTree

from jiceng.core.geo import haversine_m
from jiceng.places.models import Place, PlaceKind

# The places a circle must reach: "every building and park" (domain.md); markets are building-like (豫园小商品市场).
GAP_PLACE_KINDS = (PlaceKind.PARK, PlaceKind.COMMERCIAL_BUILDING, PlaceKind.MARKET, PlaceKind.BUILDING)
MIN_RADIUS_M, MAX_RADIUS_M = 50, 5000


def default_radius() -> int:
    return int(settings.JICENG.get("SERVICE_CIRCLE_RADIUS_M", 500))


def rounded(distance_m: float) -> float:
    """Distances are reported (and compared with the radius) to the decimetre: see the module docstring."""
    return round(distance_m, 1)


def within_reach(distance_m: float, radius_m: float) -> bool:
    return rounded(distance_m) <= radius_m


def unit_vectors(lat: np.ndarray, lng: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lng)
    cos_phi = np.cos(phi)
    return np.column_stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)))


@dataclass(frozen=True)
class Point:
    id: int
    lat: float
    lng: float
    name: str = ""
    kind: str = ""
    street: str = ""


class StationIndex:
    """A k-d tree over station points; `nearest()` answers for many places at once."""

    def __init__(self, stations: Sequence[Point]) -> None:
        self.stations = list(stations)
        if self.stations:
            lat = np.fromiter((s.lat for s in self.stations), float, len(self.stations))
            lng = np.fromiter((s.lng for s in self.stations), float, len(self.stations))
            self.tree: cKDTree | None = cKDTree(unit_vectors(lat, lng))
        else:
            self.tree = None

    def nearest(self, points: Sequence[Point]) -> list[tuple[Point | None, float]]:
        """For each point, its nearest station and the great-circle distance in metres (None, inf without
        stations)."""
        if not points:
            return []
        if self.tree is None:
            return [(None, math.inf)] * len(points)
        lat = np.fromiter((p.lat for p in points), float, len(points))
        lng = np.fromiter((p.lng for p in points), float, len(points))
        _chord, index = self.tree.query(unit_vectors(lat, lng), k=1)
        out = []
        for point, i in zip(points, index.tolist(), strict=True):
            station = self.stations[i]
            out.append((station, haversine_m(point.lat, point.lng, station.lat, station.lng)))
        return out


@dataclass
class Gap:
    place: Point
    distance: float  # metres, to the decimetre
    station: Point | None


@dataclass
class WhatIf:
    lat: float
    lng: float
    brought_within: list[Gap] = field(default_factory=list)  # gaps the candidate would reach, nearest first

    @property
    def count(self) -> int:
        return len(self.brought_within)


@dataclass
class GapReport:
    radius: int
    places: int
    stations: int
    unlocated: int
    gaps: list[Gap]
    what_if: WhatIf | None = None

    @property
    def gap_count(self) -> int:
        return len(self.gaps)

    @property
    def covered(self) -> int:
        return self.places - len(self.gaps)

    @property
    def coverage_rate(self) -> float | None:
        return round(self.covered / self.places, 4) if self.places else None


def find_gaps(places: Sequence[Point], stations: Sequence[Point], radius: float) -> list[Gap]:
    """The places farther than `radius` metres from every station, farthest first (pure: no database)."""
    gaps = [Gap(place, rounded(distance), station)
            for place, (station, distance) in zip(places, StationIndex(stations).nearest(places), strict=True)
            if not within_reach(distance, radius)]
    gaps.sort(key=lambda gap: (-gap.distance, gap.place.id))
    return gaps


def what_if(gaps: Sequence[Gap], lat: float, lng: float, radius: float) -> WhatIf:
    """Which of the current gaps a station at (lat, lng) would bring within reach."""
    result = WhatIf(lat, lng)
    candidate = Point(0, lat, lng)
    for gap in gaps:
        distance = haversine_m(lat, lng, gap.place.lat, gap.place.lng)
        if within_reach(distance, radius):
            result.brought_within.append(Gap(gap.place, rounded(distance), candidate))
    result.brought_within.sort(key=lambda gap: (gap.distance, gap.place.id))
    return result


# --- from the database ----------------------------------------------------------------------------------------

def report_places(user, within: Place | None = None):
    """The buildings and parks the user's report covers (their scope, optionally one subtree)."""
    qs = Place.objects.restrict(user).filter(kind__in=GAP_PLACE_KINDS)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return qs


def station_points() -> list[Point]:
    """Every station with coordinates (one query; ~4,000 rows at city scale).

    All of them, not the user's: stations are public (each has a public page), and a building at the edge of a
    street is served by the station across the road whoever's scope that station is in. Reading them all also
    keeps the reported distance honest — a box round the user's places would miss the nearest station of a place
    far from every station."""
    qs = Place.objects.filter(kind=PlaceKind.STATION, lat__isnull=False, lng__isnull=False)
    return [Point(pk, float(lat), float(lng), name) for pk, name, lat, lng in
            qs.order_by().values_list("pk", "name", "lat", "lng")]


def gap_report(user, radius: int | None = None, *, within: Place | None = None,
               candidate: tuple[float, float] | None = None) -> GapReport:
    """The service-circle report over the user's buildings and parks (three queries)."""
    radius = default_radius() if radius is None else radius
    qs = report_places(user, within)
    rows = qs.filter(lat__isnull=False, lng__isnull=False).order_by().values_list(
        "pk", "name", "kind", "street__name", "lat", "lng")
    places = [Point(pk, float(lat), float(lng), name, kind, street or "") for pk, name, kind, street, lat, lng in rows]
    unlocated = qs.filter(Q(lat__isnull=True) | Q(lng__isnull=True)).count()
    stations = station_points()
    gaps = find_gaps(places, stations, radius)
    report = GapReport(radius=radius, places=len(places), stations=len(stations), unlocated=unlocated, gaps=gaps)
    if candidate is not None:
        report.what_if = what_if(gaps, candidate[0], candidate[1], radius)
    return report


def radius_error(value) -> str | None:
    """Why `value` is not a usable radius (None when it is)."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return str(_("半径须是整数(米)。"))
    if not MIN_RADIUS_M <= number <= MAX_RADIUS_M:
        return str(_("半径须在 %(low)s 到 %(high)s 米之间。") % {"low": MIN_RADIUS_M, "high": MAX_RADIUS_M})
    return None
