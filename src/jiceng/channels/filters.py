import django_filters
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import SearchFilterSet

from .models import Channel, Delivery, Status


class DeliveryFilterSet(SearchFilterSet):
    search_fields = ("summary", "event")
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("渠道"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("状态"))

    class Meta:
        model = Delivery
        fields = ["q", "channel", "status"]
