from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import EnterpriseRisk, FollowUp, LevelChange, LevelThreshold, Playbook, Signal, SignalType


@admin.register(SignalType)
class SignalTypeAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en", "weight", "allow_negative", "live_days", "source_kind", "group",
                    "active")
    list_editable = ("weight", "live_days", "active")
    list_filter = ("source_kind", "active")


@admin.register(LevelThreshold)
class LevelThresholdAdmin(SimpleHistoryAdmin):
    list_display = ("level", "min_score")


@admin.register(Playbook)
class PlaybookAdmin(SimpleHistoryAdmin):
    list_display = ("level", "role", "within_working_days", "action", "action_en")


@admin.register(Signal)
class SignalAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "type", "points", "observed_on", "expires_on", "source")
    list_filter = ("type", "source")
    raw_id_fields = ("enterprise", "recorded_by", "visit", "demand")


@admin.register(EnterpriseRisk)
class EnterpriseRiskAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "score", "computed_level", "override_level", "updated")
    list_filter = ("computed_level", "override_level")
    raw_id_fields = ("enterprise", "overridden_by")


@admin.register(LevelChange)
class LevelChangeAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "kind", "old_level", "new_level", "level", "score", "at")
    raw_id_fields = ("enterprise", "by")


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("enterprise", "level", "due_date", "status", "created")
    list_filter = ("status", "level")
    raw_id_fields = ("enterprise", "playbook", "closed_by", "assignees")
