from rest_framework import serializers

from jiceng.core.geo import wgs84_to_gcj02
from jiceng.core.serializers import ModelCleanSerializer

from ..models import Place


class PlaceSerializer(ModelCleanSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    gcj02 = serializers.SerializerMethodField(help_text="Coordinates converted to GCJ-02 for Chinese map services")

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
