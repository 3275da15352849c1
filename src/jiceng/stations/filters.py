import django_filters
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import STREETS, ChooserFilter, SearchFilterSet

from .models import Amenity, Station, StationLevel


class StationListFilterSet(SearchFilterSet):
    search_fields = ("place__name", "place__address")
    level = django_filters.ChoiceFilter(choices=StationLevel.choices, label=_("层级"))
    amenity = django_filters.ModelChoiceFilter(field_name="amenities", queryset=Amenity.objects.all(),
                                               to_field_name="code", label=_("设施"))
    street = ChooserFilter(field_name="street_id", kind="place", place_kinds=STREETS, label=_("街道"))

    class Meta:
        model = Station
        fields = ["q", "level", "amenity", "street"]
