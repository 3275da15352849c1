"""`/api/reports/party-statistics/?year=YYYY[&quarter=Q][&place=ID]`: the party statistics tables as JSON."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _t
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.schema import NOT_FOUND
from jiceng.core.validators import place_id_param

from . import services
from .periods import parse_period


class PartyStatisticsPlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="district, street, park, commercial_building, community, market, village")


class ReportPeriodSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True, help_text="1–4, or null for the whole year")
    start = serializers.DateField()
    end = serializers.DateField(help_text="the last day, inclusive; member figures are as on this day")


class PartyStatisticsRowSerializer(serializers.Serializer):
    key = serializers.CharField(allow_blank=True, help_text="the stored value (\"\" where not filled in)")
    label = serializers.CharField()
    count = serializers.IntegerField()


class PartyStatisticsMembersSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text="members on the rolls at the period's end")
    full = serializers.IntegerField(help_text="正式党员")
    probationary = serializers.IntegerField(help_text="预备党员")


class PartyStatisticsDevelopmentSerializer(serializers.Serializer):
    developed = serializers.IntegerField(help_text="发展党员: admitted as probationary members in the period")
    made_full = serializers.IntegerField(help_text="预备党员转正 in the period")
    applicants = serializers.IntegerField(help_text="入党申请人 now")
    activists = serializers.IntegerField(help_text="入党积极分子 now")
    targets = serializers.IntegerField(help_text="发展对象 now")


class PartyStatisticsOrganizationsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    by_kind = PartyStatisticsRowSerializer(many=True)


class PartyStatisticsCoverageSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="enterprise or social_org")
    label = serializers.CharField()
    total = serializers.IntegerField()
    with_organization = serializers.IntegerField(help_text="covered by a party organization (组织覆盖)")
    work_covered = serializers.IntegerField(help_text="no organization, an instructor assigned (工作覆盖)")
    covered = serializers.IntegerField()
    coverage_rate = serializers.FloatField(allow_null=True, help_text="covered / total; null when total is 0")


class PartyStatisticsDuesSerializer(serializers.Serializer):
    collected = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="yuan, for the period's months")
    payments = serializers.IntegerField()
    members_paid = serializers.IntegerField()


class PartyStatisticsSerializer(serializers.Serializer):
    place = PartyStatisticsPlaceSerializer()
    period = ReportPeriodSerializer()
    members = PartyStatisticsMembersSerializer()
    by_gender = PartyStatisticsRowSerializer(many=True)
    by_age = PartyStatisticsRowSerializer(many=True, help_text="age on the period's last day")
    by_education = PartyStatisticsRowSerializer(many=True)
    by_occupation = PartyStatisticsRowSerializer(many=True)
    by_ethnicity = PartyStatisticsRowSerializer(many=True, help_text="民族, most members first")
    development = PartyStatisticsDevelopmentSerializer()
    organizations = PartyStatisticsOrganizationsSerializer()
    coverage = PartyStatisticsCoverageSerializer(many=True, help_text="两新组织 coverage by kind")
    dues = PartyStatisticsDuesSerializer()


class PartyStatisticsAPIView(APIView):
    """党内统计 for a district, street or park in the caller's scope, for a year or one quarter of it."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, description="YYYY (default: this year)"),
            OpenApiParameter("quarter", OpenApiTypes.INT, description="1–4 (default: the whole year)"),
            OpenApiParameter("place", OpenApiTypes.INT,
                             description="district, street or park id (default: the caller's widest place)"),
        ],
        responses={200: PartyStatisticsSerializer, 404: NOT_FOUND},
    )
    def get(self, request):
        errors: dict[str, list[str]] = {}
        try:
            period = parse_period(request.query_params)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        place = place_id = None
        try:
            place_id = place_id_param(request.query_params.get("place"))
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if place_id is not None:
            place = services.report_places(request.user).filter(pk=place_id).first()
            if place is None:
                # The same answer for a place that does not exist and one outside the scope (no leak).
                errors["place"] = [_t("没有这个区、街道或园区,或不在您的管辖范围内。")]
        if errors:
            return Response(errors, status=400)
        if place is None:
            place = services.default_place(request.user)
            if place is None:
                raise Http404(_t("您没有可查看报表的地域。"))
        report = services.party_statistics(place, period)
        return Response(PartyStatisticsSerializer(report.data).data)
