"""Serializers of the governance API. Field names in the issue are contracts: councils' `members` (with `seat`,
term) and `head`; head selections' `notices`; officer assignments' `kind`, `enterprise`, `person`; council
meetings' `decisions` (each with `owner` and a due date). Rules are the services'."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jiceng.core.serializers import CodeRelatedField, ModelCleanSerializer

from ..models import (
    MAX_NOTICE_DAYS,
    Alliance,
    Council,
    CouncilMeeting,
    CouncilMember,
    Decision,
    HeadSelection,
    Notice,
    Objection,
    ObjectionStatus,
    OfficerAssignment,
    Seat,
    person_name,
)


class CouncilMemberSerializer(ModelCleanSerializer):
    seat = CodeRelatedField(slug_field="code", queryset=Seat.objects.all(),
                                        help_text=_("席位编码:party_secretary 联合党组织书记、"
                                                    "property_manager 物业负责人、station_head 党群服务站负责人、"
                                                    "enterprise_rep 企业代表、white_collar_rep 白领代表、"
                                                    "other 其他(可由管理员增加)。"))
    seat_name = serializers.CharField(source="seat.name", read_only=True)
    is_head = serializers.SerializerMethodField()

    class Meta:
        model = CouncilMember
        fields = ["id", "council", "seat", "seat_name", "name", "title", "user", "member", "enterprise", "term_start",
                  "term_end", "is_head"]

    def get_fields(self):
        fields = super().get_fields()
        fields["user"].queryset = get_user_model().objects.filter(is_active=True)
        return fields

    def get_is_head(self, obj) -> bool:
        return obj.council.head_id == obj.pk


class HeadSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    user = serializers.IntegerField(source="user_id", allow_null=True)


class CouncilSerializer(ModelCleanSerializer):
    place_name = serializers.CharField(source="place.name", read_only=True)
    members = serializers.SerializerMethodField()
    head = serializers.IntegerField(source="head_id", read_only=True, allow_null=True,
                                    help_text=_("现任楼长(楼事会成员 id),经一推三公示任命后填写。"))
    head_name = serializers.CharField(source="head.name", read_only=True, default=None, allow_null=True)
    head_user = serializers.IntegerField(source="head.user_id", read_only=True, default=None, allow_null=True)
    conference = serializers.IntegerField(source="conference_id", read_only=True, allow_null=True,
                                          help_text=_("楼宇三张清单(/api/lists/conferences/)。"))

    class Meta:
        model = Council
        fields = ["id", "name", "place", "place_name", "established", "description", "alliance", "head", "head_name",
                  "head_user", "head_since", "conference", "members"]
        read_only_fields = ["head_since"]

    def get_members(self, council) -> list[dict]:
        return CouncilMemberSerializer(council.members.all(), many=True, context=self.context).data


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "raised_on", "raised_by_name", "text", "status", "resolution", "resolved_on"]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    stage_name = serializers.CharField(source="get_stage_display", read_only=True)
    objections = ObjectionSerializer(many=True, read_only=True)
    print_url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Notice
        fields = ["id", "stage", "stage_name", "published_on", "ends_on", "status", "paused_on", "closed_on", "text",
                  "print_url", "objections"]
        read_only_fields = fields


class HeadSelectionSerializer(serializers.ModelSerializer):
    council_name = serializers.CharField(source="council.name", read_only=True)
    nominee_name = serializers.CharField(source="nominee.name", read_only=True)
    notices = NoticeSerializer(many=True, read_only=True)

    class Meta:
        model = HeadSelection
        fields = ["id", "council", "council_name", "nominee", "nominee_name", "nominated_on", "nomination_note",
                  "notice_days", "status", "appointed_on", "ended_on", "ended_reason", "notices"]
        read_only_fields = fields


class NominateSerializer(serializers.Serializer):
    """The council's recommendation (推); the first notice is published at once."""

    council = serializers.IntegerField(min_value=1)
    nominee = serializers.IntegerField(min_value=1, help_text=_("被推荐的楼事会成员 id。"))
    notice_days = serializers.IntegerField(required=False, min_value=1, max_value=MAX_NOTICE_DAYS,
                                           help_text=_("每次公示的工作日数;留空按规则(默认 5),不能少于规则。"))
    nomination_note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ObjectionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=2000)
    raised_by_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")


