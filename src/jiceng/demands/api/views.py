"""Demands API: list/detail/create and one action endpoint per workflow transition (same services as the UI)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from jiceng.accounts.models import Notification
from jiceng.accounts.permissions import ScopedWritePermission, can_write
from jiceng.core.api import ScopedModelViewSet
from jiceng.core.drf import as_drf_error
from jiceng.enterprises.models import Enterprise
from jiceng.places.models import Place

from .. import visits, workflow
from ..filters import DemandFilterSet, VisitFilterSet
from ..forms import DEMAND_PLACE_KINDS
from ..models import Category, Demand, DemandSource, Service, Visit
from .serializers import (
    CategorySerializer,
    DemandActionSerializer,
    DemandCreateSerializer,
    DemandListSerializer,
    DemandSerializer,
    NotificationSerializer,
    ServiceSerializer,
    VisitSerializer,
)


class CategoryViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CategorySerializer
    queryset = Category.objects.all()
    lookup_field = "code"
    pagination_class = None


class DemandViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = DemandFilterSet
    permission_classes = [permissions.IsAuthenticated]
    ordering_fields = ["created", "due_date"]

    def get_queryset(self):
        qs = Demand.objects.restrict(self.request.user).select_related("category", "suggested_category")
        if self.action == "retrieve":
            qs = qs.prefetch_related("events")
        return qs

    def get_serializer_class(self):
        if self.action == "create":
            return DemandCreateSerializer
        return DemandListSerializer if self.action == "list" else DemandSerializer

    @extend_schema(responses=inline_serializer("DemandCounts", fields={
        "status": serializers.DictField(child=serializers.IntegerField(), help_text="status → demands"),
        "category": serializers.DictField(child=serializers.IntegerField(),
                                          help_text="category code (\"\" for none) → demands")}))
    @action(detail=False, methods=["get"])
    def counts(self, request):
        """Counts by status and category for the current filter (the dispatch board's header)."""
        qs = self.filter_queryset(self.get_queryset()).order_by()
        codes = dict(Category.objects.values_list("pk", "code"))
        by_status: dict[str, int] = {}
        by_category: dict[str, int] = {}

        def add(counts: dict[str, int], key: str, n: int) -> None:
            counts[key] = counts.get(key, 0) + n

        # By the demand's own columns, named afterwards (a join on the category table visited every row), in one
        # query grouped by (status, category): the (street | district, status, category) indexes give a scope's
        # rows in that order, and the (status, category) index the whole city's.
        for status, category_id, n in qs.values_list("status", "category_id").annotate(n=Count("*")):
            add(by_status, status, n)
            add(by_category, codes.get(category_id, ""), n)
        return Response({"status": by_status, "category": by_category})

    @extend_schema(request=DemandCreateSerializer, responses=DemandSerializer)
    def create(self, request):
        data = DemandCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        place = Place.objects.filter(pk=values.pop("place"), kind__in=DEMAND_PLACE_KINDS).first()
        if place is None:
            raise ValidationError({"place": ["地点不存在或不是楼宇/园区。"]})
        enterprise_id = values.pop("requester_enterprise", None)
        enterprise = None
        if enterprise_id:
            enterprise = Enterprise.objects.restrict(request.user).filter(pk=enterprise_id).first()
            if enterprise is None:
                raise ValidationError({"requester_enterprise": ["企业不存在或不在您的管辖范围内。"]})
        if not can_write(request.user, Demand):
            values.update(source=DemandSource.API, category=None)
        try:
            demand = workflow.submit(user=request.user, place=place, requester_enterprise=enterprise, **values)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(DemandSerializer(demand).data, status=201)

    @extend_schema(request=DemandActionSerializer, responses=DemandSerializer, operation_id="demands_transition")
    @action(detail=True, methods=["post"],
            url_path=r"(?P<verb>accept|assign|resolve|close|reject|reopen|merge|rate|forward|sign|return|callback)")
    def transition(self, request, pk=None, verb=None):
        demand = self.get_object()
        data = DemandActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user, note = request.user, values.get("note", "")
        # A department's users act on the demands handed to their department (签收, 退单, 办结 once signed); the rest
        # of the workflow is the street's.
        by_department = verb in workflow.department_actions(demand, user)
        if verb in ("sign", "return") and not by_department and not user.is_superuser:
            return Response({"detail": "只有承办部门的工作人员可以签收或退单。"}, status=403)
        if verb != "rate" and not by_department and not can_write(user, Demand):
            return Response({"detail": "您的角色不能办理需求。"}, status=403)
        try:
            if verb == "accept":
                workflow.accept(demand, user=user, category=values.get("category"), note=note)
            elif verb == "assign":
                assignee = None
                if values.get("assignee_user"):
                    assignee = workflow.assignable_users(demand).filter(pk=values["assignee_user"]).first()
                    if assignee is None:
                        raise ValidationError({"assignee_user": ["该用户不能承办此需求。"]})
                enterprise = Enterprise.objects.restrict(user).filter(pk=values.get("enterprise") or 0).first()
                workflow.assign(demand, user=user, assignee_user=assignee, department=values.get("department", ""),
                                enterprise=enterprise, note=note)
            elif verb == "merge":
                target = self.get_queryset().filter(pk=values.get("duplicate_of") or 0).first()
                if target is None:
                    raise ValidationError({"duplicate_of": ["请指定要合并到的需求。"]})
                workflow.merge(demand, into=target, user=user, note=note)
            elif verb == "sign":
                workflow.sign(demand, user=user, note=note)
            elif verb == "return":
                workflow.return_to_street(demand, user=user, reason=values.get("reason", ""))
            elif verb == "callback":
                if "result" not in values:
                    raise ValidationError({"result": ["请选择回访结果(满意、基本满意或不满意)。"]})
                workflow.call_back(demand, user=user, result=values["result"], note=note)
            elif verb == "rate":
                if "rating" not in values:
                    raise ValidationError({"rating": ["请给出 1 至 5 的评价。"]})
                workflow.rate(demand, rating=values["rating"], comment=values.get("comment", ""), user=user)
            else:  # resolve, close, reject, reopen, forward (有事找楼长: the head passes it to the street)
                getattr(workflow, verb)(demand, user=user, note=note)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        demand.refresh_from_db()
        return Response(DemandSerializer(demand).data)


class VisitViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet
    permission_classes = [ScopedWritePermission]
    base_queryset = Visit.objects.all()

    def get_queryset(self):
        return Visit.objects.restrict(self.request.user).select_related("enterprise")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        enterprise = data.pop("enterprise")
        if not Enterprise.objects.restrict(self.request.user).filter(pk=enterprise.pk).exists():
            raise ValidationError({"enterprise": ["企业不存在或不在您的管辖范围内。"]})
        try:
            serializer.instance = visits.record_visit(enterprise=enterprise, worker=self.request.user, **data)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc


class ServiceViewSet(ScopedModelViewSet):
    serializer_class = ServiceSerializer
    base_queryset = Service.objects.select_related("category")
    filterset_fields = ["station", "active"]


class NotificationViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = NotificationSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["read"]

    queryset = Notification.objects.none()  # for the schema; requests use the user's own

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        return self.request.user.notifications.all()

