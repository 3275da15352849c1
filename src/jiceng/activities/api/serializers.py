from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jiceng.core.serializers import ModelCleanSerializer
from jiceng.matrix.serializers import FlagsListField
from jiceng.members.models import Member

from ..compliance import STATUSES
from ..models import (
    Activity,
    ActivityKind,
    ActivityMessage,
    Attendance,
    Club,
    ClubMembership,
    MeetingPhoto,
    MeetingRecord,
    Period,
    Rating,
    Series,
    SignUp,
)
from ..recurrence import Choice, Freq


class ActivitySerializer(ModelCleanSerializer):
    organizer = serializers.CharField(source="organizer_label", read_only=True)
    room = serializers.IntegerField(write_only=True, required=False, allow_null=True, min_value=1,
                                    help_text=_("同时预约的场地 ID(场地预约应用提供时)。"))
    cells = FlagsListField(kind="cells", help_text="cells of the 3×3 matrix, `<target>:<goal>` "
                                                   "(targets employees, creators, users; goals organize, serve, lead)")
    themes = FlagsListField(kind="themes", help_text="党建+ themes: service, culture, public_welfare")

    class Meta:
        model = Activity
        fields = ["id", "title", "kind", "organization", "club", "station", "conference", "organizer", "start", "end",
                  "place", "location", "capacity", "public", "speaker", "speaker_name", "description", "series",
                  "occurrence_date", "on_holiday", "status", "room", "cells", "themes"]
        read_only_fields = ["series", "occurrence_date", "on_holiday", "status"]

    def validate(self, attrs):
        room = attrs.pop("room", None)
        attrs = super().validate(attrs)
        if room is not None:
            attrs["room"] = room
        return attrs


class StatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["held", "cancelled"])


class SignUpSerializer(serializers.ModelSerializer):
    phone = serializers.CharField(source="phone_masked", read_only=True)
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = SignUp
        fields = ["id", "activity", "member", "name", "phone", "status", "position", "created"]
        read_only_fields = fields


class SignUpCreatedSerializer(SignUpSerializer):
    message = serializers.CharField(read_only=True, help_text=_("给报名人的提示(报名成功或候补位次)。"))

    class Meta(SignUpSerializer.Meta):
        fields = [*SignUpSerializer.Meta.fields, "message"]
        read_only_fields = fields


class SignUpCancelledSerializer(SignUpSerializer):
    promoted = serializers.IntegerField(read_only=True, allow_null=True,
                                        help_text=_("因取消而从候补递补的报名 ID。"))

    class Meta(SignUpSerializer.Meta):
        fields = [*SignUpSerializer.Meta.fields, "promoted"]
        read_only_fields = fields


class SignUpRequestSerializer(serializers.Serializer):
    """A member signs up as themself; without a member record, a public activity takes a name and mobile."""

    activity = serializers.IntegerField(min_value=1)
    name = serializers.CharField(required=False, allow_blank=True, max_length=50, default="")
    phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")


class AttendanceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "activity", "member", "name", "checked_in_at", "method", "hours"]
        read_only_fields = fields


class AttendanceRequestSerializer(serializers.Serializer):
    activity = serializers.IntegerField(min_value=1)
    member = serializers.IntegerField(min_value=1)
    hours = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0, max_value=24, required=False,
                                     allow_null=True, default=None)


class CheckInSerializer(serializers.Serializer):
    activity = serializers.IntegerField(min_value=1)
    code = serializers.CharField(max_length=200)


class RatingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rating
        fields = ["id", "activity", "member", "score", "comment", "created"]
        read_only_fields = fields


class RatingRequestSerializer(serializers.Serializer):
    """Score limits and who may rate are checked by the service (one set of messages for API and page)."""

    activity = serializers.IntegerField(min_value=1)
    score = serializers.IntegerField(min_value=-1000, max_value=1000)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class ClubSerializer(ModelCleanSerializer):
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Club
        fields = ["id", "name", "kind", "place", "organization", "description", "active", "member_count"]


class ClubMembershipSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = ClubMembership
        fields = ["id", "club", "member", "name", "role", "joined"]
        read_only_fields = fields