class ResolveSerializer(serializers.Serializer):
    objection = serializers.IntegerField(min_value=1)
    outcome = serializers.ChoiceField(choices=[ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED])
    resolution = serializers.CharField(max_length=2000, help_text=_("处理意见(理由),必填。"))


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OfficerAssignmentSerializer(ModelCleanSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    person_name = serializers.SerializerMethodField()
    building = serializers.CharField(source="enterprise.place.name", read_only=True)

    class Meta:
        model = OfficerAssignment
        fields = ["id", "kind", "enterprise", "enterprise_name", "building", "person", "person_name", "assigned_on",
                  "note"]
        validators = []  # the model's clean() says which field is taken ("kind"), not a bare non-field error

    def get_fields(self):
        fields = super().get_fields()
        # Officers are people with an account; whether the enterprise is in their scope is the model's rule.
        fields["person"].queryset = get_user_model().objects.filter(is_active=True)
        return fields

    def get_person_name(self, obj) -> str:
        return person_name(obj.person)


class DecisionSerializer(serializers.ModelSerializer):
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = Decision
        fields = ["id", "text", "owner", "owner_name", "due_in_working_days", "due_date", "status", "done_on",
                  "outcome", "demand", "need", "project"]
        read_only_fields = fields


class DecisionInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=500)
    owner = serializers.IntegerField(min_value=1, error_messages={
        "required": _("决议须指定责任人(owner,楼事会成员 id)。"), "null": _("决议须指定责任人(owner,楼事会成员 id)。")})
    due_in_working_days = serializers.IntegerField(min_value=1, max_value=250,
                                                   help_text=_("办理时限,按工作日计算(节假日不计)。"))


class CouncilMeetingSerializer(serializers.ModelSerializer):
    council_name = serializers.CharField(source="council.name", read_only=True)
    agenda = serializers.SerializerMethodField(help_text=_("议题,按顺序。"))
    attendees = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = CouncilMeeting
        fields = ["id", "council", "council_name", "title", "held_at", "location", "agenda", "attendees", "guests",
                  "minutes", "decisions"]
        read_only_fields = fields

    def get_agenda(self, meeting) -> list[str]:
        return [item.title for item in meeting.agenda_items.all()]


class CouncilMeetingInputSerializer(serializers.Serializer):
    council = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=100)
    held_at = serializers.DateTimeField(help_text=_("ISO 8601;不带时区按北京时间。"))
    location = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    agenda = serializers.ListField(child=serializers.CharField(max_length=200), required=False, default=list,
                                   max_length=100)
    attendees = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, default=list,
                                      max_length=200, help_text=_("出席的楼事会成员 id。"))
    guests = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    minutes = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    decisions = DecisionInputSerializer(many=True, required=False, default=list)


class DoneSerializer(serializers.Serializer):
    outcome = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ConvertSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=["demand", "need", "project"],
                                 help_text=_("转为需求(demand)、清单需求(need)或项目(project)。"))
    category = serializers.CharField(max_length=16, required=False, default="other",
                                     help_text=_("清单类别(need、project 时)。"))
    quantity = serializers.IntegerField(min_value=1, max_value=100_000, required=False, default=1)
    unit = serializers.IntegerField(min_value=1, required=False, allow_null=True,
                                    help_text=_("承接项目的成员单位 id(project 时必填)。"))


class AllianceSerializer(ModelCleanSerializer):
    councils = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Alliance
        fields = ["id", "name", "place", "established", "description", "conference", "councils"]
        read_only_fields = ["conference"]
