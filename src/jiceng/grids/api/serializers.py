"""Serializers of the grids API. Field names from issue #18 are contracts: grids' `contact` and `warnings`,
renovation projects' `signing_rate`. Rules live in the models' clean() and the services."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer
from jiceng.members.models import Member

from .. import geometry
from ..models import (
    AssignmentBasis,
    ConsultationRound,
    ContactLog,
    ContactWay,
    Grid,
    GridMember,
    HouseholdContact,
    MediationCase,
    RenovationMember,
    RenovationProject,
)


class GridMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = GridMember
        fields = ["member", "name", "basis", "since"]


class GridSerializer(ModelCleanSerializer):
    geometry = serializers.JSONField(help_text=_("GeoJSON 多边形(或含多边形的 Feature),WGS-84,[经度, 纬度]。"))
    street = serializers.PrimaryKeyRelatedField(read_only=True)
    members = GridMemberSerializer(source="assignments", many=True, read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Grid
        fields = ["id", "name", "code", "place", "street", "geometry", "area_m2", "source", "branch", "contact",
                  "member_count", "members", "warnings"]
        read_only_fields = ["area_m2", "member_count"]

    def get_warnings(self, obj) -> list[str]:
        return obj.warnings(self.context.get("rules"))

    def validate_geometry(self, value):
        """Stored as the bare Polygon (a posted Feature is unwrapped), the shape the model measures."""
        try:
            return geometry.polygon_geometry(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["geometry"]) from exc


class AssignSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    basis = serializers.ChoiceField(choices=AssignmentBasis.choices)
    since = serializers.DateField(required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["member"].queryset = Member.objects.restrict(user)


class RemoveMemberSerializer(serializers.Serializer):
    member = serializers.IntegerField()


class ImportSerializer(serializers.Serializer):
    place = serializers.IntegerField(help_text=_("网格所在的街道、居民区或村"))
    file = serializers.FileField(required=False, help_text=_("GeoJSON 文件(FeatureCollection、Feature 或 Polygon)"))
    geojson = serializers.JSONField(required=False, help_text=_("或直接提交 GeoJSON"))


class GenerateSerializer(serializers.Serializer):
    street = serializers.IntegerField()
    side_m = serializers.IntegerField(required=False, min_value=100, max_value=10_000)


class HouseholdContactSerializer(ModelCleanSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    street = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = HouseholdContact
        fields = ["id", "kind", "name", "address", "place", "street", "enterprise", "grid", "member", "member_name",
                  "assigned_on", "last_contact"]
        read_only_fields = ["last_contact"]


class ContactLogSerializer(serializers.ModelSerializer):
    to_demand = serializers.BooleanField(write_only=True, required=False, default=False,
                                         help_text=_("反映的问题直接转为需求"))

    class Meta:
        model = ContactLog
        fields = ["id", "household", "member", "date", "way", "raised", "demand", "to_demand", "created"]
        read_only_fields = ["member", "demand", "created"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and "household" in self.fields:
            self.fields["household"].queryset = HouseholdContact.objects.restrict(request.user)


class LogInputSerializer(serializers.Serializer):
    date = serializers.DateField()
    way = serializers.ChoiceField(choices=ContactWay.choices, default=ContactWay.VISIT)
    raised = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    to_demand = serializers.BooleanField(required=False, default=False)


class ConsultationRoundSerializer(ModelCleanSerializer):
    agree_rate = serializers.FloatField(read_only=True)

    class Meta:
        model = ConsultationRound
        fields = ["id", "project", "number", "held_on", "responded", "agreed", "agree_rate", "note"]


class MediationCaseSerializer(ModelCleanSerializer):
    class Meta:
        model = MediationCase
        fields = ["id", "project", "household", "resident_party", "enterprise_party", "street_party", "issue",
                  "opened_on", "outcome", "outcome_note", "closed_on"]


class RenovationMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)
    home_branch = serializers.CharField(source="member.organization.name", read_only=True)

    class Meta:
        model = RenovationMember
        fields = ["member", "name", "home_branch", "joined_on", "left_on"]


class RenovationProjectSerializer(ModelCleanSerializer):
    signing_rate = serializers.FloatField(read_only=True, help_text=_("已签约户数 / 户数"))
    street = serializers.PrimaryKeyRelatedField(read_only=True)
    rounds = ConsultationRoundSerializer(many=True, read_only=True)
    branch_members = RenovationMemberSerializer(many=True, read_only=True)

    class Meta:
        model = RenovationProject
        fields = ["id", "name", "place", "street", "started", "ended", "status", "households", "signed",
                  "signing_rate", "temporary_branch", "branch_name", "description", "rounds", "branch_members"]
        read_only_fields = ["ended", "status", "temporary_branch", "branch_name"]


class BranchSetUpSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    parent = serializers.IntegerField(required=False, allow_null=True)
    members = serializers.ListField(child=serializers.IntegerField(), required=False, default=list)
    secretary = serializers.IntegerField(required=False, allow_null=True)
    date = serializers.DateField(required=False)


class JoinSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    date = serializers.DateField(required=False)


class EndSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
