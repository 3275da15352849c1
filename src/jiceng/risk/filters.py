from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import ChooserFilter, SearchFilterSet
from jiceng.enterprises.models import Enterprise
from jiceng.places.models import Place

from .choices import FollowUpStatus, RiskLevel, SignalSource
from .models import EnterpriseRisk, FollowUp, Signal


def _in_place(queryset, path_field: str, value):
    path = Place.objects.filter(pk=value).values_list("path", flat=True).first()
    return queryset.filter(**{f"{path_field}__startswith": path}) if path else queryset.none()


class RiskListFilterSet(SearchFilterSet):
    """The sortable risk list (enterprises annotated with `risk_level`/`risk_score` by selectors.with_risk)."""

    search_fields = ("name", "credit_code")
    pinyin_fields = ("name_pinyin", "name_initials")
    place = ChooserFilter(method="filter_place", kind="place", label=_("街道/楼宇"))
    level = django_filters.ChoiceFilter(field_name="risk_level", choices=RiskLevel.choices, label=_("等级"))
    min_score = django_filters.NumberFilter(field_name="risk_score", lookup_expr="gte", label=_("分值≥"))
    overridden = django_filters.BooleanFilter(field_name="risk__override_level", lookup_expr="isnull", exclude=True,
                                              label=_("人工调整"))
    sort = django_filters.OrderingFilter(
        fields=(("risk_score", "score"), ("risk_level", "level"), ("name", "name"), ("risk__updated", "updated")),
        label=_("排序"))

    class Meta:
        model = Enterprise
        fields = ["q", "place", "level", "min_score", "overridden", "sort"]

    def filter_place(self, queryset, name, value):
        return _in_place(queryset, "place__path", value)


class FollowUpFilterSet(SearchFilterSet):
    search_fields = ("enterprise__name", "action", "outcome")
    status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices, label=_("状态"))
    level = django_filters.ChoiceFilter(choices=RiskLevel.choices, label=_("等级"))
    place = ChooserFilter(method="filter_place", kind="place", label=_("街道/楼宇"))
    enterprise = ChooserFilter(field_name="enterprise_id", kind="enterprise", label=_("企业"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已超期"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("我负责的"))

    class Meta:
        model = FollowUp
        fields = ["q", "status", "level", "place", "enterprise", "overdue", "mine"]

    def filter_place(self, queryset, name, value):
        return _in_place(queryset, "enterprise__place__path", value)

    def filter_overdue(self, queryset, name, value):
        overdue = Q(status=FollowUpStatus.OPEN, due_date__lt=timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(assignees=self.request.user)


class SignalFilterSet(django_filters.FilterSet):
    enterprise = django_filters.NumberFilter(field_name="enterprise_id", label=_("企业 ID"))
    type = django_filters.CharFilter(field_name="type__code", label=_("信号类型"))
    source = django_filters.ChoiceFilter(choices=SignalSource.choices, label=_("来源"))
    live_on = django_filters.DateFilter(method="filter_live", label=_("在该日有效"))

    class Meta:
        model = Signal
        fields = ["enterprise", "type", "source", "live_on"]

    def filter_live(self, queryset, name, value):
        return queryset.filter(observed_on__lte=value, expires_on__gt=value)


class EnterpriseRiskFilterSet(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(field_name="effective_level", choices=RiskLevel.choices, label=_("等级"))
    street = django_filters.NumberFilter(field_name="enterprise__street_id", label=_("街道 ID"))
    place = django_filters.NumberFilter(method="filter_place", label=_("地域 ID(含下级)"))
    min_score = django_filters.NumberFilter(field_name="score", lookup_expr="gte", label=_("分值≥"))

    class Meta:
        model = EnterpriseRisk
        fields = ["level", "street", "place", "min_score"]

    def filter_place(self, queryset, name, value):
        return _in_place(queryset, "enterprise__place__path", value)
