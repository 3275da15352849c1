import django_filters
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import IntegerFilter, SearchFilterSet

from .models import Organization, OrgKind


class OrganizationFilterSet(SearchFilterSet):
    kind = django_filters.ChoiceFilter(choices=OrgKind.choices, label=_("类型"))
    parent = IntegerFilter(field_name="parent_id", label=_("上级 ID"))
    street = IntegerFilter(field_name="street_id", label=_("街道 ID"))
    district = IntegerFilter(field_name="district_id", label=_("区 ID"))
    term_end_before = django_filters.DateFilter(field_name="term_end", lookup_expr="lte", label=_("任期届满不晚于"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "parent", "street", "district", "term_end_before"]
