"""Pages of the three lists. Views parse, check scope, call `services`, render; every object comes through
`restrict(user)`, so one outside the user's scope is a 404."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View

from jiceng.accounts.models import AuditEvent
from jiceng.core import audit
from jiceng.core.excel import objects_to_sheet, xlsx_response
from jiceng.core.forms import add_service_errors
from jiceng.core.tables import KEY, SECONDARY, STATUS, Column
from jiceng.core.views import ObjectListView, RevealView, get_scoped_or_404, history_rows, reveal_url
from jiceng.matrix.tags import tag_text

from . import services
from .filters import ConferenceFilterSet, NeedFilterSet, ProjectFilterSet, ResourceFilterSet
from .forms import (
    ChairTermForm,
    ClaimNeedForm,
    ClaimResourceForm,
    ConferenceForm,
    EvaluateForm,
    MeetingForm,
    MemberUnitForm,
    NeedForm,
    ProjectTagsForm,
    PromoteDemandForm,
    ResourceForm,
    RotationForm,
)
from .models import ChairTerm, JointConference, ListStatus, Meeting, Need, Project, Resource
from .stats import list_statistics


def _remaining(item) -> str:
    return f"{item.remaining}/{item.amount}{item.measure}"


def _window(item) -> str:
    text = f"{timezone.localtime(item.start):%Y-%m-%d %H:%M} – {timezone.localtime(item.end):%Y-%m-%d %H:%M}"
    if item.daily_start:
        text += f" ({item.daily_start:%H:%M}–{item.daily_end:%H:%M})"
    return text


# --- conferences -------------------------------------------------------------------------------------

class ConferenceListView(ObjectListView):
    model = JointConference
    filterset_class = ConferenceFilterSet
    related = ("place", "organization")
    columns = [Column("name", _("名称")), Column("place.name", _("所在区域")),
               Column("organization.name", _("牵头党组织")), Column("established", _("成立日期"))]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = services.managed_conferences(self.request.user).exists() or self.request.user.is_superuser
        ctx["add_url"] = reverse("matching:conference_add")
        return ctx


class ConferenceEditView(LoginRequiredMixin, View):
    def get(self, request, pk=None):
        conference = get_scoped_or_404(JointConference, request.user, pk=pk) if pk else None
        return self._render(request, ConferenceForm(instance=conference, user=request.user), conference)

    def post(self, request, pk=None):
        conference = get_scoped_or_404(JointConference, request.user, pk=pk) if pk else None
        if conference is not None and not services.can_manage(request.user, conference):
            raise PermissionDenied
        form = ConferenceForm(request.POST, instance=conference, user=request.user)
        if form.is_valid():
            saved = form.save(commit=False)
            if not services.can_run_conference_at(request.user, saved.place):
                raise PermissionDenied
            saved.save()
            messages.success(request, _t("已保存。"))
            return redirect(saved.get_absolute_url())
        return self._render(request, form, conference)

    def _render(self, request, form, conference):
        return render(request, "core/object_edit.html", {"form": form, "object": conference,
                                                         "opts": JointConference._meta})


class ConferenceDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        conference = get_scoped_or_404(JointConference, request.user, pk=pk)
        current, upcoming = conference.chair_terms_around()
        agenda = services.agenda_items(conference)
        manage = services.can_manage(request.user, conference)
        return render(request, "matching/conference_detail.html", {
            "conference": conference, "current_chair": current, "next_chair": upcoming,
            "units": conference.units.select_related("enterprise", "organization").order_by("name"),
            "terms": conference.chair_terms.select_related("unit").order_by("start"),
            "meetings": conference.meetings.select_related("chair")[:20],
            "open_needs": agenda.open_needs[:50], "new_resources": agenda.new_resources[:50], "since": agenda.since,
            "can_manage": manage,
            "unit_form": MemberUnitForm() if manage else None,
            "rotation_form": RotationForm(conference=conference) if manage else None,
            "history": history_rows(conference),
        })


class UnitAddView(LoginRequiredMixin, View):
    def post(self, request, pk):
        conference = _managed(request, pk)
        form = MemberUnitForm(request.POST)
        if form.is_valid():
            unit = form.save(commit=False)
            unit.conference = conference
            try:
                unit.full_clean()
                unit.save()
                messages.success(request, _t("已添加成员单位“%(u)s”。") % {"u": unit.name})
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, "; ".join(f"{form.fields[f].label if f in form.fields else ''}: {' '.join(e)}"
                                              for f, e in form.errors.items()))
        return redirect(conference.get_absolute_url())


def _managed(request, pk) -> JointConference:
    conference = get_scoped_or_404(JointConference, request.user, pk=pk)
    if not services.can_manage(request.user, conference):
        raise PermissionDenied
    return conference


class RotationView(LoginRequiredMixin, View):
    """Replace future chair terms by a rotation of the chosen units (轮值制)."""

    def post(self, request, pk):
        conference = _managed(request, pk)
        form = RotationForm(request.POST, conference=conference)
        if not form.is_valid():
            messages.error(request, "; ".join(" ".join(e) for e in form.errors.values()))
            return redirect(conference.get_absolute_url())
        services.schedule_rotation(conference, sorted(form.cleaned_data["units"], key=lambda u: u.name),
                                   start=form.cleaned_data["start"], months=form.cleaned_data["months"],
                                   rounds=form.cleaned_data["rounds"])
        messages.success(request, _t("已生成轮值安排。"))
        return redirect(conference.get_absolute_url())


class ChairTermEditView(LoginRequiredMixin, View):
    def post(self, request, pk):
        conference = _managed(request, pk)
        form = ChairTermForm(request.POST, instance=ChairTerm(conference=conference))
        form.fields["unit"].queryset = conference.units.all()
        if form.is_valid():
            form.save()
            messages.success(request, _t("已保存。"))
        else:
            messages.error(request, "; ".join(" ".join(e) for e in form.errors.values()))
        return redirect(conference.get_absolute_url())


class MeetingEditView(LoginRequiredMixin, View):
    def get(self, request, pk):
        conference = _managed(request, pk)
        current, _next = conference.chair_terms_around()
        agenda = services.draft_agenda(conference)
        form = MeetingForm(conference=conference, initial={
            "chair": current.unit_id if current else None, "agenda": agenda,
            "title": _t("%(c)s 例会") % {"c": conference.name}})
        return render(request, "core/object_edit.html", {"form": form, "opts": Meeting._meta})

    def post(self, request, pk):
        conference = _managed(request, pk)
        form = MeetingForm(request.POST, conference=conference, instance=Meeting(conference=conference))
        if form.is_valid():
            form.save()
            messages.success(request, _t("已保存。"))
            return redirect(conference.get_absolute_url())
        return render(request, "core/object_edit.html", {"form": form, "opts": Meeting._meta})


class ProposalView(LoginRequiredMixin, View):
    """The engine's whole-list assignment for one conference; the manager accepts the chosen pairs."""

    def get(self, request, pk):
        conference = _managed(request, pk)
        proposals, total = services.propose_assignment(conference)
        return render(request, "matching/proposals.html", {"conference": conference, "proposals": proposals,
                                                           "total": total})

    def post(self, request, pk):
        conference = _managed(request, pk)
        pairs = []
        for value in request.POST.getlist("pair"):
            try:
                need_id, resource_id, quantity = (int(v) for v in value.split(":"))
            except ValueError:
                messages.error(request, _t("撮合数据有误。"))
                return redirect("matching:proposals", pk=pk)
            pairs.append((need_id, resource_id, quantity))
        try:
            projects = services.accept_proposals(conference, pairs, by=request.user)
        except (ValidationError, Need.DoesNotExist, Resource.DoesNotExist) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            return redirect("matching:proposals", pk=pk)
        messages.success(request, _t("已生成 %(n)s 个项目。") % {"n": len(projects)})
        return redirect(reverse("matching:project_list") + "?status=proposed")


