"""Serializers of `/api/stations/`, `/api/station-duties/` and `/api/service-gaps/`. A station's name, address and
WGS-84 coordinates are its place's; they are read and written here as the station's own fields, converted from and
to GCJ-02 or BD-09 with `?crs=` like `/api/places/`."""

from __future__ import annotations

import math
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jiceng.accounts.permissions import can_reveal_personal_data
from jiceng.core.geo import wgs84_to_gcj02
from jiceng.core.sanitize import strip_control_chars_in
from jiceng.core.serializers import CodeRelatedField, ModelCleanSerializer
from jiceng.places.api.serializers import FROM_WGS84, TO_WGS84, request_crs
from jiceng.places.models import Place

from .. import services
from ..models import Amenity, Duty, Station


# Written as a string of six decimals, like the places' coordinates (a number is accepted on input too).
@extend_schema_field({"type": "string", "format": "decimal"})
class CoordinateField(serializers.Field):
    """A coordinate in degrees: a finite number (or numeric string), never a boolean, NaN or infinity."""

    default_error_messages = {"invalid": _("坐标须是有限的数字(度)。")}

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float | str | Decimal):
            self.fail("invalid")
        try:
            number = float(data)
        except (TypeError, ValueError):
            self.fail("invalid")
        if not math.isfinite(number):
            self.fail("invalid")
        return number

    def to_representation(self, value):
        return None if value is None else f"{float(value):.6f}"


class DutySerializer(ModelCleanSerializer):
    weekday_display = serializers.CharField(source="get_weekday_display", read_only=True)

    class Meta:
        model = Duty
        fields = ["id", "station", "weekday", "weekday_display", "name", "title", "phone", "user"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if request is None or not can_reveal_personal_data(request.user):
            data["phone"] = instance.phone_masked  # personal data masked by default (decision 003)
        return data


class StationSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=100)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    lat = CoordinateField(help_text=_("纬度,WGS-84(`?crs=gcj02` 或 `bd09` 时按该坐标系读写)。"))
    lng = CoordinateField(help_text=_("经度,WGS-84(`?crs=gcj02` 或 `bd09` 时按该坐标系读写)。"))
    located_in = serializers.PrimaryKeyRelatedField(
        queryset=Place.objects.all(), help_text=_("站点所在的街道、园区、楼宇或楼栋(地域 id)。"))
    parent = serializers.PrimaryKeyRelatedField(
        queryset=Station.objects.all(), required=False, allow_null=True,
        help_text=_("上级站点:站的上级是中心,点的上级是站。"))
    amenities = CodeRelatedField(many=True, slug_field="code", queryset=Amenity.objects.all(), required=False,
                                 help_text=_("设施编码,见 /api/station-amenities/。"))
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    gcj02 = serializers.SerializerMethodField(help_text="Coordinates in GCJ-02 for Chinese map services")
    children = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    duties = serializers.SerializerMethodField()
    rooms = serializers.SerializerMethodField(help_text=_("站点出借的活动场地(/api/rooms/)。"))
    public_url = serializers.CharField(source="get_public_url", read_only=True)

    class Meta:
        model = Station
        fields = ["id", "place", "name", "level", "level_display", "parent", "children", "located_in", "address",
                  "lat", "lng", "gcj02", "open_weekdays", "opens_at", "closes_at", "hours_note", "amenities", "phone",
                  "description", "duties", "rooms", "public_url", "district", "street"]
        read_only_fields = ["place", "district", "street"]

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:  # related choices within the user's scope; others read as "not found"
            fields["located_in"].queryset = Place.objects.restrict(request.user)
            fields["parent"].queryset = Station.objects.restrict(request.user)
        return fields

    def get_gcj02(self, obj) -> dict | None:
        place = obj.place
        if place.lat is None or place.lng is None:
            return None
        lng, lat = wgs84_to_gcj02(float(place.lng), float(place.lat))
        return {"lat": round(lat, 6), "lng": round(lng, 6)}

    def get_duties(self, obj) -> list[dict]:
        return DutySerializer(obj.duties.all(), many=True, context=self.context).data

    def get_rooms(self, obj) -> list[dict]:
        return [{"id": room.pk, "name": room.name, "capacity": room.capacity, "active": room.active}
                for room in obj.place.rooms.all()]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        place = instance.place
        data["name"], data["address"] = place.name, place.address
        data["located_in"] = place.parent_id
        crs = request_crs(self.context)
        lat, lng = place.lat, place.lng
        if lat is not None and lng is not None and crs != "wgs84":
            lng, lat = FROM_WGS84[crs](float(lng), float(lat))
        data["lat"] = None if lat is None else f"{float(lat):.6f}"
        data["lng"] = None if lng is None else f"{float(lng):.6f}"
        return data

    def validate(self, attrs):
        attrs = super().validate(attrs)
        strip_control_chars_in(attrs)  # invisible control characters (a NUL breaks PostgreSQL): core/sanitize.py
        crs = request_crs(self.context)
        if crs != "wgs84" and "lat" in attrs and "lng" in attrs:
            attrs["lng"], attrs["lat"] = TO_WGS84[crs](attrs["lng"], attrs["lat"])
        return attrs

    def _values(self, instance: Station | None, attrs: dict) -> dict:
        """The full set of values for the service: a partial update keeps what it does not name."""
        if instance is not None:
            place = instance.place
            current = {"name": place.name, "located_in": place.parent, "address": place.address,
                       "lat": place.lat, "lng": place.lng,
                       **{key: getattr(instance, key) for key in services.STATION_FIELDS}}
            current.update(attrs)
            attrs = current
        return attrs

    def create(self, validated_data):
        return services.save_station(None, **self._values(None, validated_data))

    def update(self, instance, validated_data):
        return services.save_station(instance, **self._values(instance, validated_data))


class AmenitySerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)

    class Meta:
        model = Amenity
        fields = ["code", "name", "name_en", "label", "icon", "order"]


class GapPlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="place.id")
    name = serializers.CharField(source="place.name")
    kind = serializers.CharField(source="place.kind")
    street = serializers.CharField(source="place.street")
    lat = serializers.FloatField(source="place.lat")
    lng = serializers.FloatField(source="place.lng")
    distance = serializers.SerializerMethodField(help_text=_("到最近站点的距离(米,精确到 0.1 米)。"))
    nearest_station = serializers.IntegerField(source="station.id", allow_null=True, default=None,
                                               help_text=_("最近站点的地域 id。"))
    nearest_station_name = serializers.CharField(source="station.name", allow_null=True, default=None)

    def get_distance(self, gap) -> float | None:
        return gap.distance if math.isfinite(gap.distance) else None  # no station at all: no distance (JSON has no inf)


class WhatIfSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    brought_within = serializers.IntegerField(source="count",
                                              help_text=_("候选站址能覆盖的现有缺口数。"))
    places = GapPlaceSerializer(source="brought_within", many=True)


class GapReportSerializer(serializers.Serializer):
    radius = serializers.IntegerField()
    places = serializers.IntegerField(help_text=_("参与计算的楼宇和园区数(有坐标)。"))
    covered = serializers.IntegerField()
    coverage_rate = serializers.FloatField(allow_null=True)
    stations = serializers.IntegerField()
    unlocated = serializers.IntegerField(help_text=_("没有坐标、无法计算的楼宇和园区数。"))
    gaps = serializers.IntegerField(source="gap_count")
    results = GapPlaceSerializer(source="gaps", many=True, help_text=_("半径以外的楼宇和园区,由远到近。"))
    what_if = WhatIfSerializer(allow_null=True)
