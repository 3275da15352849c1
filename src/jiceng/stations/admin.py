from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Amenity, Duty, Station


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "order"]


class DutyInline(admin.TabularInline):
    model = Duty
    extra = 0


@admin.register(Station)
class StationAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "level", "parent", "opens_at", "closes_at"]
    list_filter = ["level"]
    raw_id_fields = ["place", "parent"]
    filter_horizontal = ["amenities"]
    inlines = [DutyInline]
