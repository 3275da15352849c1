import django_filters
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import IntegerFilter, SearchFilterSet

from .models import Gender, Member, MemberStatus


class MemberFilterSet(SearchFilterSet):
    search_fields = ("name",)
    pinyin_fields = ("name_pinyin", "name_initials")
    status = django_filters.ChoiceFilter(choices=MemberStatus.choices, label=_("党员类别"))
    gender = django_filters.ChoiceFilter(choices=Gender.choices, label=_("性别"))
    organization = IntegerFilter(field_name="organization_id", label=_("党组织 ID"))
    employer = IntegerFilter(field_name="employer_id", label=_("工作单位 ID"))
    street = IntegerFilter(field_name="organization__street_id", label=_("街道 ID"))
    is_mobile = django_filters.BooleanFilter(label=_("流动党员"))
    left = django_filters.BooleanFilter(method="filter_left", label=_("已转出平台"))

    class Meta:
        model = Member
        fields = ["q", "status", "gender", "organization", "employer", "street", "is_mobile", "left"]

    def filter_left(self, queryset, name, value):
        return queryset.filter(left_on__isnull=not value)
