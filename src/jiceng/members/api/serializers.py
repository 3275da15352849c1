from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer

from ..identity import MEMBER_CLASH, check_id_number
from ..models import Member


class MemberSerializer(ModelCleanSerializer):
    """Personal data goes in whole on writes and comes out masked; see the `reveal` action for full values."""

    id_number = serializers.CharField(write_only=True, max_length=18)
    phone = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    id_number_masked = serializers.CharField(read_only=True)
    phone_masked = serializers.CharField(read_only=True)

    class Meta:
        model = Member
        fields = ["id", "name", "gender", "ethnicity", "birth_date", "id_number", "id_number_masked", "phone",
                  "phone_masked", "education", "occupation", "join_date", "full_date", "status", "organization",
                  "party_group",
                  "employer", "residence", "is_mobile", "households_contacted"]

    def validate_id_number(self, value: str) -> str:
        value = value.strip().upper()
        request = self.context.get("request")
        try:
            check_id_number(value, request.user if request else None, member_message=MEMBER_CLASH,
                            exclude_member_pk=self.instance.pk if self.instance is not None else None, field=None)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    def validate_phone(self, value: str) -> str:
        from jiceng.core.validators import normalize_cn_mobile

        return normalize_cn_mobile(value) if value else ""
