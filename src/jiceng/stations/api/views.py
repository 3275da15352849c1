"""Stations API: `/api/stations/` (the three-level network with hours, amenities, duties and rooms),
`/api/station-duties/`, `/api/station-amenities/` and the 500 m service-circle report `/api/service-gaps/`.
Every queryset goes through `restrict(user)` (out of scope is 404); the rules are the models' and services'."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.api import ScopedModelViewSet
from jiceng.core.drf import as_drf_error
from jiceng.places.api.serializers import TO_WGS84, request_crs
from jiceng.places.models import Place
from jiceng.venues.models import Room

from .. import circles, services
from ..models import Amenity, Duty, Station, StationLevel
from .serializers import AmenitySerializer, DutySerializer, GapReportSerializer, StationSerializer


class StationFilterSet(filters.FilterSet):
    level = filters.ChoiceFilter(choices=StationLevel.choices)
    parent = filters.NumberFilter(field_name="parent_id")
    street = filters.NumberFilter(field_name="street_id")
    district = filters.NumberFilter(field_name="district_id")
    amenity = filters.CharFilter(field_name="amenities__code")

    class Meta:
        model = Station
        fields = ["level", "parent", "street", "district", "amenity"]


class StationViewSet(ScopedModelViewSet):
    base_queryset = Station.objects.select_related("place", "place__parent").prefetch_related(
        "amenities", "children", "duties", Prefetch("place__rooms", queryset=Room.objects.order_by("name")))
    serializer_class = StationSerializer
    filterset_class = StationFilterSet

    def get_queryset(self):
        return super().get_queryset().order_by("place__path", "pk").distinct()

    def _save(self, serializer):
        try:
            with transaction.atomic():
                super()._save_in_scope(serializer)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc

    def perform_create(self, serializer):
        self._save(serializer)

    def perform_update(self, serializer):
        self._save(serializer)

    def perform_destroy(self, instance):
        try:
            services.delete_station(instance)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class DutyViewSet(ScopedModelViewSet):
    base_queryset = Duty.objects.select_related("station__place")
    serializer_class = DutySerializer
    filterset_fields = ["station", "weekday"]

    def get_queryset(self):
        return super().get_queryset().order_by("station", "weekday", "name", "pk")


class AmenityViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = AmenitySerializer
    queryset = Amenity.objects.order_by("order", "code")
    lookup_field = "code"
    pagination_class = None


def _number(params, name: str) -> float | None:
    value = params.get(name)
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValidationError({name: [_("须是数字。")]}) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValidationError({name: [_("须是数字。")]})
    return number


def parse_gap_params(request) -> tuple[int, Place | None, tuple[float, float] | None]:
    """`radius` (metres, default 500), `place` (a subtree in scope) and a candidate site `lat`+`lng`."""
    params = request.query_params if hasattr(request, "query_params") else request.GET
    radius_value = params.get("radius") or circles.default_radius()
    error = circles.radius_error(radius_value)
    if error:
        raise ValidationError({"radius": [error]})
    within = None
    if params.get("place"):
        try:
            within = Place.objects.restrict(request.user).filter(pk=int(params["place"])).first()
        except ValueError:
            within = None
        if within is None:
            raise ValidationError({"place": [_("未找到该地域(或不在您的管辖范围内)。")]})
    lat, lng = _number(params, "lat"), _number(params, "lng")
    candidate = None
    if (lat is None) != (lng is None):
        raise ValidationError({"lng" if lng is None else "lat": [_("候选站址须同时给出纬度和经度。")]})
    if lat is not None:
        crs = (params.get("crs") or "wgs84").lower()
        if crs in TO_WGS84:
            lng, lat = TO_WGS84[crs](lng, lat)
        errors = services.coordinate_errors(lat, lng)
        if errors:
            raise ValidationError({key: [message] for key, message in errors.items()})
        candidate = (lat, lng)
    return int(str(radius_value)), within, candidate


class ServiceGapsAPIView(APIView):
    """The 500 m service-circle report over the user's buildings and parks: each one beyond `radius` with its
    `distance` in metres to the nearest station; with `lat`+`lng`, what a station there would bring within reach."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("radius", int, description="半径(米),默认 500,50–5000"),
            OpenApiParameter("place", int, description="只看这个地域(街道、园区)之下"),
            OpenApiParameter("lat", float, description="候选站址纬度(what-if)"),
            OpenApiParameter("lng", float, description="候选站址经度(what-if)"),
            OpenApiParameter("crs", str, enum=["wgs84", "gcj02", "bd09"], description="候选站址的坐标系"),
        ],
        responses={200: GapReportSerializer},
    )
    def get(self, request):
        radius, within, candidate = parse_gap_params(request)
        report = circles.gap_report(request.user, radius, within=within, candidate=candidate)
        data = GapReportSerializer(report).data
        crs = request_crs({"request": request})
        if crs != "wgs84":
            from jiceng.places.api.serializers import FROM_WGS84

            rows = list(data["results"]) + (list(data["what_if"]["places"]) if data["what_if"] else [])
            for row in rows:
                row["lng"], row["lat"] = (round(v, 6) for v in FROM_WGS84[crs](row["lng"], row["lat"]))
        return Response(data)