# --- needs and resources -----------------------------------------------------------------------------

NEED_COLUMNS = [Column("title", _("需求")), Column("requester_name", _("需求方"), role=KEY),
                Column("category", _("类别")), Column(_remaining, _("剩余/总数"), role=KEY),
                Column(_window, _("时间"), role=KEY), Column("location", _("地点")),
                Column("status", _("状态"), role=STATUS), Column("conference.name", _("联席会议"))]
RESOURCE_COLUMNS = [Column("title", _("资源")), Column("unit.name", _("提供单位"), role=KEY),
                    Column("category", _("类别")), Column(_remaining, _("剩余/总数"), role=KEY),
                    Column(_window, _("时间"), role=KEY), Column("location", _("地点")),
                    Column("radius_m", _("服务半径(米)")), Column("status", _("状态"), role=STATUS)]


class NeedListView(ObjectListView):
    model = Need
    filterset_class = NeedFilterSet
    columns = NEED_COLUMNS
    related = ("conference",)
    template_name = "matching/item_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        units = list(services.acting_units(self.request.user).filter(resources__isnull=False).distinct()[:20])
        ctx.update(can_add=services.may_post_needs(self.request.user), add_url=reverse("matching:need_add"),
                   suggestions=services.suggest_needs_for_units(units) if units else [])
        return ctx


