"""Three-lists API: conferences (read), needs and resources (scoped list/create, suggestions, claim, close),
projects (scoped list, lifecycle transitions), statistics. Writes go through `services`, which check who acts
for which unit; a service error is a 400 naming the field, a refusal a 403, out of scope a 404."""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, permissions, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.drf import as_drf_error

from .. import services
from ..filters import NeedFilterSet, ProjectFilterSet, ResourceFilterSet
from ..models import JointConference, MemberUnit, Need, Project, Resource
from ..stats import list_statistics
from .serializers import (
    ClaimNeedSerializer,
    ClaimResourceSerializer,
    ConferenceSerializer,
    ListStatisticsSerializer,
    NeedSerializer,
    ProjectSerializer,
    ResourceSerializer,
    SuggestionSerializer,
    TransitionSerializer,
)


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except DjangoValidationError as exc:
        raise as_drf_error(exc) from exc


class _Scoped:
    permission_classes = [permissions.IsAuthenticated]
    model = None

    def get_queryset(self):
        return self.model.objects.restrict(self.request.user)

    def _scoped(self, model, pk):
        try:
            return model.objects.restrict(self.request.user).get(pk=pk)
        except (model.DoesNotExist, ValueError, TypeError) as exc:
            raise Http404 from exc


class ConferenceViewSet(_Scoped, viewsets.ReadOnlyModelViewSet):
    model = JointConference
    serializer_class = ConferenceSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_related("units", JointConference.open_terms_prefetch())


class _ItemViewSet(_Scoped, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                   viewsets.GenericViewSet):
    save = None

    def perform_create(self, serializer):
        instance = self.model(**serializer.validated_data)
        serializer.instance = _call(type(self).save, instance, by=self.request.user)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        item = self.get_object()
        services.close_item(item, by=request.user)
        return Response(self.get_serializer(item).data)


class NeedViewSet(_ItemViewSet):
    model = Need
    serializer_class = NeedSerializer
    filterset_class = NeedFilterSet
    save = staticmethod(services.save_need)

    def get_queryset(self):
        return super().get_queryset().select_related("conference")

    # The ranked list as a whole, unpaginated and unfiltered (the need list's filters are not this list's).
    @extend_schema(responses=SuggestionSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def suggestions(self, request, pk=None):
        need = self.get_object()
        return Response(SuggestionSerializer(services.suggest_resources(need), many=True).data)

    @extend_schema(request=ClaimNeedSerializer, responses={201: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        need = self.get_object()
        data = ClaimNeedSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = MemberUnit.objects.filter(pk=data.validated_data["unit"], conference=need.conference).first()
        if unit is None:
            raise as_drf_error(DjangoValidationError({"unit": "认领单位须是该联席会议的成员单位。"}))
        resource = None
        if data.validated_data.get("resource"):
            resource = Resource.objects.filter(pk=data.validated_data["resource"]).first()
            if resource is None:
                raise as_drf_error(DjangoValidationError({"resource": "资源不存在。"}))
        project = _call(services.claim_need, need, unit=unit, quantity=data.validated_data["quantity"],
                        by=request.user, resource=resource, note=data.validated_data.get("note", ""))
        return Response(ProjectSerializer(project).data, status=201)


class ResourceViewSet(_ItemViewSet):
    model = Resource
    serializer_class = ResourceSerializer
    filterset_class = ResourceFilterSet
    save = staticmethod(services.save_resource)

    def get_queryset(self):
        return super().get_queryset().select_related("conference", "unit")

    @extend_schema(request=ClaimResourceSerializer, responses={201: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        resource = self.get_object()
        data = ClaimResourceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if values.get("need"):
            need = self._scoped(Need, values["need"])
            project = _call(services.claim_resource, resource, need=need, quantity=values["quantity"],
                            by=request.user, note=values.get("note", ""))
        else:
            project = _call(services.claim_resource_with_new_need, resource, by=request.user,
                            quantity=values["quantity"], requester_name=values["requester_name"].strip(),
                            note=values.get("note", ""))
        return Response(ProjectSerializer(project).data, status=201)


class ProjectViewSet(_Scoped, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Projects: scoped list, transitions, and PATCH of the matrix tags (`cells`, `themes`) by the people of the
    project (either side, or the conference's managers; others 403)."""

    model = Project
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]  # no PUT: the tags are the only writable part

    def get_queryset(self):
        return super().get_queryset().select_related("need", "provider")

    def perform_update(self, serializer):
        data = serializer.validated_data
        serializer.instance = _call(services.tag_project, serializer.instance, by=self.request.user,
                                    cells=data.get("cells"), themes=data.get("themes"))

    @extend_schema(request=TransitionSerializer, responses=ProjectSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        project = self.get_object()
        data = TransitionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        project = _call(services.advance, project, values["action"], by=request.user, rating=values.get("rating"),
                        outcome=values.get("outcome", ""))
        return Response(ProjectSerializer(project).data)


class ListStatisticsAPIView(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[OpenApiParameter("year", OpenApiTypes.INT,
                                                description="2000–2100 (default: this year)")],
                   responses=ListStatisticsSerializer)
    def get(self, request):
        raw = request.query_params.get("year") or str(timezone.localdate().year)
        if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
            raise as_drf_error(DjangoValidationError({"year": "年份须在 2000–2100 之间。"}))
        stats = list_statistics(Project.objects.restrict(request.user), Need.objects.restrict(request.user), int(raw))
        return Response({**asdict(stats), "matched_share": stats.matched_share})
