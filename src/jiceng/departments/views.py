"""Department pages: the list of a district's departments and one department with its open work. Thin: scope by
`restrict(user)`, rules in models/services."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import SearchFilterSet
from jiceng.core.tables import KEY, SECONDARY, STATUS, TITLE, Column
from jiceng.core.views import ObjectDetailView, ObjectListView

from .models import Department, DepartmentState


class DepartmentFilterSet(SearchFilterSet):
    search_fields = ("name", "short_name")

    class Meta:
        model = Department
        fields = ["q", "active"]


class DepartmentListView(ObjectListView):
    model = Department
    filterset_class = DepartmentFilterSet
    related = ("district",)
    columns = [Column("name", _("名称"), role=TITLE), Column("active", _("启用"), role=STATUS),
               Column("short_name", _("简称"), role=KEY), Column("district.name", _("所属区"), role=KEY),
               Column("phone", _("联系电话"), role=KEY), Column("sign_days", _("签收时限(工作日)"), role=SECONDARY)]


class DepartmentDetailView(ObjectDetailView):
    model = Department
    template_name = "departments/department_detail.html"
    fields = [Column("short_name", _("简称")), Column("district.name", _("所属区")), Column("phone", _("联系电话")),
              Column("sign_days", _("签收时限(工作日)")), Column("active", _("启用"))]

    def get_queryset(self):
        return super().get_queryset().select_related("district")

    def get_context_data(self, **kwargs):
        from jiceng.demands.models import Demand, DemandStatus

        ctx = super().get_context_data(**kwargs)
        # Counted among the demands the reader may see (a street sees its own streets' work with this department).
        work = Demand.objects.restrict(self.request.user).filter(department=self.object).order_by()
        ctx["counts"] = work.aggregate(
            pending=Count("pk", filter=Q(department_state=DepartmentState.PENDING, status=DemandStatus.ASSIGNED)),
            signed=Count("pk", filter=Q(department_state=DepartmentState.SIGNED, status=DemandStatus.ASSIGNED)),
            returned=Count("pk", filter=Q(department_state=DepartmentState.RETURNED, status=DemandStatus.ACCEPTED)),
            done=Count("pk", filter=Q(status__in=(DemandStatus.RESOLVED, DemandStatus.CLOSED))))
        ctx["users"] = list(self.object.users().order_by("username")[:20])
        return ctx
