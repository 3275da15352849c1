from jiceng.core.serializers import ModelCleanSerializer

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
