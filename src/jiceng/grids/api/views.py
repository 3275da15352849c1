"""Grids API: `/api/grids/` (with `import/`, `generate/`, `{id}/members/`, `{id}/remove-member/`),
`/api/household-contacts/` (with `{id}/log/` and `coverage/`), `/api/household-contact-logs/` (with
`{id}/demand/`), `/api/renovation-projects/` (with `{id}/branch/`, `{id}/join/`, `{id}/end/`),
`/api/consultation-rounds/` and `/api/mediation-cases/`. Every queryset goes through `restrict(user)` (out of
scope is 404); writes need an editing role; the rules are the services'."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from jiceng.accounts.permissions import ScopedWritePermission, can_write
from jiceng.core.api import ScopedModelViewSet
from jiceng.core.drf import as_drf_error
from jiceng.members.models import Member
from jiceng.organizations.models import Organization
from jiceng.places.models import Place

from .. import services
from ..models import (
    ConsultationRound,
    ContactLog,
    Grid,
    GridMember,
    GridSettings,
    HouseholdContact,
    MediationCase,
    RenovationProject,
)
from .serializers import (
    AssignSerializer,
    BranchSetUpSerializer,
    ConsultationRoundSerializer,
    ContactLogSerializer,
    EndSerializer,
    GenerateSerializer,
    GridSerializer,
    HouseholdContactSerializer,
    ImportSerializer,
    JoinSerializer,
    LogInputSerializer,
    MediationCaseSerializer,
    RemoveMemberSerializer,
    RenovationProjectSerializer,
)


def _call(fn):
    try:
        return fn()
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


def _must_write(user, model) -> None:
    if not can_write(user, model):
        raise PermissionDenied(_("您的角色不能修改这些数据。"))


def _scoped(model, user, pk, field: str):
    obj = model.objects.restrict(user).filter(pk=pk).first() if pk is not None else None
    if obj is None:
        raise ValidationError({field: [_("未找到(或不在您的管辖范围内)。")]})
    return obj


class GridViewSet(ScopedModelViewSet):
    base_queryset = Grid.objects.select_related("place").prefetch_related("assignments__member")
    serializer_class = GridSerializer
    filterset_fields = ["place", "street", "branch", "source"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return super().get_queryset().order_by("street", "name", "pk")

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "rules": GridSettings.current()}

    @extend_schema(request=ImportSerializer, responses={201: GridSerializer(many=True)})
    @action(detail=False, methods=["post"], url_path="import")
    def import_geojson(self, request):
        """Every feature of a GeoJSON file becomes a grid, all or nothing."""
        _must_write(request.user, Grid)
        data = ImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        place = _scoped(Place, request.user, data.validated_data["place"], "place")
        upload = data.validated_data.get("file")
        raw = upload.read(services.MAX_IMPORT_BYTES + 1) if upload else data.validated_data.get("geojson")
        if raw is None:
            raise ValidationError({"file": [_("请上传 GeoJSON 文件或提交 geojson。")]})
        with transaction.atomic():
            grids = _call(lambda: services.import_grids(place, raw))
            self._still_in_scope(grids)
        return Response(self.get_serializer(grids, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=GenerateSerializer, responses={201: GridSerializer(many=True)})
    @action(detail=False, methods=["post"])
    def generate(self, request):
        """Cells of about 1 km² over a street's boundary."""
        _must_write(request.user, Grid)
        data = GenerateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        street = _scoped(Place, request.user, data.validated_data["street"], "street")
        with transaction.atomic():
            grids = _call(lambda: services.generate_cells(street, side_m=data.validated_data.get("side_m")))
            self._still_in_scope(grids)
        return Response(self.get_serializer(grids, many=True).data, status=status.HTTP_201_CREATED)

    def _still_in_scope(self, grids) -> None:
        ids = {g.pk for g in grids}
        if len(ids) != self.get_queryset().filter(pk__in=ids).count():
            raise ValidationError({"place": [_("保存后的对象不在您的管辖范围内。")]})

    @extend_schema(request=AssignSerializer, responses={200: GridSerializer})
    @action(detail=True, methods=["post"])
    def members(self, request, pk=None):
        """Assign a member to the grid by residence or workplace."""
        grid = self.get_object()
        _must_write(request.user, Grid)
        data = AssignSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        _call(lambda: services.assign_member(grid, data.validated_data["member"], basis=data.validated_data["basis"],
                                             since=data.validated_data.get("since")))
        return Response(self.get_serializer(self.get_queryset().get(pk=grid.pk)).data)

    @extend_schema(request=RemoveMemberSerializer, responses={200: GridSerializer})
    @action(detail=True, methods=["post"], url_path="remove-member")
    def remove_member(self, request, pk=None):
        grid = self.get_object()
        _must_write(request.user, Grid)
        data = RemoveMemberSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = GridMember.objects.filter(grid=grid, member_id=data.validated_data["member"]).first()
        if assignment is None:
            raise ValidationError({"member": [_("该党员不在本网格。")]})
        services.remove_member(assignment)
        return Response(self.get_serializer(self.get_queryset().get(pk=grid.pk)).data)


COVERAGE_PARAMS = [
    OpenApiParameter("by", str, enum=["member", "grid", "street"], description="member / grid / street"),
    OpenApiParameter("from", dt.date, description="开始日期(默认本月 1 日)"),
    OpenApiParameter("to", dt.date, description="结束日期(默认今天)"),
]
COVERAGE_ROWS = inline_serializer("HouseholdCoverageRow", many=True, fields={
    "id": serializers.IntegerField(allow_null=True), "name": serializers.CharField(),
    "households": serializers.IntegerField(), "contacted": serializers.IntegerField(),
    "rate": serializers.FloatField(), "target": serializers.IntegerField(allow_null=True)})


