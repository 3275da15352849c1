"""FilterSet base with a `q` search box; pinyin-aware search for Chinese names."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SearchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    search_fields: tuple[str, ...] = ("name",)
    # Fields holding pinyin keys (full, initials): ASCII queries also match them by prefix.
    pinyin_fields: tuple[str, ...] = ()

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
                q |= Q(**{f"{field}__startswith": key})
        return queryset.filter(q)
