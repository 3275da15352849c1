"""Assigned work (党组织分配的工作): the list (with the overdue, undone tasks the six-month rule reports), and the
form to assign a task or record it done. The rules are in the model (AssignedWork.clean)."""

from __future__ import annotations

import django_filters
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jiceng.core.filters import ChooserFilter, SearchFilterSet
from jiceng.core.forms import ScopedModelForm
from jiceng.core.tables import KEY, STATUS, Column
from jiceng.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from jiceng.organizations.models import OrgKind

from .models import AssignedWork


class WorkState:
    OVERDUE = "overdue"
    OPEN = "open"
    DONE = "done"
    CHOICES = [(OVERDUE, _("逾期未完成")), (OPEN, _("未完成")), (DONE, _("已完成"))]


class AssignedWorkFilterSet(SearchFilterSet):
    search_fields = ("task", "member__name")
    state = django_filters.ChoiceFilter(choices=WorkState.CHOICES, method="filter_state", label=_("完成情况"))
    member = ChooserFilter(field_name="member_id", kind="member", label=_("党员"))
    organization = ChooserFilter(field_name="organization_id", kind="organization", label=_("党组织"))

    class Meta:
        model = AssignedWork
        fields = ["q", "state", "member", "organization"]

    def filter_state(self, queryset, name, value):
        if value == WorkState.OVERDUE:
            return queryset.overdue()
        if value == WorkState.OPEN:
            return queryset.filter(done__isnull=True)
        if value == WorkState.DONE:
            return queryset.filter(done__isnull=False)
        return queryset


def state_label(work: AssignedWork) -> str:
    if work.done:
        return str(_("已完成"))
    return str(_("逾期未完成")) if work.due and work.due < timezone.localdate() else str(_("未完成"))


COLUMNS = [
    Column("task", _("工作任务"), link=True),
    Column("member.name", _("党员"), role=KEY),
    Column("organization.name", _("分配党组织"), role=KEY),
    Column("assigned", _("分配日期")),
    Column("due", _("完成期限"), role=KEY),
    Column("done", _("完成日期")),
    Column(state_label, _("完成情况"), role=STATUS),
]


class AssignedWorkForm(ScopedModelForm):
    class Meta:
        model = AssignedWork
        fields = ["task", "member", "organization", "assigned", "due", "done"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = self.fields["member"].queryset.filter(left_on__isnull=True).order_by(
            "name", "pk")
        self.fields["organization"].queryset = self.fields["organization"].queryset.exclude(
            kind=OrgKind.PARTY_GROUP).order_by("path")

    def save(self, commit=True):
        if self.user is not None and getattr(self.user, "pk", None):
            self.instance.recorded_by = self.user
        return super().save(commit=commit)


class AssignedWorkListView(ObjectListView):
    model = AssignedWork
    filterset_class = AssignedWorkFilterSet
    columns = COLUMNS
    related = ("member", "organization")
    add_url = reverse_lazy("members:work_add")


class AssignedWorkEditView(ObjectEditView):
    model = AssignedWork
    form_class = AssignedWorkForm


class AssignedWorkDetailView(ObjectDetailView):
    model = AssignedWork
    fields = COLUMNS

    def get_queryset(self):
        return super().get_queryset().select_related("member", "organization")

    def get_context_data(self, **kwargs):
        from django.urls import reverse

        ctx = super().get_context_data(**kwargs)
        ctx["edit_url"] = reverse("members:work_edit", args=[self.object.pk])
        return ctx
