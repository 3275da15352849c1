from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer
from jiceng.enterprises.models import EnterpriseKind
from jiceng.places.models import PlaceKind

from ..models import CommitteeMember, Coverage, Organization


class OrganizationSerializer(ModelCleanSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "parent", "place", "established", "secretary", "term_start", "term_end",
                  "end_date", "transfer_authority", "path", "district", "street"]
        # term_end stays in the answer for existing clients, computed from term_start (the election date) and the
        # kind's term length; a value sent for it is ignored (decision 040).
        read_only_fields = ["term_end", "path", "district", "street"]


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


class _UnitsSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    units = serializers.IntegerField()


class _MembersSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    members = serializers.IntegerField()


class _EndDateSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    end_date = serializers.DateField()


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
    joint_too_many_units = _UnitsSerializer(many=True, help_text="joint branches covering more than 5 units")
    suggest_general_branch = _MembersSerializer(many=True, help_text="branches of 51–100 members (总支 suggested)")
    suggest_committee = _MembersSerializer(many=True, help_text="branches of over 100 members (党委 suggested)")
    temporary_overdue = _EndDateSerializer(many=True, help_text="temporary branches past their end date")
    officer_gaps = serializers.IntegerField(help_text="enterprises in buildings with a council lacking one of the four "
                                                      "officers (四大员)")
    officer_governed = serializers.IntegerField(help_text="enterprises in buildings with a council")
    children = CoverageFiguresSerializer(many=True, help_text="the figures of each place directly under this one")