def coverage_period(params) -> tuple[dt.date, dt.date]:
    """`from`/`to` of a coverage request (this month so far by default); a bad date names its parameter."""
    today = timezone.localdate()
    dates = {}
    for name, default in (("from", today.replace(day=1)), ("to", today)):
        raw = params.get(name)
        try:
            value = parse_date(raw) if raw else default
        except ValueError:
            value = None
        if value is None:
            raise DjangoValidationError({name: _("日期格式应为 YYYY-MM-DD。")})
        dates[name] = value
    return dates["from"], dates["to"]


class HouseholdContactViewSet(ScopedModelViewSet):
    base_queryset = HouseholdContact.objects.select_related("member")
    serializer_class = HouseholdContactSerializer
    filterset_fields = ["member", "grid", "kind", "street", "place"]

    def get_queryset(self):
        return super().get_queryset().order_by("member__name", "name", "pk")

    @extend_schema(request=LogInputSerializer, responses={201: ContactLogSerializer})
    @action(detail=True, methods=["post"])
    def log(self, request, pk=None):
        """Log one contact with the household; `to_demand` turns what was raised into a demand at once."""
        household = self.get_object()
        _must_write(request.user, ContactLog)
        data = LogInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        log = _call(lambda: services.log_contact(household, by=request.user, **data.validated_data))
        return Response(ContactLogSerializer(log).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=COVERAGE_PARAMS, responses={200: COVERAGE_ROWS})
    @action(detail=False, methods=["get"], pagination_class=None, filter_backends=[])
    def coverage(self, request):
        """Households held and contacted in the period, per member, grid or street."""
        start, end = _call(lambda: coverage_period(request.query_params))
        rows = _call(lambda: services.coverage(self.get_queryset(), start=start, end=end,
                                               by=request.query_params.get("by", "member")))
        return Response([row.as_dict() for row in rows])


class ContactLogViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    permission_classes = [ScopedWritePermission]
    base_queryset = ContactLog.objects.all()
    serializer_class = ContactLogSerializer
    filterset_fields = ["household", "member", "way"]

    def get_queryset(self):
        return ContactLog.objects.restrict(self.request.user).select_related("household").order_by("-date", "-pk")

    def perform_create(self, serializer):
        values = serializer.validated_data
        serializer.instance = _call(lambda: services.log_contact(
            values["household"], date=values["date"], way=values["way"], raised=values.get("raised", ""),
            by=self.request.user, to_demand=values.get("to_demand", False)))

    @extend_schema(request=None, responses={201: ContactLogSerializer})
    @action(detail=True, methods=["post"])
    def demand(self, request, pk=None):
        """Turn the matter raised in this contact into a demand."""
        log = self.get_object()
        _must_write(request.user, ContactLog)
        _call(lambda: services.raise_demand(log, by=request.user))
        log.refresh_from_db()
        return Response(ContactLogSerializer(log).data, status=status.HTTP_201_CREATED)


class RenovationProjectViewSet(ScopedModelViewSet):
    base_queryset = RenovationProject.objects.select_related("place").prefetch_related(
        "rounds", "branch_members__member__organization")
    serializer_class = RenovationProjectSerializer
    filterset_fields = ["place", "street", "status"]

    def get_queryset(self):
        return super().get_queryset().order_by("-started", "pk")

    def _answer(self, project, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=project.pk)).data, status=code)

    @extend_schema(request=BranchSetUpSerializer, responses={201: RenovationProjectSerializer})
    @action(detail=True, methods=["post"])
    def branch(self, request, pk=None):
        """Set up the project's temporary branch; the members named join it and keep their home branch."""
        project = self.get_object()
        _must_write(request.user, RenovationProject)
        data = BranchSetUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        members = [_scoped(Member, request.user, pk, "members") for pk in values["members"]]
        parent = _scoped(Organization, request.user, values["parent"], "parent") if values.get("parent") else None
        secretary = _scoped(Member, request.user, values["secretary"], "secretary") if values.get("secretary") \
            else None
        _call(lambda: services.set_up_branch(project, name=values["name"], parent=parent, members=members,
                                             on=values.get("date"), secretary=secretary))
        return self._answer(project, status.HTTP_201_CREATED)

    @extend_schema(request=JoinSerializer, responses={200: RenovationProjectSerializer})
    @action(detail=True, methods=["post"])
    def join(self, request, pk=None):
        project = self.get_object()
        _must_write(request.user, RenovationProject)
        data = JoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        member = _scoped(Member, request.user, data.validated_data["member"], "member")
        _call(lambda: services.join_branch(project, member, on=data.validated_data.get("date")))
        return self._answer(project)

    @extend_schema(request=EndSerializer, responses={200: RenovationProjectSerializer})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        """End the project: memberships end and the temporary branch is dissolved."""
        project = self.get_object()
        _must_write(request.user, RenovationProject)
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        _call(lambda: services.end_project(project, on=data.validated_data.get("date")))
        return self._answer(project)


class ConsultationRoundViewSet(ScopedModelViewSet):
    base_queryset = ConsultationRound.objects.select_related("project")
    serializer_class = ConsultationRoundSerializer
    filterset_fields = ["project"]

    def get_queryset(self):
        return super().get_queryset().order_by("project", "number")


class MediationCaseViewSet(ScopedModelViewSet):
    base_queryset = MediationCase.objects.select_related("project")
    serializer_class = MediationCaseSerializer
    filterset_fields = ["project", "outcome"]

    def get_queryset(self):
        return super().get_queryset().order_by("project", "-opened_on", "pk")
