"""Reference data an admin edits: demand categories with their deadlines, and the stations' services."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Category, Service


@admin.register(Category)
class CategoryAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en", "deadline_days", "active", "order")
    list_editable = ("deadline_days", "active", "order")
    search_fields = ("code", "name", "name_en")


@admin.register(Service)
class ServiceAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "station", "category", "active")
    list_filter = ("category", "active")
    search_fields = ("code", "name")
    raw_id_fields = ("station",)
