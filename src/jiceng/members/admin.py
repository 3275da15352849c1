from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Member, PioneerWeight


@admin.register(Member)
class MemberAdmin(SimpleHistoryAdmin):
    list_display = ("name", "status", "organization", "employer")
    list_filter = ("status", "gender", "is_mobile")
    search_fields = ("name", "name_pinyin", "name_initials")
    raw_id_fields = ("organization", "employer")
    exclude = ()


@admin.register(PioneerWeight)
class PioneerWeightAdmin(SimpleHistoryAdmin):
    list_display = ("component", "points", "unit", "order")
    list_editable = ("points", "order")
    readonly_fields = ("unit",)
