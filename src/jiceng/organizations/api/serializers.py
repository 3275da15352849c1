from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer
from jiceng.enterprises.models import EnterpriseKind
from jiceng.places.models import PlaceKind

from ..models import CommitteeMember, Coverage, Organization


class OrganizationSerializer(ModelCleanSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "parent", "place", "established", "secretary", "term_start", "term_end",
                  "path", "district", "street"]
        read_only_fields = ["path", "district", "street"]


class CoverageSerializer(ModelCleanSerializer):
    class Meta:
        model = Coverage
        fields = ["id", "organization", "enterprise", "since"]


class CommitteeMemberSerializer(ModelCleanSerializer):
    class Meta:
        model = CommitteeMember
        fields = ["id", "organization", "member", "position"]


# --- the coverage report (built from `coverage.CoverageReport.as_dict`; documented for the OpenAPI schema) ----------
class _PlaceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=PlaceKind.choices)


class _EnterpriseRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    credit_code = serializers.CharField()
    kind = serializers.ChoiceField(choices=EnterpriseKind.choices)
    employees = serializers.IntegerField()


class _ShouldSetUpSerializer(_EnterpriseRefSerializer):
    full_members = serializers.IntegerField()


class _NoCommitteeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    full_members = serializers.IntegerField()


class _TermSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    term_end = serializers.DateField()


class CoverageFiguresSerializer(serializers.Serializer):
    place = _PlaceRefSerializer()
    enterprises = serializers.IntegerField()
    org_covered = serializers.IntegerField()
    work_covered = serializers.IntegerField()
    org_coverage_rate = serializers.FloatField()
    work_coverage_rate = serializers.FloatField()
    total_coverage_rate = serializers.FloatField()
    organizations = serializers.IntegerField()
    joint_branches = serializers.IntegerField()
    independent_branches = serializers.IntegerField()
    members = serializers.IntegerField()
    terms_ended = _TermSerializer(many=True, help_text="overdue re-elections (换届逾期)")


class CoverageReportSerializer(CoverageFiguresSerializer):
    must_cover_uncovered = _EnterpriseRefSerializer(many=True)
    should_set_up = _ShouldSetUpSerializer(many=True, help_text="应建未建")
    no_committee = _NoCommitteeSerializer(many=True)
    terms_ending = _TermSerializer(many=True)
    children = CoverageFiguresSerializer(many=True, help_text="the figures of each place directly under this one")
