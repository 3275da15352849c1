import django_filters
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import DISTRICTS, STREETS, ChooserFilter, SearchFilterSet

from .models import Place, PlaceKind


class PlaceFilterSet(SearchFilterSet):
    search_fields = ("name", "address", "code")
    kind = django_filters.ChoiceFilter(choices=PlaceKind.choices, label=_("类型"))
    parent = ChooserFilter(field_name="parent_id", kind="place", label=_("上级"))
    street = ChooserFilter(field_name="street_id", kind="place", place_kinds=STREETS, label=_("街道"))
    district = ChooserFilter(field_name="district_id", kind="place", place_kinds=DISTRICTS, label=_("区"))

    class Meta:
        model = Place
        fields = ["q", "kind", "parent", "street", "district"]
