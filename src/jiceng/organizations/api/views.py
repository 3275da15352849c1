from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.api import ScopedModelViewSet
from jiceng.core.schema import NOT_FOUND

from ..coverage import coverage_report
from ..filters import OrganizationFilterSet
from ..models import CommitteeMember, Coverage, Organization
from ..views import default_report_place, report_places
from .serializers import (
    CommitteeMemberSerializer,
    CoverageReportSerializer,
    CoverageSerializer,
    OrganizationSerializer,
)


class OrganizationViewSet(ScopedModelViewSet):
    base_queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["name", "path", "term_end"]


class CoverageViewSet(ScopedModelViewSet):
    """Which organization covers which enterprise; scoped through the organization."""

    base_queryset = Coverage.objects.all()
    serializer_class = CoverageSerializer
    filterset_fields = ["organization", "enterprise"]

    def get_queryset(self):
        orgs = Organization.objects.restrict(self.request.user)
        return Coverage.objects.filter(organization__in=orgs).order_by("pk")


class CommitteeMemberViewSet(ScopedModelViewSet):
    base_queryset = CommitteeMember.objects.all()
    serializer_class = CommitteeMemberSerializer
    filterset_fields = ["organization", "member"]

    def get_queryset(self):
        orgs = Organization.objects.restrict(self.request.user)
        return CommitteeMember.objects.filter(organization__in=orgs).order_by("pk")


# Lists given for the report's own place only; the child rows carry the summary figures and overdue terms.
DETAIL_ONLY = ("must_cover_uncovered", "should_set_up", "no_committee", "terms_ending", "joint_too_many_units",
               "suggest_general_branch", "suggest_committee", "temporary_overdue", "officer_gaps", "officer_governed")


class CoverageReportAPIView(APIView):
    """Coverage and compliance figures for a place (default: the user's top place)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[OpenApiParameter("place", OpenApiTypes.INT, description="Place id (district to building)")],
        responses={200: CoverageReportSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        place_id = request.query_params.get("place")
        places = report_places(request.user)
        if place_id:
            if not place_id.isdigit():
                return Response({"place": ["应为整数地域 ID。"]}, status=400)
            place = places.filter(pk=place_id).first()
        else:
            place = default_report_place(request.user)
        if place is None:
            raise Http404
        report = coverage_report(place, children=True)
        data = report.as_dict()
        data["children"] = [
            {k: v for k, v in child.as_dict().items()
             if k not in DETAIL_ONLY}
            for child in report.children
        ]
        return Response(data)
