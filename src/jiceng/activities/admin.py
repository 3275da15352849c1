from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Activity,
    Attendance,
    Club,
    ClubMembership,
    ComplianceRule,
    MeetingAbsence,
    MeetingPhoto,
    MeetingRecord,
    Rating,
    Series,
    SignUp,
)


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "period", "minimum", "counts_parent", "active", "order")
    list_editable = ("period", "minimum", "counts_parent", "active", "order")


class MeetingAbsenceInline(admin.TabularInline):
    model = MeetingAbsence
    raw_id_fields = ("member",)
    extra = 0


class MeetingPhotoInline(admin.TabularInline):
    model = MeetingPhoto
    fields = ("file", "name", "size", "uploaded")
    readonly_fields = ("file", "name", "size", "uploaded")  # uploads go through the page or the API (checked)
    extra = 0
    can_delete = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MeetingRecord)
class MeetingRecordAdmin(SimpleHistoryAdmin):
    list_display = ("topic", "activity", "chair", "recorder", "expected", "updated")
    search_fields = ("topic", "activity__title")
    raw_id_fields = ("activity", "chair", "recorder")
    readonly_fields = ("recorded_by", "updated")
    inlines = [MeetingAbsenceInline, MeetingPhotoInline]


class ClubMembershipInline(admin.TabularInline):
    model = ClubMembership
    raw_id_fields = ("member",)
    extra = 0


@admin.register(Club)
class ClubAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "place", "organization", "active")
    list_filter = ("kind", "active")
    search_fields = ("name",)
    raw_id_fields = ("place", "organization")
    inlines = [ClubMembershipInline]


@admin.register(Series)
class SeriesAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "rrule", "start_date", "until", "count")
    list_filter = ("kind",)
    raw_id_fields = ("organization", "club", "station", "conference", "room", "place", "created_by")


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "start", "status", "public", "on_holiday")
    list_filter = ("kind", "status", "public")
    search_fields = ("title", "speaker_name")
    date_hierarchy = "start"
    raw_id_fields = ("organization", "club", "station", "conference", "place", "speaker", "series", "created_by")


@admin.register(SignUp)
class SignUpAdmin(admin.ModelAdmin):
    list_display = ("activity", "member", "name", "status", "position", "created")
    list_filter = ("status",)
    raw_id_fields = ("activity", "member", "user")


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("activity", "member", "name", "method", "hours", "checked_in_at")
    list_filter = ("method",)
    raw_id_fields = ("activity", "member", "recorded_by")


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("activity", "member", "score", "created")
    raw_id_fields = ("activity", "member")
