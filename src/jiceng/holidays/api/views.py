"""GET /api/holidays/ — every year with its source; GET /api/holidays/{year}/ — the year's days (as
`jiceng holidays show YEAR --json` prints them). Read-only: changes go through the staff pages and the CLI."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from ..calendar import published_years, schedule_for
from ..services import overview


class ScheduleSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    source = serializers.ChoiceField(choices=["notice", "package", "provisional"])
    holidays = serializers.ListField(child=serializers.DateField())
    workdays = serializers.ListField(child=serializers.DateField())


class HolidayYearListAPIView(APIView):
    @extend_schema(responses=ScheduleSerializer(many=True), summary="Holiday schedules by year")
    def get(self, request):
        return Response([row["schedule"].as_json() for row in overview()])


class HolidayYearAPIView(APIView):
    @extend_schema(responses={200: ScheduleSerializer, 404: None}, summary="One year's holiday schedule")
    def get(self, request, year: int):
        if not 2000 <= year <= 2099:
            raise NotFound
        return Response(schedule_for(year, published=published_years([year])).as_json())
