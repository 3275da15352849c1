"""Read queries shared by the pages and the API: enterprises with their level, counts per colour, weekly changes."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, IntegerField, QuerySet, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from jiceng.enterprises.models import Enterprise
from jiceng.places.models import AREA_KINDS, Place, PlaceKind

from . import services
from .choices import RiskLevel
from .models import LevelChange

GRID_LIMIT = 1500
PICKER_LIMIT = 600


def with_risk(enterprises: QuerySet[Enterprise], baseline: int | None = None) -> QuerySet[Enterprise]:
    """Annotate `risk_score` and `risk_level` (override, else computed; never computed → the level of score 0)."""
    if baseline is None:
        baseline = services.level_for(0)
    return enterprises.annotate(
        risk_score=Coalesce(F("risk__score"), Value(0), output_field=IntegerField()),
        risk_level=Coalesce(F("risk__override_level"), F("risk__computed_level"), Value(baseline),
                            output_field=IntegerField()),
    )


def in_place(enterprises: QuerySet[Enterprise], place: Place | None) -> QuerySet[Enterprise]:
    return enterprises if place is None else enterprises.filter(place__path__startswith=place.path)


def scoped_place(user, value) -> Place | None:
    """The place chosen in a filter, which must be one the user may see (else 404); None when not given."""
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    place = Place.objects.restrict(user).filter(pk=pk).first()
    if place is None:
        raise Http404
    return place


def place_choices(user) -> list[Place]:
    """Streets, areas and buildings in the user's scope for the board's picker (buildings dropped when too many)."""
    places = Place.objects.restrict(user).filter(kind__in=[PlaceKind.STREET, *AREA_KINDS, PlaceKind.BUILDING])
    places = places.only("pk", "name", "kind", "depth", "path").order_by("path")
    if places.count() > PICKER_LIMIT:
        places = places.exclude(kind=PlaceKind.BUILDING)
    return list(places[:5000])


def level_counts(enterprises: QuerySet[Enterprise]) -> list[dict]:
    counts = dict(with_risk(enterprises).order_by().values_list("risk_level").annotate(n=Count("pk")))
    return [{**RiskLevel.info(level), "count": counts.get(level, 0)} for level in RiskLevel.values]


def changed_since(enterprises: QuerySet[Enterprise], days: int = 7, limit: int = 30) -> QuerySet[LevelChange]:
    since = timezone.now() - dt.timedelta(days=days)
    return (LevelChange.objects.filter(at__gte=since, enterprise__in=enterprises.values("pk"))
            .select_related("enterprise", "by").order_by("-at", "-pk")[:limit])
