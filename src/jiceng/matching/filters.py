from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import IntegerFilter, SearchFilterSet

from .models import Category, JointConference, ListStatus, Need, Project, ProjectStatus, Resource


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

    class Meta:
        model = Need
        fields = ["q", "category", "status", "conference"]


class ResourceFilterSet(_ListItemFilterSet):
    search_fields = ("title", "description", "location", "unit__name")

    class Meta:
        model = Resource
        fields = ["q", "category", "status", "conference"]


class ProjectFilterSet(SearchFilterSet):
    search_fields = ("need__title", "provider__name", "need__requester_name")
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("类别"))
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("状态"))
    year = IntegerFilter(field_name="claimed_at__year", label=_("认领年份"), min_value=1900, max_value=2100)

    class Meta:
        model = Project
        fields = ["q", "category", "status", "year"]


class ConferenceFilterSet(SearchFilterSet):
    search_fields = ("name", "description")

    class Meta:
        model = JointConference
        fields = ["q"]
