"""List filters `target`, `goal` and `theme`, shared by the activity and project lists (pages and API).

`target` and `goal` together ask for that cell of the matrix, not for a row holding the target in one cell and
the goal in another: the report's numbers link to these lists and must match them."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from .tags import Goal, Target, Theme, has_any, select_mask, theme_bit


class MatrixFilterMixin(django_filters.FilterSet):
    target = django_filters.ChoiceFilter(choices=Target.choices, method="filter_cells", label=_("工作对象"))
    goal = django_filters.ChoiceFilter(choices=Goal.choices, method="filter_cells", label=_("工作目标"))
    theme = django_filters.ChoiceFilter(choices=Theme.choices, method="filter_theme", label=_("党建+主题"))

    cells_field = "cells"
    themes_field = "themes"

    def filter_cells(self, queryset, name, value):
        target = self.form.cleaned_data.get("target") or None
        goal = self.form.cleaned_data.get("goal") or None
        if not value or (name == "goal" and target):
            return queryset  # both given: the `target` call filtered by the one cell
        return queryset.filter(has_any(self.cells_field, select_mask(target, goal)))

    def filter_theme(self, queryset, name, value):
        return queryset.filter(has_any(self.themes_field, theme_bit(value))) if value else queryset
