from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer
from jiceng.core.validators import mask_phone

from ..models import Enterprise, EnterpriseUpdate


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


class EnterpriseUpdateSerializer(serializers.ModelSerializer):
    contact_phone = serializers.SerializerMethodField()
    old_contact_phone = serializers.SerializerMethodField()

    class Meta:
        model = EnterpriseUpdate
        fields = ["id", "enterprise", "status", "employees", "lease_end", "contact_name", "contact_phone", "note",
                  "old_employees", "old_lease_end", "old_contact_name", "old_contact_phone", "reason", "created",
                  "reviewed_at"]
        read_only_fields = fields

    def get_contact_phone(self, obj) -> str:
        return mask_phone(obj.contact_phone)

    def get_old_contact_phone(self, obj) -> str:
        return mask_phone(obj.old_contact_phone)


class EnterpriseUpdateRequestSerializer(serializers.Serializer):
    enterprise = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    employees = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=1_000_000)
    lease_end = serializers.DateField(required=False, allow_null=True)
    contact_name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ReviewSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
