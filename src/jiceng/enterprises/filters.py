import django_filters
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import DISTRICTS, STREETS, ChooserFilter, IntegerFilter, SearchFilterSet
from jiceng.organizations.models import Coverage

from .models import Enterprise, EnterpriseKind, Industry, Ownership


class EnterpriseFilterSet(SearchFilterSet):
    search_fields = ("name", "credit_code")
    pinyin_fields = ("name_pinyin", "name_initials")
    pinyin_lookup = "contains"
    kind = django_filters.ChoiceFilter(choices=EnterpriseKind.choices, label=_("类别"))
    ownership = django_filters.ChoiceFilter(choices=Ownership.choices, label=_("经济类型"))
    industry = django_filters.ChoiceFilter(choices=Industry.choices, label=_("行业"))
    street = ChooserFilter(field_name="street_id", kind="place", place_kinds=STREETS, label=_("街道"))
    district = ChooserFilter(field_name="district_id", kind="place", place_kinds=DISTRICTS, label=_("区"))
    place = ChooserFilter(method="in_place", kind="place", label=_("地域(含下级)"))
    covered = django_filters.BooleanFilter(method="filter_covered", label=_("已组织覆盖"))
    min_employees = IntegerFilter(field_name="employees", lookup_expr="gte", label=_("从业人员≥"))
    lease_end_before = django_filters.DateFilter(field_name="lease_end", lookup_expr="lte",
                                                 label=_("租约到期不晚于"))

    class Meta:
        model = Enterprise
        fields = ["q", "kind", "ownership", "industry", "street", "district", "place", "covered", "min_employees",
                  "lease_end_before"]

    def in_place(self, queryset, name, value):
        from jiceng.places.models import Place

        path = Place.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(place__path__startswith=path) if path else queryset.none()

    def filter_covered(self, queryset, name, value):
        covered = Exists(Coverage.objects.filter(enterprise=OuterRef("pk")))
        return queryset.filter(covered) if value else queryset.exclude(covered)
