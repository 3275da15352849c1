"""FilterSet base with a `q` search box; pinyin-aware search for Chinese names; filters that choose a place,
organization, enterprise or member by name (core/choosers.py); "全部" for every empty choice."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_filters.conf import settings as filter_settings

from . import choosers

# The largest integer every supported database stores (SQLite and PostgreSQL bigint).
MAX_INT = 2**63 - 1


class IntegerFilter(django_filters.NumberFilter):
    """An integer filter whose out-of-range values are invalid input (400 in the API), not a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -MAX_INT)
        kwargs.setdefault("max_value", MAX_INT)
        super().__init__(*args, **kwargs)


ALL = _("全部")
STREETS = ("street",)
DISTRICTS = ("district",)


class YesNoSelect(forms.NullBooleanSelect):
    """Yes/no filters offer 全部 / 是 / 否: the empty choice means "do not filter", which Django's "Unknown"
    (未知) does not say. The values stay "true"/"false", so links and the API read the same."""

    def __init__(self, attrs=None):
        forms.Select.__init__(self, attrs, (("", ALL), ("true", _("是")), ("false", _("否"))))

    def format_value(self, value):
        # A list, as ChoiceWidget compares options against (the parent's string would make "" match any value).
        answer = super().format_value(value)
        return ["" if answer == "unknown" else answer]


class ChooserWidget(forms.Select):
    """A select holding "全部" and the chosen option only, named in the user's scope; jiceng.js makes it a search
    box over `choices/<kind>/` (docs/decisions/047). Without JavaScript it still shows and keeps the choice."""

    def __init__(self, kind: str, *, place_kinds: tuple[str, ...] = (), attrs=None):
        super().__init__(attrs)
        self.kind, self.place_kinds = kind, tuple(place_kinds)
        self.user = None  # set by ChooserFilter from the FilterSet's request

    def get_context(self, name, value, attrs):
        url = reverse("choices", args=[self.kind])
        if self.place_kinds:
            url += "?kinds=" + ",".join(self.place_kinds)
        chosen = value[0] if isinstance(value, list | tuple) and value else value
        choices = [("", ALL)]
        if chosen not in (None, ""):
            label = choosers.label_for(self.kind, self.user, chosen)
            # An id outside the scope keeps its number only: its name is not the user's to see.
            choices.append((str(chosen), label or f"#{chosen}"))
        self.choices = choices
        attrs = {**(attrs or {}), "data-chooser": url, "data-chooser-placeholder": _("输入名称搜索"),
                 "data-chooser-empty": _("没有匹配的名称"), "data-chooser-all": ALL}
        return super().get_context(name, value, attrs)


class ChooserFilter(IntegerFilter):
    """An id filter (`?street=5`) chosen by name. kind: a key of core.choosers.CHOOSERS."""

    def __init__(self, *args, kind: str, place_kinds: tuple[str, ...] = (), **kwargs):
        kwargs.setdefault("widget", ChooserWidget(kind, place_kinds=place_kinds))
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        request = getattr(getattr(self, "parent", None), "request", None)
        field.widget.user = getattr(request, "user", None)
        return field


class SearchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"))
    search_fields: tuple[str, ...] = ("name",)
    # Fields holding pinyin keys (full, initials): ASCII queries also match them.
    pinyin_fields: tuple[str, ...] = ()
    # Personal names match from the start (zs → 张三); company names anywhere (pd → 上海攀达…).
    pinyin_lookup = "startswith"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            # A form field built earlier on the class's filter (the API schema builds them) would ignore the
            # changes below: this instance builds its own.
            filter_.__dict__.pop("_field", None)
            if isinstance(filter_, django_filters.BooleanFilter):
                filter_.extra.setdefault("widget", YesNoSelect)
            elif (isinstance(filter_, django_filters.ChoiceFilter)
                  and filter_.extra.get("empty_label", filter_settings.EMPTY_CHOICE_LABEL)
                  == filter_settings.EMPTY_CHOICE_LABEL):
                # "---------" says nothing; an empty sort is the list's default order.
                is_sort = isinstance(filter_, django_filters.OrderingFilter)
                filter_.extra["empty_label"] = _("默认") if is_sort else ALL

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
