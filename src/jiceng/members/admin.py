from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AssignedWork, DuesRate, DuesRelief, LetterValidity, Member, PioneerWeight


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("name", "status", "organization", "employer")
    list_filter = ("status", "gender", "is_mobile")
    search_fields = ("name", "name_pinyin", "name_initials")
    raw_id_fields = ("organization", "party_group", "employer")
    exclude = ()


@admin.register(PioneerWeight)
class PioneerWeightAdmin(SimpleHistoryAdmin):
    list_display = ("component", "points", "unit", "order")
    list_editable = ("points", "order")
    readonly_fields = ("unit",)


@admin.register(DuesRate)
class DuesRateAdmin(SimpleHistoryAdmin):
    """The rate table (中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》, 2008) as data."""

    list_display = ("category", "effective_from", "upper_bound", "percent", "fixed_amount", "max_amount")
    list_filter = ("category",)


@admin.register(AssignedWork)
class AssignedWorkAdmin(SimpleHistoryAdmin):
    list_display = ("task", "member", "organization", "assigned", "due", "done")
    list_filter = ("done",)
    search_fields = ("task", "member__name")
    raw_id_fields = ("member", "organization")


@admin.register(LetterValidity)
class LetterValidityAdmin(SimpleHistoryAdmin):
    """How long a transfer letter stays valid, by where it goes (decision 040)."""

    list_display = ("scope", "months", "source")


@admin.register(DuesRelief)
class DuesReliefAdmin(SimpleHistoryAdmin):
    list_display = ("member", "kind", "amount", "start_month", "end_month", "approved_by", "approved_on")
    list_filter = ("kind",)
    raw_id_fields = ("member",)
