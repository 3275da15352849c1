from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer
from jiceng.core.validators import mask_phone

from ..models import Enterprise


class EnterpriseSerializer(ModelCleanSerializer):
    covered_by = serializers.SerializerMethodField()
    contact_phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    contact_phone_masked = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = ["id", "name", "credit_code", "kind", "ownership", "industry", "employees", "place", "unit_no",
                  "lease_end", "registered_address", "actual_address", "contact_name", "contact_phone",
                  "contact_phone_masked", "instructor", "district", "street", "covered_by"]
        read_only_fields = ["district", "street", "instructor"]

    def get_contact_phone_masked(self, obj) -> str:
        return mask_phone(obj.contact_phone)

    def get_covered_by(self, obj) -> list[int]:
        # Prefetched by the viewset, so this adds no query per row.
        coverages = getattr(obj, "coverage_list", None)
        return [c.organization_id for c in (coverages if coverages is not None else obj.coverages.all())]

    def validate_credit_code(self, value: str) -> str:
        return value.strip().upper()
