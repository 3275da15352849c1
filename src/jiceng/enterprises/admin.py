from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Enterprise


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):
    list_display = ("name", "credit_code", "kind", "employees", "place")
    list_filter = ("kind", "ownership", "industry")
    search_fields = ("name", "credit_code", "name_pinyin")
    raw_id_fields = ("place", "instructor")
