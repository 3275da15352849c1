from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import CommitteeMember, Coverage, Organization, TermLength


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
    list_display = ("name", "kind", "parent", "place", "term_start", "term_end", "end_date", "transfer_authority")
    list_filter = ("kind", "transfer_authority")
    readonly_fields = ("term_end",)
    search_fields = ("name",)
    raw_id_fields = ("parent", "place", "secretary")
    inlines = [CoverageInline, CommitteeInline]


@admin.register(TermLength)
class TermLengthAdmin(SimpleHistoryAdmin):
    """Term length per organization kind; saving a row recomputes the stored term ends (decision 040)."""

    list_display = ("kind", "years", "source")
