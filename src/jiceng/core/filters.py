"""FilterSet base with a `q` search box; pinyin-aware search for Chinese names."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The largest integer every supported database stores (SQLite and PostgreSQL bigint).
MAX_INT = 2**63 - 1


class IntegerFilter(django_filters.NumberFilter):
    """An integer filter whose out-of-range values are invalid input (400 in the API), not a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -MAX_INT)
        kwargs.setdefault("max_value", MAX_INT)
        super().__init__(*args, **kwargs)


class SearchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    search_fields: tuple[str, ...] = ("name",)
    # Fields holding pinyin keys (full, initials): ASCII queries also match them.
    pinyin_fields: tuple[str, ...] = ()
    # Personal names match from the start (zs → 张三); company names anywhere (pd → 上海攀达…).
    pinyin_lookup = "startswith"

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        q = Q()
        for field in self.search_fields:
            q |= Q(**{f"{field}__icontains": value})
        if self.pinyin_fields and value.isascii() and value.replace(" ", "").isalpha():
            key = value.replace(" ", "").lower()
            for field in self.pinyin_fields:
                q |= Q(**{f"{field}__{self.pinyin_lookup}": key})
        return queryset.filter(q)
