from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import DeadlineRecomputation, HolidayDate, HolidayYear


class HolidayDateFormSet(BaseInlineFormSet):
    """The year's days are checked together, as the staff page checks them (no empty year, 调休 on weekends)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        days = services.Days(self.instance.year, {}, {})
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE") or not data.get("date"):
                continue
            (days.workdays if data.get("is_workday") else days.days_off)[data["date"]] = data.get("name", "")
        try:
            services.check_days(days)
        except ValidationError as exc:
            raise ValidationError([message for messages_ in exc.message_dict.values() for message in messages_]) \
                from exc
        self.checked_days = days


class HolidayDateInline(admin.TabularInline):
    model = HolidayDate
    formset = HolidayDateFormSet
    extra = 3
    fields = ("date", "is_workday", "name")


@admin.register(HolidayYear)
class HolidayYearAdmin(SimpleHistoryAdmin):
    list_display = ("year", "published", "note", "published_at")
    list_filter = ("published",)
    fields = ("year", "note", "published", "notice_text", "days_summary")
    readonly_fields = ("days_summary",)
    inlines = [HolidayDateInline]
    actions = ["publish"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        year = form.instance
        year.days_summary = services.Days.of(year).summary()
        year.save(update_fields=["days_summary"])
        if year.published:
            count = services.recompute_deadlines(year, user=request.user)
            if count:
                self.message_user(request, _("已按新安排重算 %(n)d 项期限。") % {"n": count})

    @admin.action(description=_("发布所选年份的安排"))
    def publish(self, request, queryset):
        for year in queryset:
            try:
                services.publish(year, user=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{year}: {'; '.join(exc.messages)}", messages.ERROR)


@admin.register(DeadlineRecomputation)
class DeadlineRecomputationAdmin(admin.ModelAdmin):
    list_display = ("holiday_year", "object_type", "label", "old_due", "new_due", "created")
    list_filter = ("holiday_year", "object_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
