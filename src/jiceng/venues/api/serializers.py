from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer
from jiceng.places.models import Place

from .. import ics
from ..choices import Equipment
from ..models import MAX_CAPACITY, Booking, Room, RoomPhoto, managed_rooms_q


class RoomPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = RoomPhoto
        fields = ["id", "name", "caption", "size", "uploaded", "url"]
        read_only_fields = fields

    def get_url(self, photo) -> str:
        request = self.context.get("request")
        url = photo.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class RoomSerializer(ModelCleanSerializer):
    place_name = serializers.CharField(source="place.name", read_only=True)
    street = serializers.IntegerField(source="street_id", read_only=True, allow_null=True)
    equipment = serializers.ListField(child=serializers.ChoiceField(choices=Equipment.choices), required=False,
                                      max_length=len(Equipment.values),
                                      help_text=_("设备编码:%(codes)s") % {"codes": ", ".join(Equipment.values)})
    open_weekdays = serializers.RegexField(r"^[1-7]{1,7}$", max_length=7, required=False,
                                           help_text=_("ISO 星期数字串,如 12345 表示周一至周五。"),
                                           error_messages={"invalid": _("开放日须为 1(周一)至 7(周日)的数字串。")})
    opens_at = serializers.TimeField(format="%H:%M", required=False)
    closes_at = serializers.TimeField(format="%H:%M", required=False)
    photos = RoomPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Room
        fields = ["id", "place", "place_name", "street", "name", "capacity", "equipment", "equipment_note",
                  "opens_at", "closes_at", "open_weekdays", "closed_on_holidays", "description", "active", "photos"]

    def validate_place(self, place: Place) -> Place:
        request = self.context.get("request")
        if request is not None and not Place.objects.filter(pk=place.pk).filter(
                managed_rooms_q(request.user, "district", "street", "path")).exists():
            raise serializers.ValidationError(_("您不能在该地域管理场地。"))
        return place

    def validate_open_weekdays(self, value: str) -> str:
        if len(set(value)) != len(value):
            raise serializers.ValidationError(_("开放日不能重复。"))
        return "".join(sorted(value))


class RoomDetailSerializer(RoomSerializer):
    feed_url = serializers.SerializerMethodField(help_text=_("此房间已批准预约的 ICS 订阅地址(专属于当前用户)。"))

    class Meta(RoomSerializer.Meta):
        fields = [*RoomSerializer.Meta.fields, "feed_url"]

    def get_feed_url(self, room) -> str:
        request = self.context["request"]
        url = reverse("venues:room_ics", args=[room.pk]) + "?token=" + ics.feed_token(room, request.user)
        return request.build_absolute_uri(url)


class PhotoUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    caption = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class BookingSerializer(serializers.ModelSerializer):
    room_name = serializers.CharField(source="room.name", read_only=True)
    place = serializers.IntegerField(source="room.place_id", read_only=True)
    place_name = serializers.CharField(source="room.place.name", read_only=True)
    borrower = serializers.CharField(read_only=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, default=None, allow_null=True)
    decided_by = serializers.CharField(source="decided_by.username", read_only=True, default=None, allow_null=True)
    cancelled_by = serializers.CharField(source="cancelled_by.username", read_only=True, default=None, allow_null=True)

    class Meta:
        model = Booking
        fields = ["id", "room", "room_name", "place", "place_name", "start", "end", "purpose", "attendees",
                  "enterprise", "organization", "borrower", "status", "requested_by", "created", "decided_by",
                  "decided_at", "cancelled_by", "cancelled_at", "reason"]
        read_only_fields = fields


class BookingCreateSerializer(serializers.Serializer):
    """Input of a booking request; the rules (scope, hours, capacity, overlap) are the service's."""

    room = serializers.IntegerField(min_value=1)
    start = serializers.DateTimeField(help_text=_("ISO 8601;不带时区按北京时间。"))
    end = serializers.DateTimeField(help_text=_("ISO 8601;不带时区按北京时间。"))
    purpose = serializers.CharField(max_length=200)
    attendees = serializers.IntegerField(min_value=0, max_value=MAX_CAPACITY, default=0)
    enterprise = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    organization = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    auto_approve = serializers.BooleanField(default=False,
                                            help_text=_("管理该房间的用户可直接批准自己的预约。"))

    def _scoped(self, model, value, message):
        if value is None:
            return None
        obj = model.objects.restrict(self.context["request"].user).filter(pk=value).first()
        if obj is None:
            raise serializers.ValidationError(message)
        return obj

    def validate_room(self, value: int) -> Room:
        return self._scoped(Room, value, _("房间不存在或不在您可预约的范围内。"))

    def validate_enterprise(self, value):
        from jiceng.enterprises.models import Enterprise

        return self._scoped(Enterprise, value, _("借用单位不存在或不在您的范围内。"))

    def validate_organization(self, value):
        from jiceng.organizations.models import Organization

        return self._scoped(Organization, value, _("借用党组织不存在或不在您的范围内。"))


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, error_messages={"required": _("驳回预约须说明理由。"),
                                                                    "blank": _("驳回预约须说明理由。")})

