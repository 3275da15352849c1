from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer

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
                  "phone_masked", "education", "join_date", "full_date", "status", "organization", "employer",
                  "residence", "is_mobile", "households_contacted"]

    def validate_id_number(self, value: str) -> str:
        value = value.strip().upper()
        clash = Member.objects.filter(id_number=value)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError("该身份证号码的党员已在册,一名党员只能在一个党组织。")
        return value

    def validate_phone(self, value: str) -> str:
        from jiceng.core.validators import normalize_cn_mobile

        return normalize_cn_mobile(value) if value else ""
