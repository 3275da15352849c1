from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .forms import ThrottledAdminAuthenticationForm
from .models import AuditEvent, RoleAssignment

# /admin/login/ gets the same login back-off as the application's own login page.
admin.site.login_form = ThrottledAdminAuthenticationForm


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ("user", "role", "place", "organization", "enterprise", "member")
    list_filter = ("role",)
    search_fields = ("user__username",)
    raw_id_fields = ("place", "organization", "enterprise", "member")


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created", "user", "action", "object_type", "object_id", "ip_address")
    list_filter = ("action", "object_type")
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
