from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ContactLog,
    Grid,
    GridSettings,
    HouseholdContact,
    MediationCase,
    RenovationProject,
    StreetBoundary,
)


@admin.register(GridSettings)
class GridSettingsAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "min_members", "max_members", "households_per_member", "cell_side_m")

    def has_add_permission(self, request):
        # One row holds the rules (GridSettings.current()).
        return not GridSettings.objects.exists() and super().has_add_permission(request)


@admin.register(StreetBoundary)
class StreetBoundaryAdmin(SimpleHistoryAdmin):
    list_display = ("street",)
    raw_id_fields = ("street",)


@admin.register(Grid)
class GridAdmin(SimpleHistoryAdmin):
    list_display = ("name", "place", "branch", "contact", "member_count", "area_m2")
    raw_id_fields = ("place", "branch", "contact")
    search_fields = ("name",)


@admin.register(HouseholdContact)
class HouseholdContactAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "member", "place", "last_contact")
    raw_id_fields = ("place", "enterprise", "grid", "member")
    search_fields = ("name", "address")


admin.site.register(ContactLog, raw_id_fields=("household", "member", "demand"))
admin.site.register(RenovationProject, SimpleHistoryAdmin, raw_id_fields=("place",))
admin.site.register(MediationCase, raw_id_fields=("project",))
