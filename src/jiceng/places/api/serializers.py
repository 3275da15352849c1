from decimal import Decimal

from rest_framework import serializers

from jiceng.core.geo import bd09_to_wgs84, gcj02_to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from jiceng.core.serializers import ModelCleanSerializer

from ..models import Place

# Coordinate systems accepted at the edge (`?crs=`); storage is always WGS-84.
TO_WGS84 = {"gcj02": gcj02_to_wgs84, "bd09": bd09_to_wgs84}
FROM_WGS84 = {"gcj02": wgs84_to_gcj02, "bd09": wgs84_to_bd09}


def request_crs(context) -> str:
    request = context.get("request")
    crs = (request.query_params.get("crs", "wgs84") if request is not None else "wgs84").lower()
    return crs if crs in TO_WGS84 else "wgs84"


class PlaceSerializer(ModelCleanSerializer):
    """Coordinates are WGS-84 unless `?crs=gcj02` or `?crs=bd09` is given, for both input and output."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    gcj02 = serializers.SerializerMethodField(help_text="Coordinates in GCJ-02 for Chinese map services")

    class Meta:
        model = Place
        fields = ["id", "name", "kind", "kind_display", "parent", "code", "address", "lat", "lng", "gcj02",
                  "path", "depth", "district", "street"]
        read_only_fields = ["path", "depth", "district", "street"]

    def get_gcj02(self, obj) -> dict | None:
        if obj.lat is None or obj.lng is None:
            return None
        lng, lat = wgs84_to_gcj02(float(obj.lng), float(obj.lat))
        return {"lat": round(lat, 6), "lng": round(lng, 6)}

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        crs = request_crs(self.context)
        if crs != "wgs84" and values.get("lat") is not None and values.get("lng") is not None:
            lng, lat = TO_WGS84[crs](float(values["lng"]), float(values["lat"]))
            values["lat"], values["lng"] = Decimal(f"{lat:.6f}"), Decimal(f"{lng:.6f}")
        return values

    def to_representation(self, instance):
        data = super().to_representation(instance)
        crs = request_crs(self.context)
        if crs != "wgs84" and instance.lat is not None and instance.lng is not None:
            lng, lat = FROM_WGS84[crs](float(instance.lng), float(instance.lat))
            data["lat"], data["lng"] = f"{lat:.6f}", f"{lng:.6f}"
        return data
