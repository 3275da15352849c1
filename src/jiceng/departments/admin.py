from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Department


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "district", "phone", "sign_days", "active"]
    list_filter = ["active", "district"]
    search_fields = ["name", "short_name"]
    raw_id_fields = ["district"]
