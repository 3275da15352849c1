"""Risk pages: the colour board per street/building, the sortable list (with Excel export), the follow-up board,
and one enterprise's risk page (explanation, level history chart, override and record-signal forms).

Views parse, check scope and role, call `services`, render. Every enterprise comes through
`Enterprise.objects.restrict(user)`, so one outside the user's scope is a 404.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import generic

from jiceng.accounts.models import AuditEvent
from jiceng.accounts.permissions import can_write
from jiceng.core import audit
from jiceng.core.excel import objects_to_sheet, xlsx_response
from jiceng.core.forms import add_service_errors
from jiceng.core.reversing import pk_url
from jiceng.core.tables import Column
from jiceng.core.views import ObjectListView, get_scoped_or_404
from jiceng.demands.models import Visit
from jiceng.enterprises.models import Enterprise

from . import selectors, services
from .choices import LEVEL_HEX, FollowUpStatus, RiskLevel
from .filters import FollowUpFilterSet, RiskListFilterSet
from .forms import CloseFollowUpForm, OverrideForm, SignalForm
from .models import EnterpriseRisk, FollowUp, LevelChange, Signal


def _level_label(enterprise) -> str:
    return str(RiskLevel(enterprise.risk_level).label)


def _colour_label(enterprise) -> str:
    return RiskLevel(enterprise.risk_level).colour_label


LIST_COLUMNS = [
    Column("name", _("企业")),
    Column("place.name", _("楼宇/园区")),
    Column("risk_score", _("风险分值")),
    Column(_level_label, _("风险等级")),
    Column(_colour_label, _("颜色")),
    Column(lambda e: e.risk.override_level is not None if hasattr(e, "risk") else False, _("人工调整")),
    Column(lambda e: e.risk.updated if hasattr(e, "risk") else None, _("更新时间")),
]


class PlaceMixin(LoginRequiredMixin):
    """The place filter (`?place=`) shared by the board, the list and the follow-up board."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.place = selectors.scoped_place(request.user, request.GET.get("place"))
        return super().dispatch(request, *args, **kwargs)

    def enterprises(self):
        return selectors.in_place(Enterprise.objects.restrict(self.request.user), self.place)

    def place_context(self) -> dict:
        return {"place": self.place, "place_choices": selectors.place_choices(self.request.user),
                "levels": [RiskLevel.info(v) for v in RiskLevel.values]}


def board_tiles(enterprises) -> list[dict]:
    """Tiles of the colour-block chart, their text and links made here: a street shows its 1,300 enterprises, and
    resolving the link, the labels and the truncation per tile in the template took 0.1 s of the page's 0.23 s. The
    five levels' labels are read once (in the active language)."""
    score = _t("分值")
    infos = {value: RiskLevel.info(value) for value in (None, *RiskLevel.values)}
    tiles = []
    for enterprise in enterprises:
        info, name = infos.get(enterprise.risk_level) or RiskLevel.info(enterprise.risk_level), enterprise.name
        tiles.append({"pk": enterprise.pk, "url": pk_url("risk:enterprise", enterprise.pk),
                      "short": Truncator(name).chars(24), "colour": info["colour"], "value": info["value"],
                      "title": f"{name} · {info['label']} · {score} {enterprise.risk_score}"})
    return tiles


class BoardView(PlaceMixin, generic.TemplateView):
    template_name = "risk/board.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        enterprises = self.enterprises()
        level = self.request.GET.get("level", "")
        counts = selectors.level_counts(enterprises)
        total = sum(c["count"] for c in counts)
        tiles = selectors.with_risk(enterprises).select_related("place").order_by("place__path", "name", "pk")
        if level.isdigit():
            tiles = tiles.filter(risk_level=int(level))
        grid = None
        if total <= selectors.GRID_LIMIT:
            grid = [(place, board_tiles(group)) for place, group in groupby(tiles, key=lambda e: e.place)]
        follow_ups = FollowUp.objects.restrict(self.request.user).filter(status=FollowUpStatus.OPEN)
        if self.place is not None:
            follow_ups = follow_ups.filter(enterprise__place__path__startswith=self.place.path)
        ctx.update(self.place_context(), counts=counts, total=total, grid=grid, level=level,
                   grid_limit=selectors.GRID_LIMIT, changes=selectors.changed_since(enterprises),
                   follow_up_counts=follow_ups.aggregate(
                       open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=timezone.localdate()))))
        return ctx


