import django_filters
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import IntegerFilter, SearchFilterSet

from .models import Place, PlaceKind


class PlaceFilterSet(SearchFilterSet):
    search_fields = ("name", "address", "code")
    kind = django_filters.ChoiceFilter(choices=PlaceKind.choices, label=_("类型"))
    parent = IntegerFilter(field_name="parent_id", label=_("上级 ID"))
    street = IntegerFilter(field_name="street_id", label=_("街道 ID"))
    district = IntegerFilter(field_name="district_id", label=_("区 ID"))

    class Meta:
        model = Place
        fields = ["q", "kind", "parent", "street", "district"]
