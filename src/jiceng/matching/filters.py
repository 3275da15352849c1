from __future__ import annotations

import django_filters
from django.db import models
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import ChooserFilter, IntegerFilter, SearchFilterSet
from jiceng.core.scoping import scope_for
from jiceng.matrix.filters import MatrixFilterMixin

from .models import Category, JointConference, ListStatus, MemberUnit, Need, Project, ProjectStatus, Resource


def my_units(request) -> models.QuerySet[MemberUnit]:
    """The member units the signed-in user is one of the people of (their enterprise, organization, buildings)."""
    if request is None:
        return MemberUnit.objects.none()
    return MemberUnit.objects.filter(MemberUnit.people_q(scope_for(request.user)))


class _ListItemFilterSet(SearchFilterSet):
    search_fields = ("title", "description", "location")
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("类别"))
    status = django_filters.ChoiceFilter(choices=ListStatus.choices, label=_("状态"))
    conference = django_filters.ModelChoiceFilter(queryset=JointConference.objects.none(), label=_("联席会议"))

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["conference"].queryset = JointConference.objects.restrict(request.user)


class NeedFilterSet(_ListItemFilterSet):
    search_fields = ("title", "description", "location", "requester_name")
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("本单位的"))

    class Meta:
        model = Need
        fields = ["q", "category", "status", "conference", "mine"]

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(requester_unit__in=my_units(self.request).values("pk"))


class ResourceFilterSet(_ListItemFilterSet):
    search_fields = ("title", "description", "location", "unit__name")

    class Meta:
        model = Resource
        fields = ["q", "category", "status", "conference"]


class ProjectFilterSet(MatrixFilterMixin, SearchFilterSet):
    search_fields = ("need__title", "provider__name", "need__requester_name")
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("类别"))
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("状态"))
    year = IntegerFilter(field_name="claimed_at__year", label=_("认领年份"), min_value=1900, max_value=2100)
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("本单位的"))
    provided = django_filters.BooleanFilter(method="filter_provided", label=_("本单位认领的"))
    place = ChooserFilter(method="filter_place", kind="place", label=_("联席会议所在地域"))
    cancelled = django_filters.BooleanFilter(method="filter_cancelled", label=_("已取消"))

    class Meta:
        model = Project
        fields = ["q", "category", "status", "year", "mine", "provided", "target", "goal", "theme", "place",
                  "cancelled"]

    def filter_place(self, queryset, name, value):
        from jiceng.matrix.report import project_place_q
        from jiceng.places.models import Place

        place = Place.objects.filter(pk=value).first() if value else None
        if value and place is None:
            return queryset.none()
        return queryset.filter(project_place_q(place)) if place is not None else queryset

    def filter_cancelled(self, queryset, name, value):
        if value is None:
            return queryset
        cancelled = models.Q(status=ProjectStatus.CANCELLED)
        return queryset.filter(cancelled) if value else queryset.exclude(cancelled)

    def filter_mine(self, queryset, name, value):
        """Projects the user's units take part in, as provider or as the need's requester."""
        if not value:
            return queryset
        units = my_units(self.request).values("pk")
        return queryset.filter(models.Q(provider__in=units) | models.Q(need__requester_unit__in=units))

    def filter_provided(self, queryset, name, value):
        """The claims the user's units made (they provide the project)."""
        if not value:
            return queryset
        return queryset.filter(provider__in=my_units(self.request).values("pk"))


class ConferenceFilterSet(SearchFilterSet):
    search_fields = ("name", "description")

    class Meta:
        model = JointConference
        fields = ["q"]
