"""Pages of micro-grids, household contacts and renovation projects. Thin: every object comes through
`restrict(user)` (404 outside the scope), writes go through `services`, a rule's error is shown with its field."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from jiceng.accounts.permissions import can_write
from jiceng.core.filters import SearchFilterSet
from jiceng.core.tables import KEY, SECONDARY, STATUS, TITLE, Column
from jiceng.core.views import ObjectEditView, ObjectListView, get_scoped_or_404, history_rows
from jiceng.members.models import Member

from . import services
from .api.views import coverage_period
from .forms import (
    AssignForm,
    BranchForm,
    ContactLogForm,
    GridForm,
    GridImportForm,
    HouseholdForm,
    MediationForm,
    RenovationProjectForm,
    RoundForm,
    style,
)
from .models import (
    ContactLog,
    Grid,
    GridMember,
    GridSettings,
    HouseholdContact,
    ProjectStatus,
    RenovationProject,
)


def _errors(request, exc: ValidationError, labels: dict | None = None) -> None:
    labels = labels or {}
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                label = labels.get(name, name)
                messages.error(request, f"{label}: {error}" if name != "__all__" else error)
    else:
        for error in exc.messages:
            messages.error(request, error)


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _labels(model) -> dict:
    return {f.name: str(f.verbose_name) for f in model._meta.fields}


# --- grids -------------------------------------------------------------------------------------------------------

class GridFilterSet(SearchFilterSet):
    search_fields = ("name", "code", "place__name")

    class Meta:
        model = Grid
        fields = ["q", "source"]


class _Warnings:
    """The grid list's warning column, with the thresholds read once per page."""

    def __init__(self):
        self.rules = None

    def __call__(self, grid: Grid) -> str:
        if self.rules is None:
            self.rules = GridSettings.current()
        return ";".join(grid.warnings(self.rules))


class GridListView(ObjectListView):
    model = Grid
    template_name = "grids/grid_list.html"
    filterset_class = GridFilterSet
    related = ("place", "branch", "contact")
    add_url = reverse_lazy("grids:grid_add")

    @cached_property
    def columns(self):  # one per request: the warnings column reads the thresholds once
        warnings = _Warnings()
        return [Column("name", _("网格"), role=TITLE), Column(warnings, _("提醒"), role=STATUS),
                Column("place.name", _("所在地域"), role=KEY), Column("member_count", _("党员数"), role=KEY),
                Column("contact.name", _("网格联络员"), role=KEY),
                Column("branch.name", _("网格党支部"), role=SECONDARY),
                Column("area_km2", _("面积(平方公里)"), role=SECONDARY),
                Column("source", _("来源"), role=SECONDARY)]


class GridEditView(ObjectEditView):
    model = Grid
    form_class = GridForm


class GridDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        grid = Grid.objects.restrict(request.user).select_related("place", "street", "branch", "contact").filter(
            pk=pk).first()
        if grid is None:
            raise Http404
        editable = can_write(request.user, Grid)
        assignments = list(grid.assignments.select_related("member__organization"))
        households = grid.households.count()
        return render(request, "grids/grid_detail.html", {
            "grid": grid, "assignments": assignments, "warnings": grid.warnings(), "households": households,
            "can_edit": editable, "rules": GridSettings.current(),
            "assign_form": AssignForm(members=self._candidates(request.user, grid)) if editable else None,
            "geometry": json.dumps(grid.geometry, ensure_ascii=False), "history": history_rows(grid),
        })

    @staticmethod
    def _candidates(user, grid: Grid):
        """Members of the grid's street not yet in a grid (the select stays short: the street's members)."""
        members = Member.objects.restrict(user).active().filter(grid_assignment__isnull=True)
        if grid.street_id:
            members = members.filter(organization__street=grid.street_id)
        return members.order_by("name", "pk")


