import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import STREETS, ChooserFilter, SearchFilterSet
from jiceng.places.models import Place

from .models import Category, Demand, DemandSource, DemandStatus, Visit, due_on_q, overdue_q


class DemandFilterSet(SearchFilterSet):
    search_fields = ("text", "title", "tracking_code", "requester_enterprise__name")
    status = django_filters.ChoiceFilter(choices=DemandStatus.choices, label=_("状态"))
    category = django_filters.ModelChoiceFilter(queryset=Category.objects.all(), field_name="category",
                                                to_field_name="code", label=_("类别"))
    source = django_filters.ChoiceFilter(choices=DemandSource.choices, label=_("来源"))
    place = ChooserFilter(method="in_place", kind="place", label=_("楼宇/园区"))
    street = ChooserFilter(field_name="street_id", kind="place", place_kinds=STREETS, label=_("街道"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("已超期"))
    due_today = django_filters.BooleanFilter(method="filter_due_today", label=_("今天到期"))
    mine = django_filters.BooleanFilter(method="filter_mine", label=_("派给我的"))
    department = ChooserFilter(field_name="department_id", kind="department", label=_("职能部门"))
    department_state = django_filters.ChoiceFilter(method="filter_department_state", label=_("部门办理"), choices=[
        ("any", _("派给职能部门的")), ("pending", _("待部门签收")), ("signed", _("部门已签收")),
        ("returned", _("部门已退单")), ("callback", _("待回访"))])
    created_after = django_filters.DateFilter(field_name="created", lookup_expr="date__gte", label=_("提交起"))
    created_before = django_filters.DateFilter(field_name="created", lookup_expr="date__lte", label=_("提交止"))

    class Meta:
        model = Demand
        fields = ["q", "status", "category", "source", "place", "street", "overdue", "due_today", "mine",
                  "department", "department_state", "created_after", "created_before"]

    def in_place(self, queryset, name, value):
        path = Place.objects.filter(pk=value).values_list("path", flat=True).first()
        return queryset.filter(place__path__startswith=path) if path else queryset.none()

    def filter_overdue(self, queryset, name, value):
        overdue = overdue_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_due_today(self, queryset, name, value):
        due = due_on_q(timezone.localdate())
        return queryset.filter(due) if value else queryset.exclude(due)

    def filter_department_state(self, queryset, name, value):
        """The street's department board: handed to departments, awaiting 签收, returned, awaiting 回访."""
        from jiceng.departments.services import BOARD_FILTERS, handed_to_departments

        return handed_to_departments(queryset).filter(BOARD_FILTERS[value]) if value in BOARD_FILTERS else queryset

    def filter_mine(self, queryset, name, value):
        if not value or self.request is None:
            return queryset
        return queryset.filter(assignee_user=self.request.user)


class VisitFilterSet(SearchFilterSet):
    search_fields = ("enterprise__name", "notes", "findings")
    enterprise = ChooserFilter(field_name="enterprise_id", kind="enterprise", label=_("企业"))
    date_after = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("日期起"))

    class Meta:
        model = Visit
        fields = ["q", "enterprise", "date_after"]