class ResourceListView(ObjectListView):
    model = Resource
    filterset_class = ResourceFilterSet
    columns = RESOURCE_COLUMNS
    related = ("conference", "unit")
    template_name = "matching/item_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(can_add=services.may_publish_resources(self.request.user),
                   add_url=reverse("matching:resource_add"))
        return ctx


class _ItemEditView(LoginRequiredMixin, View):
    model = None
    form_class = None
    save = None
    may_write = None  # services.may_post_needs / may_publish_resources: who may open the form at all

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not type(self).may_write(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def _instance(self, request, pk):
        if pk is None:
            return self.model()
        item = get_scoped_or_404(self.model, request.user, pk=pk)
        return item

    def _form(self, request, instance, data=None, initial=None):
        units = services.acting_units(request.user)
        return self.form_class(data, instance=instance, initial=initial,
                               conferences=JointConference.objects.restrict(request.user), units=units)

    def _initial(self, request) -> dict:
        now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
        initial = {"start": now, "end": now + dt.timedelta(days=30)}
        conference = JointConference.objects.restrict(request.user).filter(
            pk=request.GET.get("conference") or 0).first() or JointConference.objects.restrict(request.user).first()
        if conference:
            initial.update(conference=conference.pk, lat=conference.place.lat, lng=conference.place.lng,
                           location=conference.place.name)
        return initial

    def get(self, request, pk=None):
        instance = self._instance(request, pk)
        form = self._form(request, instance, initial=None if pk else self._initial(request))
        return self._render(request, form, instance)

    def post(self, request, pk=None):
        instance = self._instance(request, pk)
        form = self._form(request, instance, data=request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    item = type(self).save(form.save(commit=False), by=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _t("已保存。"))
                return redirect(item.get_absolute_url())
        return self._render(request, form, instance)

    def _render(self, request, form, instance):
        return render(request, "core/object_edit.html", {
            "form": form, "object": instance if instance.pk else None, "opts": self.model._meta,
            "reveal_url": reveal_url(request.user, instance, getattr(self, "reveal_url_name", None))})


class NeedEditView(_ItemEditView):
    model = Need
    form_class = NeedForm
    save = staticmethod(services.save_need)
    may_write = staticmethod(services.may_post_needs)
    reveal_url_name = "matching:need_reveal"


class NeedRevealView(RevealView):
    """The requester's full contact phone, for roles that may reveal personal data; audited."""

    model = Need


class ResourceEditView(_ItemEditView):
    model = Resource
    form_class = ResourceForm
    save = staticmethod(services.save_resource)
    may_write = staticmethod(services.may_publish_resources)


class PromoteDemandView(LoginRequiredMixin, View):
    """A demand becomes a need in one step: pick the conference, confirm the pre-filled form."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not services.may_post_needs(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, demand_pk):
        from jiceng.demands.models import Demand

        demand = get_scoped_or_404(Demand, request.user, pk=demand_pk)
        if hasattr(demand, "list_need"):
            messages.info(request, _t("该诉求已转入需求清单。"))
            return redirect(demand.list_need.get_absolute_url())
        conferences = JointConference.objects.restrict(request.user)
        chosen = conferences.filter(pk=request.GET.get("conference") or 0).first()
        if chosen is None and conferences.count() != 1:
            return render(request, "matching/promote.html", {"demand": demand,
                                                             "form": PromoteDemandForm(conferences=conferences)})
        need = services.need_from_demand(demand, chosen or conferences.first())
        form = NeedForm(instance=need, conferences=conferences, units=services.acting_units(request.user),
                        initial={"start": timezone.localtime(need.start), "end": timezone.localtime(need.end)})
        return render(request, "core/object_edit.html", {"form": form, "opts": Need._meta})

    def post(self, request, demand_pk):
        from jiceng.demands.models import Demand

        demand = get_scoped_or_404(Demand, request.user, pk=demand_pk)
        conferences = JointConference.objects.restrict(request.user)
        # The demand's phone travels masked through the form; an unchanged mask keeps it (MaskedPersonalDataMixin).
        form = NeedForm(request.POST, instance=Need(demand=demand, contact_phone=demand.requester_phone or ""),
                        conferences=conferences,
                        units=services.acting_units(request.user))
        if form.is_valid():
            try:
                need = services.save_need(form.save(commit=False), by=request.user)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _t("已转入需求清单。"))
                return redirect(need.get_absolute_url())
        return render(request, "core/object_edit.html", {"form": form, "opts": Need._meta})


class NeedDetailView(LoginRequiredMixin, View):
    def get(self, request, pk, claim_form=None):
        need = get_scoped_or_404(Need, request.user, pk=pk)
        units = services.acting_units(request.user, need.conference).exclude(pk=need.requester_unit_id or 0)
        if claim_form is None and units.exists() and need.status == ListStatus.OPEN:
            claim_form = ClaimNeedForm(need=need, units=units)
        return render(request, "matching/need_detail.html", {
            "need": need, "suggestions": services.suggest_resources(need) if need.status == ListStatus.OPEN else [],
            "projects": Project.objects.restrict(request.user).filter(need=need).select_related("provider", "resource"),
            "claim_form": claim_form,
            "can_close": need.status != ListStatus.CLOSED and services.requester_side(request.user, need),
            "history": history_rows(need),
        })

    def post(self, request, pk):
        need = get_scoped_or_404(Need, request.user, pk=pk)
        units = services.acting_units(request.user, need.conference).exclude(pk=need.requester_unit_id or 0)
        form = ClaimNeedForm(request.POST, need=need, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                project = services.claim_need(need, unit=data["unit"], quantity=data["quantity"], by=request.user,
                                              resource=data["resource"], note=data["note"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _t("认领成功,已生成项目。"))
                return redirect(project.get_absolute_url())
        return self.get(request, pk, claim_form=form)


class ResourceDetailView(LoginRequiredMixin, View):
    def _needs(self, request, resource):
        return Need.objects.restrict(request.user).filter(
            conference_id=resource.conference_id, category=resource.category, status=ListStatus.OPEN)

    def get(self, request, pk, claim_form=None):
        resource = get_scoped_or_404(Resource, request.user, pk=pk)
        may_claim = resource.status == ListStatus.OPEN and services.can_post_need(request.user, resource.conference) \
            and not services.acting_units(request.user, resource.conference).filter(pk=resource.unit_id).exists()
        if claim_form is None and may_claim:
            claim_form = ClaimResourceForm(needs=self._needs(request, resource),
                                           initial={"quantity": min(resource.remaining, 1) or None})
        return render(request, "matching/resource_detail.html", {
            "resource": resource,
            "projects": Project.objects.restrict(request.user).filter(resource=resource).select_related("need",
                                                                                                     "provider"),
            "claim_form": claim_form,
            "can_close": resource.status != ListStatus.CLOSED and services.acting_units(
                request.user, resource.conference).filter(pk=resource.unit_id).exists(),
            "history": history_rows(resource),
        })

    def post(self, request, pk):
        resource = get_scoped_or_404(Resource, request.user, pk=pk)
        form = ClaimResourceForm(request.POST, needs=self._needs(request, resource))
        if form.is_valid():
            data = form.cleaned_data
            try:
                if data["need"]:
                    project = services.claim_resource(resource, need=data["need"], quantity=data["quantity"],
                                                      by=request.user, note=data["note"])
                else:
                    project = services.claim_resource_with_new_need(
                        resource, by=request.user, quantity=data["quantity"],
                        requester_name=data["requester_name"].strip(), note=data["note"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _t("认领成功,已生成项目。"))
                return redirect(project.get_absolute_url())
        return self.get(request, pk, claim_form=form)


class CloseItemView(LoginRequiredMixin, View):
    model = None

    def post(self, request, pk):
        item = get_scoped_or_404(self.model, request.user, pk=pk)
        services.close_item(item, by=request.user)
        messages.success(request, _t("已关闭。"))
        return redirect(item.get_absolute_url())


# --- projects ----------------------------------------------------------------------------------------

PROJECT_COLUMNS = [Column("need.title", _("需求")), Column("need.requester_name", _("需求方"), role=KEY),
                   Column("provider.name", _("提供单位"), role=KEY), Column("category", _("类别")),
                   Column("quantity", _("数量")), Column("status", _("状态"), role=STATUS),
                   Column("claim_kind", _("认领方式")),
                   Column(lambda p: timezone.localtime(p.claimed_at).date(), _("认领日期"), role=KEY),
                   Column("rating", _("评分")), Column(tag_text, _("党建矩阵"), role=SECONDARY)]


class ProjectListView(ObjectListView):
    model = Project
    filterset_class = ProjectFilterSet
    columns = PROJECT_COLUMNS
    related = ("need", "provider")


class ProjectDetailView(LoginRequiredMixin, View):
    def get(self, request, pk, evaluate_form=None, tags_form=None):
        project = get_scoped_or_404(Project, request.user, pk=pk)
        actions = services.allowed_actions(request.user, project)
        may_tag = services.may_tag(request.user, project)
        return render(request, "matching/project_detail.html", {
            "project": project, "actions": [a for a in actions if a.action != "evaluate"],
            "evaluate_form": evaluate_form or (EvaluateForm() if any(a.action == "evaluate" for a in actions)
                                               else None),
            "tags_form": (tags_form or ProjectTagsForm.for_project(project)) if may_tag else None,
            "history": history_rows(project),
        })

    def post(self, request, pk):
        project = get_scoped_or_404(Project, request.user, pk=pk)
        action = request.POST.get("action", "")
        form = None
        if action == "tag":
            return self._tag(request, project)
        try:
            if action == "evaluate":
                form = EvaluateForm(request.POST)
                if not form.is_valid():
                    return self.get(request, pk, evaluate_form=form)
                services.advance(project, action, by=request.user, rating=form.cleaned_data["rating"],
                                 outcome=form.cleaned_data["outcome"])
            else:
                services.advance(project, action, by=request.user, outcome=request.POST.get("outcome", ""))
        except ValidationError as exc:
            if form is not None:
                add_service_errors(form, exc)
                return self.get(request, pk, evaluate_form=form)
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _t("已更新项目状态。"))
        return redirect(project.get_absolute_url())

    def _tag(self, request, project):
        if not services.may_tag(request.user, project):
            raise PermissionDenied
        form = ProjectTagsForm(request.POST)
        if not form.is_valid():
            return self.get(request, project.pk, tags_form=form)
        services.tag_project(project, by=request.user, cells=form.cleaned_data["cells"],
                             themes=form.cleaned_data["themes"])
        messages.success(request, _t("已保存党建矩阵标注。"))
        return redirect(project.get_absolute_url())


# --- statistics --------------------------------------------------------------------------------------

class StatisticsView(LoginRequiredMixin, View):
    def get(self, request):
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        year = min(max(year, 2000), 2100)
        stats = list_statistics(Project.objects.restrict(request.user), Need.objects.restrict(request.user), year)
        if request.GET.get("export") == "xlsx":
            audit.record(request, AuditEvent.Action.EXPORT, object_type="matching.statistics", detail=f"year={year}")
            return xlsx_response(f"lists-{year}.xlsx", [
                objects_to_sheet(_t("按月"), [Column(lambda r: r["month"], _("月份")),
                                             Column(lambda r: r["claimed"], _("认领项目")),
                                             Column(lambda r: r["completed"], _("完成项目"))], stats.by_month),
                objects_to_sheet(_t("按类别"), [Column(lambda r: r["label"], _("类别")),
                                              Column(lambda r: r["projects"], _("项目")),
                                              Column(lambda r: r["completed"], _("完成")),
                                              Column(lambda r: r["quantity"], _("数量"))], stats.by_category),
                objects_to_sheet(_t("按单位"), [Column(lambda r: r["unit"], _("提供单位")),
                                              Column(lambda r: r["projects"], _("项目")),
                                              Column(lambda r: r["completed"], _("完成"))], stats.by_unit),
            ])
        months = [date_format(dt.date(year, m, 1), "M") for m in range(1, 13)]  # localized month abbreviations
        return render(request, "matching/statistics.html", {"stats": stats, "year": year, "months": months,
                                                            "years": range(timezone.localdate().year, 2019, -1)})
