from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer

from ..models import Enterprise


class EnterpriseSerializer(ModelCleanSerializer):
    covered_by = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = ["id", "name", "credit_code", "kind", "ownership", "industry", "employees", "place", "unit_no",
                  "lease_end", "registered_address", "actual_address", "contact_name", "contact_phone",
                  "instructor", "district", "street", "covered_by"]
        read_only_fields = ["district", "street", "instructor"]

    def get_covered_by(self, obj) -> list[int]:
        # Prefetched by the viewset, so this adds no query per row.
        return [c.organization_id for c in obj.coverages.all()]

    def validate_credit_code(self, value: str) -> str:
        return value.strip().upper()
