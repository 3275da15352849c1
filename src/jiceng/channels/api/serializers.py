from django.utils.translation import gettext as _
from rest_framework import serializers

from jiceng.places.models import Place, PlaceKind

from ..events import kind_of
from ..models import Delivery, EventKind, Robot


class DeliverySerializer(serializers.ModelSerializer):
    recipient = serializers.CharField(source="masked_recipient", read_only=True,
                                      help_text="Masked: phones as 138****5678, robot keys hidden.")
    kind = serializers.SerializerMethodField()

    class Meta:
        model = Delivery
        fields = ["id", "channel", "recipient", "robot", "event", "kind", "summary", "status", "attempts", "answer",
                  "next_attempt", "created", "updated", "sent"]
        read_only_fields = fields

    def get_kind(self, obj) -> str:
        return kind_of(obj.event)


class RobotSerializer(serializers.ModelSerializer):
    webhook_url = serializers.URLField(write_only=True, max_length=500)
    webhook = serializers.CharField(source="masked_url", read_only=True)
    place = serializers.PrimaryKeyRelatedField(queryset=Place.objects.filter(kind=PlaceKind.STREET), allow_null=True,
                                               required=False)
    district = serializers.PrimaryKeyRelatedField(queryset=Place.objects.filter(kind=PlaceKind.DISTRICT),
                                                  allow_null=True, required=False)
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=EventKind.choices), required=False)

    class Meta:
        model = Robot
        fields = ["id", "name", "webhook_url", "webhook", "place", "district", "kinds", "markdown", "active", "created"]
        read_only_fields = ["created"]

    def validate(self, attrs):
        place = attrs.get("place", getattr(self.instance, "place", None))
        district = attrs.get("district", getattr(self.instance, "district", None))
        if place is None and district is None:
            raise serializers.ValidationError({"district": [_("不分街道的群机器人须指定所属区。")]})
        return attrs


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[c for c in EventKind.choices if c[0] != EventKind.ACCOUNT])
    label = serializers.CharField(read_only=True)
    inapp = serializers.BooleanField(read_only=True, default=True)
    email = serializers.BooleanField()
    sms = serializers.BooleanField()
    wecom = serializers.BooleanField()