class SeriesSerializer(ModelCleanSerializer):
    """A series from the simple form (`freq` …) or a raw `rrule`; creating it generates the occurrences."""

    freq = serializers.ChoiceField(choices=[Freq.WEEKLY, Freq.MONTHLY_WEEKDAY, Freq.MONTHLY_DAY], write_only=True,
                                   required=False)
    interval = serializers.IntegerField(write_only=True, required=False, default=1)
    weekdays = serializers.ListField(child=serializers.IntegerField(), write_only=True, required=False, default=list)
    ordinal = serializers.IntegerField(write_only=True, required=False, allow_null=True, default=None)
    weekday = serializers.IntegerField(write_only=True, required=False, allow_null=True, default=None)
    monthday = serializers.IntegerField(write_only=True, required=False, allow_null=True, default=None)
    holiday_default = serializers.ChoiceField(choices=[Choice.KEEP, Choice.MOVE, Choice.SKIP], write_only=True,
                                              required=False, default=Choice.MOVE)
    choices = serializers.DictField(child=serializers.ChoiceField(choices=[Choice.KEEP, Choice.MOVE, Choice.SKIP]),
                                    write_only=True, required=False, default=dict,
                                    help_text=_("节假日日期(YYYY-MM-DD)→ keep / move / skip。"))
    room = serializers.IntegerField(write_only=True, required=False, allow_null=True, min_value=1)
    rrule = serializers.CharField(required=False, max_length=200)

    RULE_FIELDS = ("freq", "interval", "weekdays", "ordinal", "weekday", "monthday")
    EXTRA = ("holiday_default", "choices", "room")

    class Meta:
        model = Series
        fields = ["id", "title", "kind", "organization", "club", "station", "conference", "rrule", "start_date",
                  "until", "count", "start_time", "end_time", "capacity", "place", "location", "public",
                  "speaker_name", "description", "freq", "interval", "weekdays", "ordinal", "weekday", "monthday",
                  "holiday_default", "choices", "room"]

    def validate(self, attrs):
        from ..recurrence import build_rrule

        rule = {name: attrs.pop(name) for name in self.RULE_FIELDS if name in attrs}
        extra = {name: attrs.pop(name) for name in self.EXTRA if name in attrs}
        if rule.get("freq"):
            try:
                attrs["rrule"] = build_rrule(rule["freq"], interval=rule.get("interval") or 1,
                                             weekdays=rule.get("weekdays") or (), ordinal=rule.get("ordinal"),
                                             weekday=rule.get("weekday"), monthday=rule.get("monthday"))
            except Exception as exc:  # noqa: BLE001 - Django ValidationError → field errors below
                raise serializers.ValidationError(getattr(exc, "message_dict", {"freq": [str(exc)]})) from exc
        elif not attrs.get("rrule") and self.instance is None:
            raise serializers.ValidationError({"rrule": [_("请填写 rrule,或用 freq 等字段描述重复规则。")]})
        attrs = super().validate(attrs)
        attrs.update(extra)
        return attrs


class SeriesCreatedSerializer(SeriesSerializer):
    activities = serializers.ListField(child=serializers.IntegerField(), read_only=True,
                                       help_text=_("生成的活动 ID。"))

    class Meta(SeriesSerializer.Meta):
        fields = [*SeriesSerializer.Meta.fields, "activities"]


# --- response bodies built by the views (documented for the OpenAPI schema) ---------------------------------------
class OccurrenceSerializer(serializers.Serializer):
    date = serializers.DateField()
    workday = serializers.BooleanField()
    next_workday = serializers.DateField(allow_null=True, help_text="for a non-working day: the next working day")


class SeriesPreviewSerializer(serializers.Serializer):
    rrule = serializers.CharField()
    dates = OccurrenceSerializer(many=True)


class ComplianceTotalSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    label = serializers.CharField()
    period = serializers.ChoiceField(choices=Period.choices)
    minimum = serializers.IntegerField()
    held = serializers.IntegerField(help_text="activities counted, over the branches the rule applies to")
    applicable = serializers.IntegerField(help_text="branches the rule applies to (met + gaps + open)")
    met = serializers.IntegerField(help_text="branches that met the rule")
    gaps = serializers.IntegerField(help_text="branches with a gap")
    open = serializers.IntegerField(help_text="branches whose period has not ended, not yet met")
    not_applicable = serializers.IntegerField(help_text="branches the rule does not apply to")


