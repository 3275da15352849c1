from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from jiceng.accounts.models import AuditEvent
from jiceng.accounts.permissions import can_reveal_personal_data
from jiceng.core import audit
from jiceng.core.api import ScopedModelViewSet

from ..filters import MemberFilterSet
from ..models import Member
from .serializers import MemberSerializer


class MemberViewSet(ScopedModelViewSet):
    base_queryset = Member.objects.all()
    serializer_class = MemberSerializer
    filterset_class = MemberFilterSet
    ordering_fields = ["name", "join_date"]

    @extend_schema(request=None, responses=inline_serializer(
        "MemberReveal", {"id_number": serializers.CharField(), "phone": serializers.CharField()}))
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        member = self.get_object()
        if not can_reveal_personal_data(request.user):
            raise PermissionDenied("您的角色无权查看完整个人信息。")
        audit.record(request, AuditEvent.Action.REVEAL, member, detail="id_number,phone")
        return Response({"id_number": member.id_number, "phone": member.phone})
