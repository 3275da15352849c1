import django_filters
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import DISTRICTS, STREETS, ChooserFilter, SearchFilterSet

from .models import Organization, OrgKind


class OrganizationFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label=_("类型"))
    parent = ChooserFilter(field_name="parent_id", kind="organization", label=_("上级党组织"))
    street = ChooserFilter(field_name="street_id", kind="place", place_kinds=STREETS, label=_("街道"))
    district = ChooserFilter(field_name="district_id", kind="place", place_kinds=DISTRICTS, label=_("区"))
    term_end_before = django_filters.DateFilter(field_name="term_end", lookup_expr="lte", label=_("任期届满不晚于"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "parent", "street", "district", "term_end_before"]
