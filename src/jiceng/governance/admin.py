from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Alliance,
    Council,
    CouncilMeeting,
    CouncilMember,
    Decision,
    HeadSelection,
    Notice,
    NoticeRule,
    Objection,
    OfficerAssignment,
    Seat,
)


@admin.register(NoticeRule)
class NoticeRuleAdmin(SimpleHistoryAdmin):
    list_display = ("district", "working_days")
    raw_id_fields = ("district",)


@admin.register(Seat)
class SeatAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "order")


class CouncilMemberInline(admin.TabularInline):
    model = CouncilMember
    extra = 0
    raw_id_fields = ("user", "member", "enterprise")


@admin.register(Council)
class CouncilAdmin(SimpleHistoryAdmin):
    list_display = ("name", "place", "head", "alliance")
    search_fields = ("name", "place__name")
    raw_id_fields = ("place",)
    readonly_fields = ("head", "head_since", "conference")
    inlines = [CouncilMemberInline]


@admin.register(Alliance)
class AllianceAdmin(SimpleHistoryAdmin):
    list_display = ("name", "place", "established")
    raw_id_fields = ("place", "conference")


class NoticeInline(admin.TabularInline):
    model = Notice
    extra = 0
    can_delete = False
    readonly_fields = ("stage", "published_on", "ends_on", "status", "paused_on", "closed_on")
    exclude = ("text",)


@admin.register(HeadSelection)
class HeadSelectionAdmin(SimpleHistoryAdmin):
    """Read-only: the notices, objections and the appointment go through the services (working days, roles)."""

    list_display = ("council", "nominee", "nominated_on", "status", "appointed_on")
    list_filter = ("status",)
    inlines = [NoticeInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Objection)
class ObjectionAdmin(SimpleHistoryAdmin):
    list_display = ("notice", "raised_on", "status", "resolved_on")
    list_filter = ("status",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OfficerAssignment)
class OfficerAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("enterprise", "kind", "person", "assigned_on")
    list_filter = ("kind",)
    search_fields = ("enterprise__name", "person__username", "person__first_name")
    raw_id_fields = ("enterprise", "person")


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    raw_id_fields = ("owner", "demand", "need", "project")
    readonly_fields = ("due_date",)


@admin.register(CouncilMeeting)
class CouncilMeetingAdmin(SimpleHistoryAdmin):
    list_display = ("title", "council", "held_at")
    search_fields = ("title", "council__name")
    inlines = [DecisionInline]
