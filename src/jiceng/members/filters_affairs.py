import django_filters
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import ChooserFilter, SearchFilterSet

from .models import Application, Stage, Transfer, TransferDirection, TransferState


class ApplicationFilterSet(SearchFilterSet):
    search_fields = ("name",)
    pinyin_fields = ("name_pinyin", "name_initials")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("阶段"))
    organization = ChooserFilter(field_name="organization_id", kind="organization", label=_("党组织"))

    class Meta:
        model = Application
        fields = ["q", "stage", "organization"]


class TransferFilterSet(SearchFilterSet):
    search_fields = ("letter_no", "member__name", "external_organization")
    state = django_filters.ChoiceFilter(choices=TransferState.choices, label=_("状态"))
    direction = django_filters.ChoiceFilter(choices=TransferDirection.choices, label=_("类型"))
    member = ChooserFilter(field_name="member_id", kind="member", label=_("党员"))
    awaiting = django_filters.BooleanFilter(method="filter_awaiting", label=_("待我办理"))

    class Meta:
        model = Transfer
        fields = ["q", "state", "direction", "member", "awaiting"]

    def filter_awaiting(self, queryset, name, value):
        if value is None or self.request is None:
            return queryset
        from .transfers import awaiting_q

        q = awaiting_q(self.request.user)
        return queryset.filter(q) if value else queryset.exclude(q)
