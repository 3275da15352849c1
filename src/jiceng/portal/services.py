"""What a building's public page shows, read from the domain apps. Only public facts leave this module: the
building head's name and title (published by the 一推三公示 notice), the station's published phone, services,
amenities and public activities. Members, enterprise contacts, personal phones, demands and non-public activities
never do (PIPL art. 6, the minimum necessary; docs/decisions/022 and 077)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from jiceng.places.models import Place, PlaceKind

# The places with a public page: buildings and parks (a unit or a street has none).
PUBLIC_PLACE_KINDS = (PlaceKind.COMMERCIAL_BUILDING, PlaceKind.BUILDING, PlaceKind.PARK)
ACTIVITY_LIMIT = 10


@dataclass
class BuildingPage:
    place: Place
    head: object | None = None  # governance.CouncilMember (name and title only are shown)
    council: object | None = None
    station: object | None = None  # stations.Station
    station_distance: float | None = None  # metres, when found by coordinates
    services: list = field(default_factory=list)
    amenities: list = field(default_factory=list)
    activities: list = field(default_factory=list)


def public_place(pk: int) -> Place:
    """The building or park `pk`, or 404 (unknown ids and other kinds of place alike)."""
    place = Place.objects.filter(pk=pk, kind__in=PUBLIC_PLACE_KINDS).select_related("parent", "street").first()
    if place is None:
        raise Http404
    return place


def _ancestor_ids(place: Place) -> list[int]:
    return [int(part) for part in place.path.strip("/").split("/") if part]


def building_head(place: Place):
    """The council covering the place (the building itself, else the park it is in) that has a head."""
    from jiceng.governance.models import Council

    return (Council.objects.filter(place_id__in=_ancestor_ids(place), head__isnull=False)
            .select_related("head").order_by("-place__depth").first())


def serving_station(place: Place) -> tuple[object | None, float | None]:
    """The station serving the place: one set up in the building or in a place above it (the deepest), else the
    nearest by coordinates (the 500 m service circle's rule, jiceng.stations.circles)."""
    from jiceng.stations.models import Station

    related = ("place", "parent__place")
    station = (Station.objects.filter(place__parent_id__in=_ancestor_ids(place)).select_related(*related)
               .order_by("-place__depth", "place__name").first())
    if station is not None or place.lat is None or place.lng is None:
        return station, None
    from jiceng.stations.circles import Point, StationIndex, station_points

    nearest, distance = StationIndex(station_points()).nearest([Point(place.pk, float(place.lat),
                                                                      float(place.lng))])[0]
    if nearest is None or not math.isfinite(distance):
        return None, None
    return Station.objects.filter(place_id=nearest.id).select_related(*related).first(), distance


def upcoming_public_activities(place: Place | None = None, station=None, *, limit: int = ACTIVITY_LIMIT,
                               now=None) -> list:
    """Public, not cancelled, not yet ended: in the place's subtree or at its station (all of them without a
    place)."""
    from jiceng.activities.models import Activity, ActivityStatus

    qs = Activity.objects.filter(public=True, end__gte=now or timezone.now()).exclude(
        status=ActivityStatus.CANCELLED)
    if place is not None:
        where = Q(place__path__startswith=place.path) | Q(host__path__startswith=place.path)
        if station is not None:
            where |= Q(place=station.place_id) | Q(station=station.place_id) | Q(booking__room__place=station.place_id)
        qs = qs.filter(where)
    return list(qs.select_related("place").order_by("start", "pk")[:limit])


def building_page(place: Place) -> BuildingPage:
    from jiceng.demands.models import Service

    council = building_head(place)
    station, distance = serving_station(place)
    page = BuildingPage(place=place, council=council, head=council.head if council else None,
                        station=station, station_distance=distance)
    if station is not None:
        page.services = list(Service.objects.filter(station=station.place_id, active=True)
                             .select_related("category").order_by("name"))
        page.amenities = list(station.amenities.all())
    page.activities = upcoming_public_activities(place, station)
    return page