class GridAssignView(LoginRequiredMixin, View):
    def post(self, request, pk):
        grid = get_scoped_or_404(Grid, request.user, pk=pk)
        if not can_write(request.user, Grid):
            raise PermissionDenied
        remove = request.POST.get("remove")
        if remove:
            assignment = GridMember.objects.filter(grid=grid, member_id=remove).first()
            if assignment is not None:
                services.remove_member(assignment)
                messages.success(request, _t("已移出网格。"))
            return redirect(grid.get_absolute_url())
        form = AssignForm(request.POST, members=GridDetailView._candidates(request.user, grid))
        if not form.is_valid():
            _form_errors(request, form)
            return redirect(grid.get_absolute_url())
        try:
            services.assign_member(grid, form.cleaned_data["member"], basis=form.cleaned_data["basis"])
        except ValidationError as exc:
            _errors(request, exc, {"member": _t("党员")})
        else:
            messages.success(request, _t("已编入网格。"))
        return redirect(grid.get_absolute_url())


class GridImportView(LoginRequiredMixin, View):
    template_name = "grids/grid_import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_write(request.user, Grid):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": GridImportForm(user=request.user)})

    def post(self, request):
        form = GridImportForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            raw = form.cleaned_data["file"].read(services.MAX_IMPORT_BYTES + 1)
            try:
                with transaction.atomic():
                    grids = services.import_grids(form.cleaned_data["place"], raw)
            except ValidationError as exc:
                for errors in exc.message_dict.values():
                    for error in errors:
                        form.add_error("file", error)
            else:
                messages.success(request, _t("已导入 %(n)d 个网格。") % {"n": len(grids)})
                return redirect(reverse("grids:grid_list"))
        return render(request, self.template_name, {"form": form})


# --- household contacts ------------------------------------------------------------------------------------------

class HouseholdFilterSet(SearchFilterSet):
    search_fields = ("name", "address", "member__name")

    class Meta:
        model = HouseholdContact
        fields = ["q", "kind"]


class HouseholdListView(ObjectListView):
    model = HouseholdContact
    filterset_class = HouseholdFilterSet
    related = ("member", "place", "grid")
    add_url = reverse_lazy("grids:household_add")
    columns = [Column("name", _("户名/字号"), role=TITLE), Column("kind", _("类型"), role=KEY),
               Column("member.name", _("联系党员"), role=KEY), Column("last_contact", _("最近联系"), role=KEY),
               Column("address", _("地址/摊位"), role=SECONDARY), Column("place.name", _("所在地域"), role=SECONDARY),
               Column("grid.name", _("所在网格"), role=SECONDARY)]


class HouseholdEditView(ObjectEditView):
    model = HouseholdContact
    form_class = HouseholdForm


class HouseholdDetailView(LoginRequiredMixin, View):
    def get(self, request, pk, form=None):
        household = HouseholdContact.objects.restrict(request.user).select_related(
            "member", "place", "grid", "enterprise").filter(pk=pk).first()
        if household is None:
            raise Http404
        editable = can_write(request.user, ContactLog)
        return render(request, "grids/household_detail.html", {
            "household": household, "logs": household.logs.select_related("demand", "member")[:50],
            "can_edit": can_write(request.user, HouseholdContact), "can_log": editable,
            "log_form": form or (ContactLogForm(initial={"date": timezone.localdate()}) if editable else None),
            "history": history_rows(household),
        })

    def post(self, request, pk):
        household = get_scoped_or_404(HouseholdContact, request.user, pk=pk)
        if not can_write(request.user, ContactLog):
            raise PermissionDenied
        form = ContactLogForm(request.POST)
        if form.is_valid():
            try:
                log = services.log_contact(household, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _t("已记录联系,并转为需求 %(code)s。") % {"code": log.demand.tracking_code}
                                 if log.demand_id else _t("已记录联系。"))
                return redirect(household.get_absolute_url())
        return self.get(request, pk, form=form)


class LogDemandView(LoginRequiredMixin, View):
    def post(self, request, pk):
        log = get_scoped_or_404(ContactLog, request.user, pk=pk)
        if not can_write(request.user, ContactLog):
            raise PermissionDenied
        try:
            demand = services.raise_demand(log, by=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _t("已转为需求 %(code)s。") % {"code": demand.tracking_code})
        return redirect(log.household.get_absolute_url())


