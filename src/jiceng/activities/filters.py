from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import SearchFilterSet

from .models import (
    ACTIVE_SIGNUP_STATUSES,
    Activity,
    ActivityKind,
    ActivityStatus,
    Attendance,
    Club,
    ClubKind,
    SignUp,
)

ORGANIZER_TYPES = [("organization", _("党组织")), ("club", _("社团")), ("station", _("党群服务站")),
                   ("conference", _("联席会议"))]


class ActivityFilterSet(SearchFilterSet):
    search_fields = ("title", "speaker_name", "location", "description")
    kind = django_filters.ChoiceFilter(choices=ActivityKind.choices, label=_("类型"))
    status = django_filters.ChoiceFilter(choices=ActivityStatus.choices, label=_("状态"))
    organizer = django_filters.ChoiceFilter(choices=ORGANIZER_TYPES, method="filter_organizer", label=_("主办方"))
    date_from = django_filters.DateFilter(field_name="start", lookup_expr="date__gte", label=_("开始日期从"),
                                          widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(field_name="start", lookup_expr="date__lte", label=_("至"),
                                        widget=forms.DateInput(attrs={"type": "date"}))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("我的活动"),
                                        widget=forms.CheckboxInput)

    class Meta:
        model = Activity
        fields = ["q", "kind", "status", "organizer", "date_from", "date_to", "mine"]

    def filter_organizer(self, queryset, name, value):
        return queryset.filter(**{f"{value}__isnull": False}) if value else queryset

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        from jiceng.core.scoping import scope_for

        members = scope_for(self.request.user).member_ids
        return queryset.filter(
            Q(pk__in=SignUp.objects.filter(member_id__in=members, status__in=ACTIVE_SIGNUP_STATUSES)
              .values("activity"))
            | Q(pk__in=Attendance.objects.filter(member_id__in=members).values("activity"))
            | Q(created_by=self.request.user))


def by_organizer(queryset, params):
    """`?organization=` (with its party groups) and `?club=`: links from organization and club pages."""
    from jiceng.organizations.models import Organization

    org, club = params.get("organization", ""), params.get("club", "")
    if org:
        found = Organization.objects.filter(pk=org).first() if org.isdigit() else None
        queryset = queryset.filter(found.subtree_q()) if found else queryset.none()
    if club:
        queryset = queryset.filter(club_id=club) if club.isdigit() else queryset.none()
    return queryset


class ClubFilterSet(SearchFilterSet):
    search_fields = ("name", "description")
    kind = django_filters.ChoiceFilter(choices=ClubKind.choices, label=_("类型"))
    active = django_filters.BooleanFilter(label=_("活跃"))

    class Meta:
        model = Club
        fields = ["q", "kind", "active"]
