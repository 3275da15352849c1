import django_filters
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import STREETS, ChooserFilter, SearchFilterSet

from .models import Gender, Member, MemberStatus


class MemberFilterSet(SearchFilterSet):
    search_fields = ("name",)
    pinyin_fields = ("name_pinyin", "name_initials")
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices, label=_("党员类别"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("性别"))
    organization = ChooserFilter(field_name="organization_id", kind="organization", label=_("党组织"))
    employer = ChooserFilter(field_name="employer_id", kind="enterprise", label=_("工作单位"))
    street = ChooserFilter(field_name="organization__street_id", kind="place", place_kinds=STREETS,
                           label=_("街道"))
    is_mobile = django_filters.BooleanFilter(label=_("流动党员"))
    left = django_filters.BooleanFilter(method="filter_left", label=_("已转出平台"))

    class Meta:
        model = Member
        fields = ["q", "status", "gender", "organization", "employer", "street", "is_mobile", "left"]

    def filter_left(self, queryset, name, value):
        return queryset.filter(left_on__isnull=not value)