class RiskListView(PlaceMixin, ObjectListView):
    """Sortable list with score and level; `?export=xlsx` exports the same columns."""

    model = Enterprise
    filterset_class = RiskListFilterSet
    columns = LIST_COLUMNS
    related = ("place", "risk")
    template_name = "risk/risk_list.html"

    def scoped_queryset(self):
        return selectors.with_risk(Enterprise.objects.restrict(self.request.user)).order_by("-risk_score", "name")

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            rows = self.get_queryset()[: self.export_limit]
            audit.record(request, AuditEvent.Action.EXPORT, object_type="risk.enterpriserisk",
                         detail=request.GET.urlencode())
            return xlsx_response("risk-levels.xlsx", [objects_to_sheet(_t("企业风险等级"), self.columns, rows)])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(self.place_context())
        ctx["rows"] = [(obj, RiskLevel.info(obj.risk_level), values) for obj, values in ctx["rows"]]
        ctx["sort"] = self.request.GET.get("sort", "")
        params = self.request.GET.copy()
        for key in ("page", "sort", "export"):
            params.pop(key, None)
        ctx["sort_querystring"] = params.urlencode()
        return ctx


class FollowUpBoardView(PlaceMixin, generic.ListView):
    template_name = "risk/follow_ups.html"
    paginate_by = 50

    def get_queryset(self):
        qs = FollowUp.objects.restrict(self.request.user).select_related("enterprise", "enterprise__place",
                                                                         "department", "closed_by")
        qs = qs.prefetch_related("assignees")
        data = self.request.GET.copy()
        data.setdefault("status", FollowUpStatus.OPEN)
        self.filterset = FollowUpFilterSet(data, queryset=qs, request=self.request)
        return self.filterset.qs.order_by("status", "due_date", "-level", "pk")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        today = timezone.localdate()
        params = self.request.GET.copy()
        params.pop("page", None)
        ctx.update(self.place_context(), filterset=self.filterset, today=today, querystring=params.urlencode(),
                   can_close=can_write(self.request.user, FollowUp), close_form=CloseFollowUpForm(),
                   departments=_departments(self.request.user),
                   rows=[(f, f.is_overdue(today)) for f in ctx["object_list"]])
        return ctx


def _departments(user) -> list:
    """The departments a street may hand follow-ups to (each row offers its enterprise's district's)."""
    from jiceng.departments.models import Department

    return list(Department.objects.restrict(user).filter(active=True)) if can_write(user, FollowUp) else []


class FollowUpDepartmentView(LoginRequiredMixin, generic.View):
    """Hand a follow-up to a department (the street), and the department's 签收 / 退单 (issue 19)."""

    def post(self, request, pk, action):
        from jiceng.departments.models import Department

        follow_up = get_object_or_404(FollowUp.objects.restrict(request.user).select_related("enterprise"), pk=pk)
        try:
            if action == "assign":
                department = Department.objects.restrict(request.user).filter(
                    pk=request.POST.get("department") if str(request.POST.get("department", "")).isdigit() else 0
                ).first()
                services.assign_follow_up(follow_up, department=department, user=request.user)
                done = _t("已派给职能部门:%(name)s") % {"name": department}
            elif action == "sign":
                services.sign_follow_up(follow_up, user=request.user)
                done = _t("已签收:%(name)s") % {"name": follow_up.enterprise.name}
            elif action == "return":
                services.return_follow_up(follow_up, user=request.user, reason=request.POST.get("reason", ""))
                done = _t("已退回街道:%(name)s") % {"name": follow_up.enterprise.name}
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except PermissionDenied as exc:
            messages.error(request, str(exc) or _t("您的角色不能办理风险跟进。"))
        else:
            messages.success(request, done)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("demands:inbox") if action != "assign" else reverse("risk:follow_ups")
        return redirect(target)


