"""Pioneer index API (`/api/pioneer/…`): the leaderboard of a place or organization over a period, one member's
breakdown, the 创新先锋 selection, and the weights. Read-only; weights are edited in the admin.

Bad parameters answer 400 naming the field (`period`, `place`, `organization`, `top`, `threshold`); a place,
organization or member outside the caller's scope answers 404.
"""

from __future__ import annotations

from django.http import Http404
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from jiceng.core.drf import StandardPagination
from jiceng.core.filters import MAX_INT
from jiceng.core.schema import NOT_FOUND
from jiceng.core.views import get_scoped_or_404

from .. import pioneer
from ..models import Member


class ComponentSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2)
    points = serializers.DecimalField(max_digits=14, decimal_places=2)


class ScoreRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    member = serializers.IntegerField(source="member_id")
    name = serializers.CharField()
    organization = serializers.IntegerField(source="organization_id", allow_null=True)
    organization_name = serializers.CharField()
    components = ComponentSerializer(many=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class BreakdownSerializer(ScoreRowSerializer):
    rank = None
    organization_name = None


class PeriodSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.ChoiceField(choices=list(pioneer.PERIOD_KINDS))
    start = serializers.DateField()
    end = serializers.DateField(help_text="inclusive")
    label = serializers.CharField()


class TargetSerializer(serializers.Serializer):
    place = serializers.IntegerField(allow_null=True)
    organization = serializers.IntegerField(allow_null=True)
    label = serializers.CharField()


class LeaderboardSerializer(serializers.Serializer):
    """A page of the leaderboard (StandardPagination's keys) with the period and whose board it is."""

    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ScoreRowSerializer(many=True)
    period = PeriodSerializer()
    target = TargetSerializer()


class SelectionSerializer(serializers.Serializer):
    period = PeriodSerializer()
    target = TargetSerializer()
    top = serializers.IntegerField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)
    results = ScoreRowSerializer(many=True)


class MemberBreakdownSerializer(BreakdownSerializer):
    period = PeriodSerializer()


class WeightSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    points = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="points per unit")
    unit = serializers.CharField()


def rows_data(rows, *, breakdown: bool = False) -> list[dict]:
    """Rows as `ScoreRowSerializer` describes them, built directly (a serializer per field costs ~1 ms a row)."""
    labels = {code: str(pioneer.C(code).label) for code in pioneer.COMPONENTS}
    data = []
    for row in rows:
        item = {"member": row.member_id, "name": row.name, "organization": row.organization_id}
        if not breakdown:
            item = {"rank": row.rank, **item, "organization_name": row.organization_name}
        item["components"] = [{"code": c.code, "label": labels[c.code], "quantity": f"{c.quantity:.2f}",
                               "weight": f"{c.weight:.2f}", "points": f"{c.points:.2f}"} for c in row.components]
        item["total"] = f"{row.total:.2f}"
        data.append(item)
    return data


def _period_data(period: pioneer.Period) -> dict:
    return {"key": period.key, "kind": period.kind, "start": period.start, "end": period.end,
            "label": str(period.label)}


def _target_data(target: pioneer.Target) -> dict:
    return {"place": target.place.pk if target.place else None,
            "organization": target.organization.pk if target.organization else None, "label": target.label}


PERIOD = OpenApiParameter("period", OpenApiTypes.STR, description="2026-Q3, 2026-H1, 2026, or quarter/half/year "
                                                                  "for the current one (default: current quarter)")
TARGET = [OpenApiParameter("place", OpenApiTypes.INT, description="a district, street, area or building"),
          OpenApiParameter("organization", OpenApiTypes.INT, description="an organization (with its subtree)")]


class LeaderboardAPIView(APIView):
    """Members of a place or organization (in the caller's scope), best first, with their components."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = StandardPagination

    @extend_schema(parameters=[PERIOD, *TARGET, OpenApiParameter("page", OpenApiTypes.INT),
                               OpenApiParameter("page_size", OpenApiTypes.INT)],
                   responses={200: LeaderboardSerializer, 404: NOT_FOUND})
    def get(self, request):
        period = pioneer.parse_period(request.query_params.get("period"))
        target = pioneer.target_for(request.user, request.query_params.get("place"),
                                    request.query_params.get("organization"))
        rows = pioneer.scores(target.members(request.user), period.start, period.end)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(rows, request, view=self)
        response = paginator.get_paginated_response(rows_data(page))
        response.data.update(period=_period_data(period), target=_target_data(target))
        return response


class PioneersAPIView(APIView):
    """The 创新先锋 proposal: the top N (ties with the last included) and/or everyone at or above a threshold."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[PERIOD, *TARGET, OpenApiParameter("top", OpenApiTypes.INT),
                               OpenApiParameter("threshold", OpenApiTypes.NUMBER)],
                   responses={200: SelectionSerializer, 404: NOT_FOUND})
    def get(self, request):
        query = request.query_params
        period = pioneer.parse_period(query.get("period"))
        top, threshold = pioneer.parse_selection(query.get("top"), query.get("threshold"))
        target = pioneer.target_for(request.user, query.get("place"), query.get("organization"))
        rows = pioneer.scores(target.members(request.user), period.start, period.end)
        selected = pioneer.innovation_pioneers(rows, top=top, threshold=threshold)
        return Response({"period": _period_data(period), "target": _target_data(target), "top": top,
                         "threshold": threshold, "results": rows_data(selected)})


class MemberBreakdownAPIView(APIView):
    """One member's components and score over a period (404 when the member is outside the caller's scope)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(parameters=[PERIOD], responses=MemberBreakdownSerializer)
    def get(self, request, pk: int):
        if pk > MAX_INT:  # no such member (and beyond what the database can compare)
            raise Http404
        member = get_scoped_or_404(Member, request.user, pk=pk)
        period = pioneer.parse_period(request.query_params.get("period"))
        row = pioneer.breakdown(member, period.start, period.end)
        return Response({"period": _period_data(period), **rows_data([row], breakdown=True)[0]})


class WeightsAPIView(APIView):
    """Points per unit of each component (edited in the admin)."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(responses=WeightSerializer(many=True))
    def get(self, request):
        weight = pioneer.weights()
        return Response([{"code": code, "label": str(pioneer.C(code).label), "points": str(weight[code]),
                          "unit": str(pioneer.PIONEER_UNITS[code])} for code in pioneer.COMPONENTS])


urlpatterns = [
    path("", LeaderboardAPIView.as_view(), name="pioneer-leaderboard"),
    path("pioneers/", PioneersAPIView.as_view(), name="pioneer-selection"),
    path("members/<int:pk>/", MemberBreakdownAPIView.as_view(), name="pioneer-member"),
    path("weights/", WeightsAPIView.as_view(), name="pioneer-weights"),
]
