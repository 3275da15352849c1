from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from jiceng.core.api import ScopedModelViewSet
from jiceng.core.drf import as_drf_error
from jiceng.organizations.models import Coverage

from .. import updates
from ..filters import EnterpriseFilterSet
from ..models import Enterprise, EnterpriseUpdate
from .serializers import (
    EnterpriseSerializer,
    EnterpriseUpdateRequestSerializer,
    EnterpriseUpdateSerializer,
    ReviewSerializer,
)


class EnterpriseViewSet(ScopedModelViewSet):
    base_queryset = Enterprise.objects.prefetch_related(
        Prefetch("coverages", queryset=Coverage.objects.only("id", "enterprise_id", "organization_id"),
                 to_attr="coverage_list"))
    serializer_class = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    ordering_fields = ["name", "employees", "lease_end"]


class EnterpriseUpdateViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Updates proposed by enterprise contacts: a contact creates them for their own enterprise; reviewers
    (building workers, street and district staff in scope) `approve` or `reject` (with a `reason`)."""

    serializer_class = EnterpriseUpdateSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["enterprise", "status"]

    def get_queryset(self):
        return EnterpriseUpdate.objects.restrict(self.request.user).order_by("-created", "-pk")

    @extend_schema(request=EnterpriseUpdateRequestSerializer, responses={201: EnterpriseUpdateSerializer})
    def create(self, request, *args, **kwargs):
        data = EnterpriseUpdateRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        enterprise = updates.own_enterprises(request.user).filter(pk=values.pop("enterprise")).first()
        if enterprise is None:  # not their own: refused the same whether it exists or not
            raise PermissionDenied(_("只有本单位的联系人可以提交本单位信息的更新。"))
        try:
            update = updates.propose(request.user, enterprise, **values)
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(EnterpriseUpdateSerializer(update).data, status=201)

    @extend_schema(request=ReviewSerializer, responses=EnterpriseUpdateSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._review(approve=True)

    @extend_schema(request=ReviewSerializer, responses=EnterpriseUpdateSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._review(approve=False)

    def _review(self, *, approve: bool):
        update = self.get_object()
        data = ReviewSerializer(data=self.request.data)
        data.is_valid(raise_exception=True)
        try:
            update = updates.review(update, self.request.user, approve=approve,
                                    reason=data.validated_data.get("reason", ""))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(EnterpriseUpdateSerializer(update).data)
