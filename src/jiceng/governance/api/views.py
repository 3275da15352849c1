"""Governance API: `/api/councils/`, `/api/council-members/`, `/api/head-selections/` (nominate, advance, object,
resolve, withdraw), `/api/officer-assignments/` (with `workload/`, `gaps/` and Excel `import/`),
`/api/council-meetings/` (with decisions: done, convert) and `/api/alliances/`. Every queryset goes through
`restrict(user)`, so what is out of scope is 404; the rules are the services'."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from jiceng.accounts.permissions import can_write
from jiceng.core.api import ScopedModelViewSet
from jiceng.core.drf import as_drf_error
from jiceng.core.schema import NOT_FOUND
from jiceng.enterprises.models import Enterprise
from jiceng.places.models import Place

from .. import services
from ..models import (
    Alliance,
    Council,
    CouncilMeeting,
    CouncilMember,
    Decision,
    HeadSelection,
    Objection,
    OfficerAssignment,
)
from .serializers import (
    AllianceSerializer,
    ConvertSerializer,
    CouncilMeetingInputSerializer,
    CouncilMeetingSerializer,
    CouncilMemberSerializer,
    CouncilSerializer,
    DecisionInputSerializer,
    DecisionSerializer,
    DoneSerializer,
    HeadSelectionSerializer,
    NominateSerializer,
    ObjectionInputSerializer,
    OfficerAssignmentSerializer,
    ResolveSerializer,
    WithdrawSerializer,
)


def _call(fn):
    try:
        return fn()
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class CouncilViewSet(ScopedModelViewSet):
    base_queryset = Council.objects.select_related("place", "head").prefetch_related(
        "members__seat", "members__council")
    serializer_class = CouncilSerializer
    filterset_fields = ["place", "alliance"]

    def get_queryset(self):
        return super().get_queryset().order_by("name", "pk")

    def perform_create(self, serializer):
        with transaction.atomic():
            council = _call(lambda: services.create_council(by=self.request.user, **serializer.validated_data))
            serializer.instance = council
            if not self.get_queryset().filter(pk=council.pk).exists():
                raise ValidationError({"place": [_("保存后的对象不在您的管辖范围内。")]})


class CouncilMemberViewSet(ScopedModelViewSet):
    base_queryset = CouncilMember.objects.select_related("seat", "council")
    serializer_class = CouncilMemberSerializer
    filterset_fields = ["council", "seat"]

    def get_queryset(self):
        return super().get_queryset().order_by("council", "seat__order", "name", "pk")


class HeadSelectionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """一推三公示. POST creates the nomination (推) and publishes the first notice; the actions move it on."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = HeadSelectionSerializer
    queryset = HeadSelection.objects.none()  # for the schema; requests use the scoped one
    filterset_fields = ["council", "status"]

    def get_queryset(self):
        return (HeadSelection.objects.restrict(self.request.user)
                .select_related("council", "nominee").prefetch_related("notices__objections")
                .order_by("-nominated_on", "-pk"))

    def _manage(self, council: Council) -> None:
        if not services.can_manage_council(self.request.user, council):
            raise PermissionDenied(_("只有管理该楼事会的街道、楼宇工作人员可以办理楼长推选。"))

    def _answer(self, selection, code=status.HTTP_200_OK) -> Response:
        return Response(HeadSelectionSerializer(self.get_queryset().get(pk=selection.pk)).data, status=code)

    @extend_schema(request=NominateSerializer, responses={201: HeadSelectionSerializer})
    def create(self, request, *args, **kwargs):
        data = NominateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        council = Council.objects.restrict(request.user).filter(pk=values["council"]).first()
        if council is None:
            raise ValidationError({"council": [_("未找到该楼事会(或不在您的管辖范围内)。")]})
        self._manage(council)
        nominee = council.members.filter(pk=values["nominee"]).select_related("user").first()
        if nominee is None:
            raise ValidationError({"nominee": [_("被推荐人须是本楼事会的成员。")]})
        selection = _call(lambda: services.nominate(council, nominee, by=request.user,
                                                    notice_days=values.get("notice_days"),
                                                    note=values["nomination_note"]))
        return self._answer(selection, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=HeadSelectionSerializer)
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        """Close the current notice when its period is over (no pending objection) and publish the next one; after
        the result notice, appoint the head."""
        selection = self.get_object()
        self._manage(selection.council)
        return self._answer(_call(lambda: services.advance(selection, by=request.user)))

    @extend_schema(request=ObjectionInputSerializer, responses={201: HeadSelectionSerializer})
    @action(detail=True, methods=["post"])
    def objections(self, request, pk=None):
        """Record an objection during the current notice period: the selection pauses."""
        selection = self.get_object()
        self._manage(selection.council)
        data = ObjectionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _call(lambda: services.raise_objection(selection, by=request.user, **data.validated_data))
        return self._answer(selection, status.HTTP_201_CREATED)

    @extend_schema(request=ResolveSerializer, responses=HeadSelectionSerializer)
    @action(detail=True, methods=["post"], url_path="resolve-objection")
    def resolve_objection(self, request, pk=None):
        """Upheld: the selection ends. Dismissed (with the reason): it continues."""
        selection = self.get_object()
        self._manage(selection.council)
        data = ResolveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        objection = Objection.objects.filter(pk=values["objection"], notice__selection=selection).first()
        if objection is None:
            raise ValidationError({"objection": [_("该推选没有此异议。")]})
        _call(lambda: services.resolve_objection(objection, outcome=values["outcome"],
                                                 reason=values["resolution"], by=request.user))
        return self._answer(selection)

    @extend_schema(request=WithdrawSerializer, responses=HeadSelectionSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        selection = self.get_object()
        self._manage(selection.council)
        data = WithdrawSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(_call(lambda: services.withdraw(selection, reason=data.validated_data["reason"],
                                                            by=request.user)))


WORKLOAD = inline_serializer("OfficerWorkload", {
    "person": serializers.IntegerField(), "name": serializers.CharField(), "total": serializers.IntegerField(),
    "party_instructor": serializers.IntegerField(), "economic": serializers.IntegerField(),
    "safety": serializers.IntegerField(), "market_supervision": serializers.IntegerField(),
    "buildings": serializers.ListField(child=serializers.CharField()),
}, many=True)
GAPS = inline_serializer("OfficerGap", {
    "enterprise": serializers.IntegerField(), "name": serializers.CharField(),
    "missing": serializers.ListField(child=serializers.CharField()),
}, many=True)


class OfficerAssignmentViewSet(ScopedModelViewSet):
    """四大员包干: one officer of each kind per enterprise."""

    base_queryset = OfficerAssignment.objects.select_related("enterprise__place", "person")
    serializer_class = OfficerAssignmentSerializer
    filterset_fields = ["kind", "enterprise", "person"]

    def get_queryset(self):
        return super().get_queryset().order_by("enterprise__name", "kind", "pk")

    def _check_enterprise(self, serializer):
        enterprise = serializer.validated_data.get("enterprise")
        if enterprise is not None and not Enterprise.objects.restrict(self.request.user).filter(
                pk=enterprise.pk).exists():
            raise ValidationError({"enterprise": [_("未找到该企业(或不在您的管辖范围内)。")]})

    def perform_create(self, serializer):
        self._check_enterprise(serializer)
        super().perform_create(serializer)

    def perform_update(self, serializer):
        self._check_enterprise(serializer)
        super().perform_update(serializer)

    @extend_schema(responses=WORKLOAD)
    @action(detail=False, methods=["get"], pagination_class=None)
    def workload(self, request):
        """Per officer: enterprises of each kind and the buildings they are in."""
        rows = services.workloads(self.filter_queryset(self.get_queryset()))
        return Response([{"person": w.person.pk if w.person else None, "name": w.name, "total": w.total,
                          **{kind: w.count(kind) for kind in ("party_instructor", "economic", "safety",
                                                              "market_supervision")},
                          "buildings": sorted(w.buildings)} for w in rows])

    @extend_schema(parameters=[OpenApiParameter("place", int, description="地域 id(默认:您的管辖范围)")],
                   responses={200: GAPS, 404: NOT_FOUND})
    @action(detail=False, methods=["get"], pagination_class=None)
    def gaps(self, request):
        """Enterprises (in buildings with a council) without one of the four officers."""
        place = _report_place(request)
        return Response([{"enterprise": e.pk, "name": e.name, "missing": missing}
                         for e, missing in services.officer_gaps(place, limit=500)] if place else [])


def _report_place(request) -> Place | None:
    from jiceng.organizations.views import report_places

    places = report_places(request.user)
    wanted = request.query_params.get("place", "")
    if wanted.isdigit():
        return get_object_or_404(places, pk=int(wanted))
    return places.order_by("depth", "pk").first()


class CouncilMeetingViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Meetings with agenda, attendance, minutes and decisions, recorded in one transaction."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = CouncilMeetingSerializer
    queryset = CouncilMeeting.objects.none()
    filterset_fields = ["council"]

    def get_queryset(self):
        return (CouncilMeeting.objects.restrict(self.request.user).select_related("council")
                .prefetch_related("agenda_items", "attendees", "decisions__owner").order_by("-held_at", "-pk"))

    def _council(self, pk) -> Council:
        council = Council.objects.restrict(self.request.user).filter(pk=pk).first()
        if council is None:
            raise ValidationError({"council": [_("未找到该楼事会(或不在您的管辖范围内)。")]})
        if not services.can_run_meetings(self.request.user, council):
            raise PermissionDenied(_("您的角色不能登记楼事会会议。"))
        return council

    @extend_schema(request=CouncilMeetingInputSerializer, responses={201: CouncilMeetingSerializer})
    def create(self, request, *args, **kwargs):
        data = CouncilMeetingInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        council = self._council(values["council"])
        members = {m.pk: m for m in council.members.all()}
        if any(pk not in members for pk in values["attendees"]):
            raise ValidationError({"attendees": [_("出席成员须是本楼事会的成员。")]})
        decisions = []
        for index, item in enumerate(values["decisions"]):
            owner = members.get(item["owner"])
            if owner is None:
                raise ValidationError({"decisions": {index: {"owner": [_("责任人须是本楼事会的成员。")]}}})
            decisions.append(services.DecisionInput(item["text"], owner, item["due_in_working_days"]))
        meeting = _call(lambda: services.record_meeting(
            council, title=values["title"], held_at=values["held_at"], location=values["location"],
            agenda=values["agenda"], attendees=[members[pk] for pk in values["attendees"]], guests=values["guests"],
            minutes=values["minutes"], decisions=decisions, by=request.user))
        return Response(CouncilMeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data,
                        status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionInputSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk=None):
        """Add a decision (owner and due date in working days required)."""
        meeting = self.get_object()
        self._council(meeting.council_id)
        data = DecisionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        owner = meeting.council.members.filter(pk=values["owner"]).first()
        if owner is None:
            raise ValidationError({"owner": [_("责任人须是本楼事会的成员。")]})
        decision = _call(lambda: services.add_decision(meeting, services.DecisionInput(
            values["text"], owner, values["due_in_working_days"])))
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Decisions tracked to done; one becomes a demand, a need or a project in one step."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = DecisionSerializer
    queryset = Decision.objects.none()
    filterset_fields = ["status", "owner", "meeting"]

    def get_queryset(self):
        return Decision.objects.restrict(self.request.user).select_related("owner", "meeting").order_by(
            "due_date", "pk")

    def _runnable(self, decision: Decision) -> None:
        if not services.can_run_meetings(self.request.user, decision.meeting.council):
            raise PermissionDenied(_("您的角色不能办理楼事会决议。"))

    @extend_schema(request=DoneSerializer, responses=DecisionSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        decision = self.get_object()
        self._runnable(decision)
        data = DoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        decision = _call(lambda: services.complete_decision(decision, outcome=data.validated_data["outcome"],
                                                            by=request.user))
        return Response(DecisionSerializer(decision).data)

    @extend_schema(request=ConvertSerializer, responses={201: DecisionSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        decision = self.get_object()
        self._runnable(decision)
        data = ConvertSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        _call(lambda: convert(decision, request.user, **values))
        return Response(DecisionSerializer(Decision.objects.get(pk=decision.pk)).data, status=status.HTTP_201_CREATED)


def convert(decision: Decision, user, *, to: str, category: str = "other", quantity: int = 1, unit=None):
    """One step from a decision to a demand, a list need or a project (shared by the page and the API)."""
    from jiceng.matching.models import Category, MemberUnit
    from jiceng.matching.services import can_manage, may_post_needs

    if to == "demand":
        if not can_write(user, Decision):
            raise PermissionDenied
        return services.decision_to_demand(decision, by=user)
    if category not in Category.values:
        raise DjangoValidationError({"category": _("未知的清单类别:%(c)s") % {"c": category}})
    conference = services.ensure_conference(decision.meeting.council)
    if not (can_manage(user, conference) or may_post_needs(user)):
        raise PermissionDenied(_("您不能在该楼宇清单登记需求。"))
    if to == "need":
        return services.decision_to_need(decision, by=user, category=category, quantity=quantity)
    member_unit = MemberUnit.objects.filter(pk=unit or 0, conference=conference).first()
    if member_unit is None:
        raise DjangoValidationError({"unit": _("请选择本楼宇清单中承接项目的成员单位。")})
    return services.decision_to_project(decision, unit=member_unit, by=user, category=category, quantity=quantity)


class AllianceViewSet(ScopedModelViewSet):
    base_queryset = Alliance.objects.prefetch_related("councils")
    serializer_class = AllianceSerializer

    def get_queryset(self):
        return super().get_queryset().order_by("name", "pk")
