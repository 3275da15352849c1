"""Channels API: `/api/deliveries/` (the delivery log, read-only, scoped: one's own, and a district's or street's
for its admins), `/api/robots/` (WeCom group robots; district admins write) and `/api/notification-preferences/`
(the current user's choices, GET and PUT)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, viewsets
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.api import ScopedModelViewSet

from ..events import preferences_of, save_preferences
from ..models import Delivery, EventKind, Robot
from .serializers import DeliverySerializer, PreferenceSerializer, RobotSerializer


class DeliveryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DeliverySerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["channel", "status", "event"]

    def get_queryset(self):
        return Delivery.objects.restrict(self.request.user).select_related("robot").order_by("-created", "-pk")


class RobotViewSet(ScopedModelViewSet):
    base_queryset = Robot.objects.select_related("place", "district")
    serializer_class = RobotSerializer


def _rows(user) -> list[dict]:
    current = preferences_of([user])[user.pk]
    return [{"kind": kind, "label": str(label), "inapp": True, **current[kind]}
            for kind, label in EventKind.choices if kind != EventKind.ACCOUNT]


class PreferencesAPIView(APIView):
    """The current user's channels per event kind (in-app is always on)."""

    permission_classes = [permissions.IsAuthenticated]
    parser_classes = [JSONParser]  # the body is a list of rows, which only JSON can carry

    @extend_schema(responses=PreferenceSerializer(many=True))
    def get(self, request):
        return Response(_rows(request.user))

    @extend_schema(request=PreferenceSerializer(many=True), responses=PreferenceSerializer(many=True))
    def put(self, request):
        serializer = PreferenceSerializer(data=request.data, many=True)
        serializer.is_valid(raise_exception=True)
        save_preferences(request.user, {row["kind"]: row for row in serializer.validated_data})
        return Response(_rows(request.user))
