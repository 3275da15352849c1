from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Activity, Attendance, Club, ClubMembership, ComplianceRule, Rating, Series, SignUp


@admin.register(ComplianceRule)
class ComplianceRuleAdmin(SimpleHistoryAdmin):
    list_display = ("kind", "period", "minimum", "active", "order")
    list_editable = ("period", "minimum", "active", "order")


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