class ComplianceGroupSerializer(serializers.Serializer):
    organization = serializers.IntegerField(help_text="the party group")
    name = serializers.CharField()
    held = serializers.IntegerField()
    status = serializers.ChoiceField(choices=STATUSES)


class CompliancePeriodSerializer(serializers.Serializer):
    label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    held = serializers.IntegerField()
    required = serializers.IntegerField()
    status = serializers.ChoiceField(choices=STATUSES)
    groups = ComplianceGroupSerializer(many=True, help_text="党小组会: each party group's count (else empty)")


class ComplianceRuleResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices)
    held = serializers.IntegerField()
    required = serializers.IntegerField()
    status = serializers.ChoiceField(choices=STATUSES)
    reason = serializers.CharField(allow_null=True, help_text="why the rule does not apply (status not_applicable)")
    periods = CompliancePeriodSerializer(many=True)


class ComplianceRowSerializer(serializers.Serializer):
    organization = serializers.IntegerField()
    name = serializers.CharField()
    compliant = serializers.BooleanField(help_text="no gap in any rule that applies")
    status = serializers.ChoiceField(choices=STATUSES, help_text="gap, open or met over the rules that apply")
    gaps = serializers.ListField(child=serializers.CharField())
    rules = ComplianceRuleResultSerializer(many=True)


class ComplianceReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    branches = serializers.IntegerField()
    compliant = serializers.IntegerField()
    totals = ComplianceTotalSerializer(many=True)
    count = serializers.IntegerField(help_text="branch rows in all pages (after the `status` filter)")
    next = serializers.URLField(allow_null=True, help_text="the next page of rows")
    previous = serializers.URLField(allow_null=True, help_text="the previous page of rows")
    rows = ComplianceRowSerializer(many=True, help_text="one page of branch rows (`page`, `page_size`: 50, ≤ 500)")


# --- meeting records -----------------------------------------------------------------------------------------------
class MeetingAbsenceSerializer(serializers.Serializer):
    member = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    name = serializers.CharField(source="member.name", read_only=True)
    reason = serializers.CharField(max_length=200)


class MeetingPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = MeetingPhoto
        fields = ["id", "name", "size", "format", "uploaded", "url"]
        read_only_fields = fields

    def get_url(self, photo) -> str:
        request = self.context.get("request")
        url = photo.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class MeetingRecordSerializer(serializers.ModelSerializer):
    """A meeting's record. `absences` replaces the list when given; photos are added by POST …/photos/."""

    activity = serializers.IntegerField(source="activity_id", min_value=1)
    absences = MeetingAbsenceSerializer(many=True, required=False)
    photos = MeetingPhotoSerializer(many=True, read_only=True)
    expected_computed = serializers.IntegerField(source="computed_expected", read_only=True, allow_null=True,
                                                 help_text="who should attend, from the structure (null: unknown)")
    expected_attendance = serializers.IntegerField(read_only=True, allow_null=True,
                                                   help_text="`expected` if given, else `expected_computed`")
    actual_attendance = serializers.IntegerField(read_only=True, help_text="attendance records of the activity")

    class Meta:
        model = MeetingRecord
        fields = ["id", "activity", "topic", "chair", "recorder", "expected", "expected_computed",
                  "expected_attendance", "actual_attendance", "absences", "decisions", "photos", "updated"]
        read_only_fields = ["updated"]
        extra_kwargs = {"chair": {"queryset": Member.objects.all()}, "recorder": {"queryset": Member.objects.all()}}


class MeetingPhotoUploadSerializer(serializers.Serializer):
    photo = serializers.FileField(help_text="JPEG, PNG or WebP (checked by content), at most 5 MB")


class SpeakerStatsSerializer(serializers.Serializer):
    member = serializers.IntegerField()
    name = serializers.CharField()
    average = serializers.FloatField(allow_null=True, help_text="average rating of the talks, null without ratings")
    count = serializers.IntegerField(help_text="ratings")
    talks = serializers.IntegerField()


class ActivityMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = ActivityMessage
        fields = ["id", "activity", "text", "author_name", "status", "created", "moderated_at"]
        read_only_fields = fields


class ActivityMessageRequestSerializer(serializers.Serializer):
    activity = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    text = serializers.CharField(max_length=1000)
    author_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
