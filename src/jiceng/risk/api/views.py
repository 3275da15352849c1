"""Risk API: signal types and thresholds (read; admins write), signals (scoped list/create), enterprise risk rows
(level, score, explanation on detail; override action; counts), follow-ups (list, close action)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from jiceng.accounts.models import Role
from jiceng.core.drf import as_drf_error
from jiceng.core.scoping import scope_for
from jiceng.enterprises.models import Enterprise

from .. import services
from ..choices import RiskLevel
from ..filters import EnterpriseRiskFilterSet, FollowUpFilterSet, SignalFilterSet
from ..models import EnterpriseRisk, FollowUp, LevelThreshold, Signal, SignalType
from .serializers import (
    CloseSerializer,
    EnterpriseRiskDetailSerializer,
    EnterpriseRiskSerializer,
    FollowUpDepartmentSerializer,
    FollowUpSerializer,
    LevelThresholdSerializer,
    OverrideSerializer,
    SignalCreateSerializer,
    SignalSerializer,
    SignalTypeSerializer,
)


class IsRiskAdminOrReadOnly(permissions.IsAuthenticated):
    """Configuration (signal types, thresholds): everyone signed in reads; district admins and superusers write."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.is_superuser or Role.DISTRICT_ADMIN in scope_for(request.user).roles


class SignalTypeViewSet(viewsets.ModelViewSet):
    serializer_class = SignalTypeSerializer
    queryset = SignalType.objects.all()
    permission_classes = [IsRiskAdminOrReadOnly]
    lookup_field = "code"
    pagination_class = None
    filterset_fields = ["active", "source_kind"]

    def perform_destroy(self, instance):
        if instance.signals.exists():
            raise ValidationError({"code": ["已有该类型的信号,不能删除;可停用。"]})
        instance.delete()


class LevelThresholdViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The five lower bounds; an update that would break the strict increase is refused (400, naming min_score)."""

    serializer_class = LevelThresholdSerializer
    queryset = LevelThreshold.objects.all()
    permission_classes = [IsRiskAdminOrReadOnly]
    lookup_field = "level"
    pagination_class = None
    filterset_fields: list[str] = []


class SignalViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = SignalFilterSet
    permission_classes = [permissions.IsAuthenticated]
    ordering_fields = ["observed_on", "expires_on", "points"]
    queryset = Signal.objects.none()  # for the schema; requests use the scoped one

    def get_queryset(self):
        return Signal.objects.restrict(self.request.user).select_related("type")

    def get_serializer_class(self):
        return SignalCreateSerializer if self.action == "create" else SignalSerializer

    @extend_schema(request=SignalCreateSerializer, responses={201: SignalSerializer})
    def create(self, request, *args, **kwargs):
        data = SignalCreateSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        try:
            signal = services.record_signal(enterprise=values.pop("enterprise"), type=values.pop("type"),
                                            user=request.user, **values)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(SignalSerializer(signal).data, status=201)


class EnterpriseRiskViewSet(viewsets.ReadOnlyModelViewSet):
    """Risk rows by enterprise id: `/api/risk/enterprises/<enterprise id>/` (computed on first read if missing)."""

    filterset_class = EnterpriseRiskFilterSet
    permission_classes = [permissions.IsAuthenticated]
    ordering_fields = ["score", "updated", "effective_level"]
    lookup_field = "enterprise"
    lookup_value_regex = r"\d+"
    queryset = EnterpriseRisk.objects.none()  # for the schema

    def get_queryset(self):
        return EnterpriseRisk.objects.restrict(self.request.user).with_level().select_related("enterprise") \
            .order_by("-score", "enterprise_id")

    def get_serializer_class(self):
        return EnterpriseRiskDetailSerializer if self.action == "retrieve" else EnterpriseRiskSerializer

    def _enterprise(self) -> Enterprise:
        enterprise = Enterprise.objects.restrict(self.request.user).filter(pk=self.kwargs["enterprise"]).first()
        if enterprise is None:
            raise Http404
        return enterprise

    def retrieve(self, request, *args, **kwargs):
        enterprise = self._enterprise()
        risk = services.risk_for(enterprise)
        serializer = EnterpriseRiskDetailSerializer(
            risk, context={"request": request, "explanation": services.explain(enterprise)})
        return Response(serializer.data)

    @extend_schema(request=OverrideSerializer, responses=EnterpriseRiskSerializer)
    @action(detail=True, methods=["post"])
    def override(self, request, enterprise=None):
        target = self._enterprise()
        data = OverrideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            risk = services.override_level(target, level=data.validated_data["level"],
                                           reason=data.validated_data["reason"], user=request.user)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(EnterpriseRiskSerializer(risk).data)

    @extend_schema(responses=inline_serializer("RiskLevelCounts", fields={
        str(level): serializers.IntegerField() for level in RiskLevel.values}))
    @action(detail=False, methods=["get"])
    def counts(self, request):
        """Rows per level for the current filter: {"1": n, ..., "5": n}."""
        qs = self.filter_queryset(self.get_queryset()).order_by()
        counts = dict(qs.values_list("effective_level").annotate(n=Count("pk")))
        return Response({str(level): counts.get(level, 0) for level in RiskLevel.values})


class FollowUpViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilterSet
    permission_classes = [permissions.IsAuthenticated]
    ordering_fields = ["due_date", "created", "level"]
    queryset = FollowUp.objects.none()  # for the schema

    def get_queryset(self):
        return FollowUp.objects.restrict(self.request.user).select_related("enterprise").prefetch_related("assignees")

    @extend_schema(request=CloseSerializer, responses=FollowUpSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        follow_up = self.get_object()
        data = CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            follow_up = services.close_follow_up(follow_up, outcome=data.validated_data["outcome"], user=request.user)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(FollowUpSerializer(follow_up).data)

    @extend_schema(request=FollowUpDepartmentSerializer, responses=FollowUpSerializer,
                   operation_id="risk_follow_ups_department")
    @action(detail=True, methods=["post"], url_path=r"(?P<verb>assign|sign|return)")
    def department(self, request, pk=None, verb=None):
        """Hand it to a department (the street: `department`), and the department's 签收 / 退单 (`reason`)."""
        from jiceng.departments.models import Department

        follow_up = self.get_object()
        data = FollowUpDepartmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            if verb == "assign":
                department = Department.objects.restrict(request.user).filter(pk=values.get("department") or 0).first()
                follow_up = services.assign_follow_up(follow_up, department=department, user=request.user)
            elif verb == "sign":
                follow_up = services.sign_follow_up(follow_up, user=request.user)
            else:
                follow_up = services.return_follow_up(follow_up, user=request.user, reason=values.get("reason", ""))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(FollowUpSerializer(FollowUp.objects.get(pk=follow_up.pk)).data)
