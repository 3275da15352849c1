from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CommitteeMember, Coverage, Organization


class CoverageInline(admin.TabularInline):
    model = Coverage
    raw_id_fields = ("enterprise",)
    extra = 0


class CommitteeInline(admin.TabularInline):
    model = CommitteeMember
    raw_id_fields = ("member",)
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "parent", "place", "term_end")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("parent", "place", "secretary")
    inlines = [CoverageInline, CommitteeInline]
