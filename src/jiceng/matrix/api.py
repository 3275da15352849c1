"""`GET /api/reports/matrix/?year=YYYY[&place=ID]`: the report by matrix cell as JSON (jiceng.matrix.report)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.drf import as_drf_error
from jiceng.core.schema import NOT_FOUND

from .report import MAX_YEAR, MIN_YEAR, as_json, matrix_report, parse_year
from .tags import THEMES
from .views import visible_place


class LinksSerializer(serializers.Serializer):
    activities = serializers.CharField(help_text="the activity list filtered to this figure's activities")
    attendance = serializers.CharField(help_text="the same activities, whose attendance is counted")
    projects = serializers.CharField(help_text="the project list filtered to this figure's projects")


class FiguresSerializer(serializers.Serializer):
    activities = serializers.IntegerField()
    attendance = serializers.IntegerField(help_text="attendance records of those activities")
    projects = serializers.IntegerField()


class LinkedFiguresSerializer(FiguresSerializer):
    links = LinksSerializer()


class CodeLabelSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class PlaceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()


class CellSerializer(LinkedFiguresSerializer):
    cell = serializers.CharField(help_text="`<target>:<goal>`")
    target = serializers.CharField()
    goal = serializers.CharField()
    label = serializers.CharField()
    themes = serializers.DictField(child=LinkedFiguresSerializer(),
                                   help_text=f"the cell's figures per theme ({', '.join(THEMES)})")


class ThemeFiguresSerializer(LinkedFiguresSerializer):
    theme = serializers.CharField()
    label = serializers.CharField()


class MatrixReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    place = PlaceRefSerializer(allow_null=True)
    targets = CodeLabelSerializer(many=True)
    goals = CodeLabelSerializer(many=True)
    cells = CellSerializer(many=True, help_text="the nine cells, targets by rows, goals by columns")
    themes = ThemeFiguresSerializer(many=True, help_text="each 党建+ theme, tagged with a cell or not")
    total = LinkedFiguresSerializer(help_text="every activity and project of the year in scope, tagged or not")
    tagged = FiguresSerializer(help_text="rows holding at least one cell (each counted once)")
    untagged = FiguresSerializer(help_text="rows holding no cell")


class MatrixReportAPIView(APIView):
    """The 3×3 matrix (targets × goals) and the 党建+ themes for the viewer's scope and a year: activities (not
    cancelled), their attendance, projects claimed (not cancelled). `place` narrows to a place in the scope (one
    outside it: 404)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[
        OpenApiParameter("year", OpenApiTypes.INT, description=f"{MIN_YEAR}–{MAX_YEAR} (default: this year)"),
        OpenApiParameter("place", OpenApiTypes.INT, description="a district, street or area in the viewer's scope"),
    ], responses={200: MatrixReportSerializer, 404: NOT_FOUND})
    def get(self, request):
        try:
            year = parse_year(request.query_params.get("year"))
            place = visible_place(request.user, request.query_params.get("place"))
        except DjangoValidationError as exc:
            raise as_drf_error(exc) from exc
        return Response(as_json(matrix_report(request.user, year, place)))