class FollowUpCloseView(LoginRequiredMixin, generic.View):
    def post(self, request, pk):
        follow_up = get_object_or_404(FollowUp.objects.restrict(request.user).select_related("enterprise"), pk=pk)
        form = CloseFollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.close_follow_up(follow_up, outcome=form.cleaned_data["outcome"], user=request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _t("已记录跟进结果:%(name)s") % {"name": follow_up.enterprise.name})
        else:
            for errors in form.errors.values():
                for message in errors:
                    messages.error(request, message)
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("risk:follow_ups")
        return redirect(target)


class EnterpriseRiskView(LoginRequiredMixin, generic.View):
    """One enterprise: level, score, the explanation, the level history chart, follow-ups and the forms."""

    template_name = "risk/enterprise.html"

    def get(self, request, pk):
        return self.render(request, get_scoped_or_404(Enterprise, request.user, pk=pk))

    def render(self, request, enterprise, *, signal_form=None, override_form=None, status=200):
        today = timezone.localdate()
        risk = services.risk_for(enterprise)
        explanation = services.explain(enterprise)
        ctx = {
            "enterprise": enterprise, "risk": risk, "level": risk.level_info,
            "computed": RiskLevel.info(risk.computed_level),
            "explanation": explanation, "explained_score": services.score_of(explanation),
            "changes": LevelChange.objects.filter(enterprise=enterprise).select_related("by")[:50],
            "history": services.level_history(enterprise),
            "chart_levels": {str(v): {"label": str(RiskLevel(v).label), "colour": LEVEL_HEX[v]}
                             for v in RiskLevel.values},
            "follow_ups": [(f, f.is_overdue(today)) for f in enterprise.risk_follow_ups
                           .select_related("closed_by", "department").prefetch_related("assignees")
                           .order_by("status", "-created")],
            "today": today,
            "can_record": can_write(request.user, Signal),
            "can_visit": can_write(request.user, Visit),
            "can_override": can_write(request.user, EnterpriseRisk),
            "can_close": can_write(request.user, FollowUp), "departments": _departments(request.user),
            "signal_form": signal_form or SignalForm(),
            "override_form": override_form or OverrideForm(initial={"level": risk.override_level}),
            "close_form": CloseFollowUpForm(),
            "thresholds": services.thresholds().as_dict(),
        }
        return render(request, self.template_name, ctx, status=status)


class RecordSignalView(EnterpriseRiskView):
    def get(self, request, pk):
        return redirect("risk:enterprise", pk=pk)

    def post(self, request, pk):
        enterprise = get_scoped_or_404(Enterprise, request.user, pk=pk)
        if not can_write(request.user, Signal):
            raise PermissionDenied
        form = SignalForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.record_signal(enterprise=enterprise, type=data["type"], user=request.user,
                                       observed_on=data["observed_on"], evidence=data.get("evidence", ""),
                                       points=data.get("points"))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _t("已记录风险信号并重新计算等级。"))
                return redirect("risk:enterprise", pk=pk)
        return self.render(request, enterprise, signal_form=form, status=400)


class OverrideView(EnterpriseRiskView):
    def get(self, request, pk):
        return redirect("risk:enterprise", pk=pk)

    def post(self, request, pk):
        enterprise = get_scoped_or_404(Enterprise, request.user, pk=pk)
        if not can_write(request.user, EnterpriseRisk):
            raise PermissionDenied
        form = OverrideForm(request.POST)
        if form.is_valid():
            try:
                services.override_level(enterprise, level=form.cleaned_data["level"],
                                        reason=form.cleaned_data["reason"], user=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _t("已调整风险等级并记入变更记录。"))
                return redirect("risk:enterprise", pk=pk)
        return self.render(request, enterprise, override_form=form, status=400)