class CoverageView(LoginRequiredMixin, View):
    """Households contacted in a period per member, grid and street."""

    def get(self, request):
        by = request.GET.get("by", "member")
        if by not in services.COVERAGE_BY:
            by = "member"
        try:
            start, end = coverage_period(request.GET)
            rows = services.coverage(HouseholdContact.objects.restrict(request.user), start=start, end=end, by=by)
        except ValidationError as exc:
            _errors(request, exc)
            today = timezone.localdate()
            start, end, rows = today.replace(day=1), today, []
        return render(request, "grids/coverage.html", {
            "rows": rows, "by": by, "start": start, "end": end,
            "choices": [("member", _t("按党员")), ("grid", _t("按网格")), ("street", _t("按街道"))],
            "totals": (sum(r.households for r in rows), sum(r.contacted for r in rows)),
        })


# --- renovation projects -----------------------------------------------------------------------------------------

class ProjectFilterSet(SearchFilterSet):
    search_fields = ("name", "place__name")

    class Meta:
        model = RenovationProject
        fields = ["q", "status"]


def _rate(project: RenovationProject) -> str:
    return f"{project.signing_rate:.1%}"


class ProjectListView(ObjectListView):
    model = RenovationProject
    filterset_class = ProjectFilterSet
    related = ("place",)
    add_url = reverse_lazy("grids:project_add")
    columns = [Column("name", _("项目"), role=TITLE), Column("status", _("状态"), role=STATUS),
               Column("place.name", _("所在地域"), role=KEY), Column("households", _("户数"), role=KEY),
               Column(_rate, _("签约率"), role=KEY), Column("signed", _("已签约户数"), role=SECONDARY),
               Column("branch_name", _("临时党支部"), role=SECONDARY), Column("started", _("启动日期"), role=SECONDARY)]


class ProjectEditView(ObjectEditView):
    model = RenovationProject
    form_class = RenovationProjectForm


class ProjectDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        project = RenovationProject.objects.restrict(request.user).select_related("place", "temporary_branch").filter(
            pk=pk).first()
        if project is None:
            raise Http404
        editable = can_write(request.user, RenovationProject) and project.status == ProjectStatus.ACTIVE
        candidates = Member.objects.restrict(request.user).active().filter(
            organization__street=project.street_id).order_by("name", "pk")
        return render(request, "grids/project_detail.html", {
            "project": project, "rounds": list(project.rounds.all()),
            "mediations": list(project.mediations.all()),
            "branch_members": list(project.branch_members.select_related("member__organization")),
            "can_edit": editable,
            "round_form": style(RoundForm(initial={"number": project.rounds.count() + 1})) if editable else None,
            "mediation_form": style(MediationForm(initial={"opened_on": timezone.localdate()})) if editable else None,
            "branch_form": BranchForm(members=candidates) if editable and not project.temporary_branch_id else None,
            "history": history_rows(project),
        })


class ProjectActionView(LoginRequiredMixin, View):
    def post(self, request, pk, action):
        project = get_scoped_or_404(RenovationProject, request.user, pk=pk)
        if not can_write(request.user, RenovationProject):
            raise PermissionDenied
        forms = {"round": RoundForm, "mediation": MediationForm}
        try:
            if action in forms:
                form = forms[action](request.POST)
                form.instance.project = project
                if not form.is_valid():
                    _form_errors(request, form)
                    return redirect(project.get_absolute_url())
                form.save()
            elif action == "branch":
                candidates = Member.objects.restrict(request.user).active()
                form = BranchForm(request.POST, members=candidates)
                if not form.is_valid():
                    _form_errors(request, form)
                    return redirect(project.get_absolute_url())
                services.set_up_branch(project, name=form.cleaned_data["name"],
                                       members=form.cleaned_data["members"])
            elif action == "end":
                services.end_project(project)
            else:
                raise Http404
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, _t("已保存。"))
        return redirect(project.get_absolute_url())


