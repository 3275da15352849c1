"""`/api/assigned-work/`: work the party organization assigns to members (党组织分配的工作), scoped like the
members; the editing roles (secretaries, street and district staff) assign tasks and record them done."""

from __future__ import annotations

from rest_framework import serializers

from jiceng.core.api import ScopedModelViewSet
from jiceng.core.serializers import ModelCleanSerializer

from ..models import AssignedWork
from ..views_work import AssignedWorkFilterSet


class AssignedWorkSerializer(ModelCleanSerializer):
    overdue = serializers.BooleanField(source="is_overdue", read_only=True,
                                       help_text="past its due date and not done (不做党所分配的工作)")

    class Meta:
        model = AssignedWork
        fields = ["id", "task", "member", "organization", "assigned", "due", "done", "overdue"]


class AssignedWorkViewSet(ScopedModelViewSet):
    base_queryset = AssignedWork.objects.all()
    serializer_class = AssignedWorkSerializer
    filterset_class = AssignedWorkFilterSet
    ordering_fields = ["assigned", "due", "done"]

    def get_queryset(self):
        return super().get_queryset().select_related("member").order_by("-assigned", "-pk")

    def perform_create(self, serializer):
        serializer.validated_data["recorded_by"] = self.request.user
        super().perform_create(serializer)
