from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Booking, Room, RoomPhoto


class RoomPhotoInline(admin.TabularInline):
    model = RoomPhoto
    extra = 0
    fields = ("file", "caption", "name", "size")
    readonly_fields = ("file", "name", "size")

    def has_add_permission(self, request, obj=None):
        return False  # uploads go through the room page or the API, where type, size and count are checked


@admin.register(Room)
class RoomAdmin(SimpleHistoryAdmin):
    list_display = ("name", "place", "capacity", "opens_at", "closes_at", "open_weekdays", "active")
    list_filter = ("active", "closed_on_holidays")
    search_fields = ("name", "place__name")
    raw_id_fields = ("place",)
    inlines = [RoomPhotoInline]


@admin.register(Booking)
class BookingAdmin(SimpleHistoryAdmin):
    """Read-only: approvals go through the services (overlap check, notifications), i.e. the app or the API."""

    list_display = ("room", "start", "end", "status", "requested_by", "enterprise", "organization")
    list_filter = ("status",)
    search_fields = ("purpose", "room__name", "enterprise__name", "organization__name")
    date_hierarchy = "start"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
