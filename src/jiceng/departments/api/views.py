"""Departments API: /api/departments/ (a district's departments, scoped like the pages; district admins edit)."""

from __future__ import annotations

from rest_framework import serializers

from jiceng.core.api import ScopedModelViewSet
from jiceng.places.models import Place, PlaceKind

from ..models import Department


class DepartmentSerializer(serializers.ModelSerializer):
    district = serializers.PrimaryKeyRelatedField(queryset=Place.objects.filter(kind=PlaceKind.DISTRICT))

    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "district", "phone", "sign_days", "active"]


class DepartmentViewSet(ScopedModelViewSet):
    serializer_class = DepartmentSerializer
    base_queryset = Department.objects.all()
    filterset_fields = ["district", "active"]
    search_fields = ["name", "short_name"]
