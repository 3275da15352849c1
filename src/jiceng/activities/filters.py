from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import ChooserFilter, IntegerFilter, SearchFilterSet
from jiceng.matrix.filters import MatrixFilterMixin

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


class PlaceAndScopeFilters(django_filters.FilterSet):
    """`place` (the organizer's place, with everything under it), `managed` (the activities of the user's own
    places and organizations, without the public ones of elsewhere) and `cancelled`: the filters that make the
    list show what a report counted (jiceng.matrix.report)."""

    place = ChooserFilter(method="filter_place", kind="place", label=_("主办方所在地域"))
    managed = django_filters.BooleanFilter(method="filter_managed", label=_("本辖区、本组织主办"))
    cancelled = django_filters.BooleanFilter(method="filter_cancelled", label=_("已取消"))

    def filter_place(self, queryset, name, value):
        from jiceng.matrix.report import place_subtree
        from jiceng.places.models import Place

        place = Place.objects.filter(pk=value).first() if value else None
        if value and place is None:
            return queryset.none()
        return queryset.filter(place_subtree(place)) if place is not None else queryset

    def filter_managed(self, queryset, name, value):
        if value is None or self.request is None:
            return queryset
        from jiceng.matrix.report import scoped_activities

        managed = Q(pk__in=scoped_activities(self.request.user).order_by().values("pk"))
        return queryset.filter(managed) if value else queryset.exclude(managed)

    def filter_cancelled(self, queryset, name, value):
        if value is None:
            return queryset
        cancelled = Q(status=ActivityStatus.CANCELLED)
        return queryset.filter(cancelled) if value else queryset.exclude(cancelled)


class ActivityFilterSet(MatrixFilterMixin, PlaceAndScopeFilters, SearchFilterSet):
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
        fields = ["q", "kind", "status", "organizer", "date_from", "date_to", "mine", "target", "goal", "theme",
                  "place", "managed", "cancelled"]

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


class ActivityAPIFilterSet(MatrixFilterMixin, PlaceAndScopeFilters):
    """The API list's filters: the fields it always had, and the matrix, place, scope and year filters."""

    year = IntegerFilter(method="filter_year", label=_("年份"), min_value=1900, max_value=2100)

    class Meta:
        model = Activity
        fields = ["kind", "status", "organization", "club", "public", "target", "goal", "theme", "place", "managed",
                  "cancelled", "year"]

    def filter_year(self, queryset, name, value):
        if value is None:
            return queryset
        from jiceng.matrix.report import year_bounds

        start, end = year_bounds(int(value))
        return queryset.filter(start__gte=start, start__lt=end)


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
