"""Pages of building governance (楼宇治理). Thin: every object comes through `restrict(user)` (404 outside the scope),
writes go through `services`, and a service's ValidationError is shown next to the field it names."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import View, generic

from jiceng.accounts.permissions import can_write
from jiceng.core.filters import SearchFilterSet
from jiceng.core.tables import Column
from jiceng.core.views import ObjectEditView, ObjectListView, get_scoped_or_404, history_rows

from . import services
from .api.views import convert
from .forms import (
    AllianceForm,
    ConvertForm,
    CouncilForm,
    CouncilMemberForm,
    DecisionForm,
    MeetingForm,
    NominateForm,
    ObjectionForm,
    OfficerAssignmentForm,
    ResolveForm,
)
from .models import (
    Alliance,
    Council,
    CouncilMeeting,
    Decision,
    DecisionStatus,
    HeadSelection,
    Notice,
    Objection,
    ObjectionStatus,
    OfficerAssignment,
    OfficerKind,
    SelectionStatus,
    person_name,
)


def _errors(request, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for error in errors:
                messages.error(request, f"{name}: {error}" if name != "__all__" else error)
    else:
        for error in exc.messages:
            messages.error(request, error)


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- filters ------------------------------------------------------------------------------------------------

class CouncilFilterSet(SearchFilterSet):
    search_fields = ("name", "place__name")

    class Meta:
        model = Council
        fields = ["q"]


class SelectionFilterSet(SearchFilterSet):
    search_fields = ("council__name", "nominee__name")

    class Meta:
        model = HeadSelection
        fields = ["q", "status"]


class OfficerFilterSet(SearchFilterSet):
    search_fields = ("enterprise__name", "person__first_name", "person__username", "enterprise__place__name")

    class Meta:
        model = OfficerAssignment
        fields = ["q", "kind"]


class MeetingFilterSet(SearchFilterSet):
    search_fields = ("title", "council__name")

    class Meta:
        model = CouncilMeeting
        fields = ["q"]


class DecisionFilterSet(SearchFilterSet):
    search_fields = ("text", "owner__name", "meeting__council__name")

    class Meta:
        model = Decision
        fields = ["q", "status"]


class AllianceFilterSet(SearchFilterSet):
    class Meta:
        model = Alliance
        fields = ["q"]


# --- councils ---------------------------------------------------------------------------------------------------

class CouncilListView(ObjectListView):
    model = Council
    filterset_class = CouncilFilterSet
    related = ("place", "head", "alliance")
    add_url = reverse_lazy("governance:council_add")
    columns = [Column("name", _("楼事会")), Column("place.name", _("楼宇/园区")), Column("head.name", _("楼长")),
               Column("head_since", _("楼长任职日期")), Column("alliance.name", _("所属联盟"))]


class CouncilEditView(ObjectEditView):
    model = Council
    form_class = CouncilForm

    def form_valid(self, form):
        if self.object is not None:
            return super().form_valid(form)
        data = form.cleaned_data
        try:
            council = services.create_council(place=data["place"], name=data["name"], established=data["established"],
                                              description=data["description"], alliance=data["alliance"],
                                              by=self.request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _t("已保存。"))
        return redirect(council.get_absolute_url())


class CouncilDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        council = Council.objects.restrict(request.user).select_related(
            "place", "head__user", "alliance", "conference").filter(pk=pk).first()
        if council is None:
            raise Http404
        user = request.user
        manage = services.can_manage_council(user, council)
        members = list(council.members.select_related("seat", "user", "enterprise"))
        today = timezone.localdate()
        selections = list(council.selections.select_related("nominee").order_by("-nominated_on", "-pk")[:10])
        conference = council.conference
        lists = None
        if conference is not None:
            from jiceng.matching.models import ListStatus, Need, Project, Resource

            lists = {
                "conference": conference,
                "needs": Need.objects.filter(conference=conference, status=ListStatus.OPEN).count(),
                "resources": Resource.objects.filter(conference=conference, status=ListStatus.OPEN).count(),
                "projects": Project.objects.filter(conference=conference).count(),
            }
        open_selection = next((s for s in selections if s.is_open), None)
        ctx = {
            "council": council, "members": members, "today": today, "selections": selections,
            "meetings": council.meetings.annotate(n_decisions=Count("decisions"))[:10],
            "open_decisions": Decision.objects.filter(meeting__council=council, status=DecisionStatus.OPEN)
            .select_related("owner").order_by("due_date")[:20],
            "lists": lists, "can_manage": manage, "can_meet": services.can_run_meetings(user, council),
            "member_form": CouncilMemberForm(council=council, initial={"term_start": today}) if manage else None,
            "nominate_form": NominateForm(council=council, minimum=services.notice_rule(council))
            if manage and open_selection is None else None,
            "open_selection": open_selection,
            "officer_gaps": services.officer_gaps(council.place, limit=10),
            "history": history_rows(council),
        }
        return render(request, "governance/council_detail.html", ctx)


class MemberAddView(LoginRequiredMixin, View):
    def post(self, request, pk):
        council = get_scoped_or_404(Council, request.user, pk=pk)
        if not services.can_manage_council(request.user, council):
            raise PermissionDenied
        form = CouncilMemberForm(request.POST, council=council)
        if form.is_valid():
            form.save()
            messages.success(request, _t("已添加楼事会成员。"))
        else:
            _form_errors(request, form)
        return redirect(council.get_absolute_url())


class NominateView(LoginRequiredMixin, View):
    """The council's recommendation (推): the selection starts with the first notice."""

    def post(self, request, pk):
        council = get_scoped_or_404(Council, request.user, pk=pk)
        if not services.can_manage_council(request.user, council):
            raise PermissionDenied
        form = NominateForm(request.POST, council=council, minimum=services.notice_rule(council))
        if not form.is_valid():
            _form_errors(request, form)
            return redirect(council.get_absolute_url())
        try:
            selection = services.nominate(council, form.cleaned_data["nominee"], by=request.user,
                                          notice_days=form.cleaned_data["notice_days"], note=form.cleaned_data["note"])
        except ValidationError as exc:
            _errors(request, exc)
            return redirect(council.get_absolute_url())
        messages.success(request, _t("已推荐,推荐人选公示已发布。"))
        return redirect(selection.get_absolute_url())


# --- head selections --------------------------------------------------------------------------------------------

class SelectionListView(ObjectListView):
    model = HeadSelection
    filterset_class = SelectionFilterSet
    related = ("council", "nominee")
    columns = [Column(str, _("楼长推选")), Column("nominee.name", _("推荐人选")), Column("nominated_on", _("推荐日期")),
               Column("notice_days", _("公示期(工作日)")), Column("status", _("状态")),
               Column("appointed_on", _("任命日期"))]


class SelectionDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        selection = get_scoped_or_404(HeadSelection, request.user, pk=pk)
        notices = list(selection.notices.prefetch_related("objections"))
        current = notices[-1] if notices else None
        manage = services.can_manage_council(request.user, selection.council)
        pending = [o for n in notices for o in n.objections.all() if o.status == ObjectionStatus.PENDING]
        return render(request, "governance/selection_detail.html", {
            "selection": selection, "council": selection.council, "notices": notices, "current": current,
            "can_manage": manage and selection.is_open, "pending": pending, "today": timezone.localdate(),
            "objection_form": ObjectionForm(), "resolve_form": ResolveForm(),
            "can_advance": selection.status == SelectionStatus.NOTICE and current is not None
            and timezone.localdate() > current.ends_on,
            "history": history_rows(selection),
        })


class SelectionActionView(LoginRequiredMixin, View):
    def post(self, request, pk, action):
        selection = get_scoped_or_404(HeadSelection, request.user, pk=pk)
        if not services.can_manage_council(request.user, selection.council):
            raise PermissionDenied
        try:
            if action == "advance":
                selection = services.advance(selection, by=request.user)
                done = selection.status == SelectionStatus.APPOINTED
                messages.success(request, _t("结果公示期满,已任命楼长。") if done else _t("已发布下一次公示。"))
            elif action == "object":
                form = ObjectionForm(request.POST)
                if not form.is_valid():
                    _form_errors(request, form)
                else:
                    services.raise_objection(selection, by=request.user, **form.cleaned_data)
                    messages.warning(request, _t("已登记异议,推选暂停,待处理。"))
            elif action == "resolve":
                form = ResolveForm(request.POST)
                objection = Objection.objects.filter(pk=request.POST.get("objection") or 0,
                                                     notice__selection=selection).first()
                if objection is None:
                    raise ValidationError({"objection": _t("该推选没有此异议。")})
                if not form.is_valid():
                    _form_errors(request, form)
                else:
                    services.resolve_objection(objection, outcome=form.cleaned_data["outcome"],
                                               reason=form.cleaned_data["resolution"], by=request.user)
                    messages.success(request, _t("已处理异议。"))
            elif action == "withdraw":
                services.withdraw(selection, reason=request.POST.get("reason", ""), by=request.user)
                messages.success(request, _t("已终止推选。"))
            else:
                raise PermissionDenied
        except ValidationError as exc:
            _errors(request, exc)
        return redirect(selection.get_absolute_url())


class NoticePrintView(LoginRequiredMixin, View):
    """The notice as it is posted in the building's lobby (A4, printable)."""

    def get(self, request, pk):
        notice = get_scoped_or_404(Notice, request.user, pk=pk)
        return render(request, "governance/notice_print.html", {
            "notice": notice, "selection": notice.selection, "council": notice.selection.council})


# --- the four officers ------------------------------------------------------------------------------------------

class OfficerListView(ObjectListView):
    model = OfficerAssignment
    filterset_class = OfficerFilterSet
    related = ("enterprise__place", "person")
    add_url = reverse_lazy("governance:officer_add")
    import_url = reverse_lazy("governance:officerassignment_import")
    columns = [Column("enterprise.name", _("企业")), Column("enterprise.place.name", _("楼宇")),
               Column("kind", _("类别")), Column(lambda a: person_name(a.person), _("负责人")),
               Column("person.username", _("登录名")), Column("assigned_on", _("分配日期"))]


class OfficerEditView(ObjectEditView):
    model = OfficerAssignment
    form_class = OfficerAssignmentForm

    def form_valid(self, form):
        from jiceng.enterprises.models import Enterprise

        if not Enterprise.objects.restrict(self.request.user).filter(pk=form.instance.enterprise_id).exists():
            form.add_error("enterprise", _t("未找到该企业(或不在您的管辖范围内)。"))
            return self.form_invalid(form)
        return super().form_valid(form)


class OfficerWorkloadView(LoginRequiredMixin, generic.TemplateView):
    """Per officer: enterprises of each kind and where; the enterprises still missing an officer."""

    template_name = "governance/officer_workload.html"

    def get_context_data(self, **kwargs):
        from jiceng.organizations.views import default_report_place

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        assignments = OfficerAssignment.objects.restrict(user)
        person = self.request.GET.get("person", "")
        if person.isdigit():
            assignments = assignments.filter(person_id=int(person))
            ctx["mine"] = list(assignments.select_related("enterprise__place").order_by("enterprise__name", "kind")
                               [:500])
        ctx["workloads"] = services.workloads(assignments)
        ctx["kinds"] = OfficerKind.choices
        place = default_report_place(user)
        ctx["place"] = place
        ctx["gaps"] = services.officer_gaps(place, limit=200) if place is not None else []
        return ctx


# --- meetings and decisions ---------------------------------------------------------------------------------------

class MeetingListView(ObjectListView):
    model = CouncilMeeting
    filterset_class = MeetingFilterSet
    related = ("council",)
    columns = [Column("title", _("会议")), Column("council.name", _("楼事会")), Column("held_at", _("会议时间")),
               Column("location", _("地点"))]


class MeetingCreateView(LoginRequiredMixin, View):
    def _council(self, request, pk) -> Council:
        council = get_scoped_or_404(Council, request.user, pk=pk)
        if not services.can_run_meetings(request.user, council):
            raise PermissionDenied
        return council

    def get(self, request, pk):
        council = self._council(request, pk)
        form = MeetingForm(council=council, initial={"title": _t("%(c)s 例会") % {"c": council.name}})
        return render(request, "governance/meeting_form.html", {"form": form, "council": council})

    def post(self, request, pk):
        council = self._council(request, pk)
        form = MeetingForm(request.POST, council=council)
        if form.is_valid():
            data = form.cleaned_data
            try:
                meeting = services.record_meeting(
                    council, title=data["title"], held_at=data["held_at"], location=data["location"],
                    agenda=data["agenda"].splitlines(), attendees=data["attendees"], guests=data["guests"],
                    minutes=data["minutes"], by=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _t("已登记会议,请添加决议。"))
                return redirect(meeting.get_absolute_url())
        return render(request, "governance/meeting_form.html", {"form": form, "council": council})


class MeetingDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        meeting = get_scoped_or_404(CouncilMeeting, request.user, pk=pk)
        council = meeting.council
        run = services.can_run_meetings(request.user, council)
        units = []
        if run and council.conference_id:
            units = list(council.conference.units.filter(active=True).order_by("name"))
        return render(request, "governance/meeting_detail.html", {
            "meeting": meeting, "council": council, "agenda": meeting.agenda_items.all(),
            "attendees": meeting.attendees.select_related("seat"),
            "decisions": meeting.decisions.select_related("owner", "demand", "need", "project"),
            "can_run": run, "decision_form": DecisionForm(council=council) if run else None,
            "convert_form": ConvertForm() if run else None, "units": units, "today": timezone.localdate(),
            "history": history_rows(meeting),
        })


class DecisionAddView(LoginRequiredMixin, View):
    def post(self, request, pk):
        meeting = get_scoped_or_404(CouncilMeeting, request.user, pk=pk)
        if not services.can_run_meetings(request.user, meeting.council):
            raise PermissionDenied
        form = DecisionForm(request.POST, council=meeting.council)
        if not form.is_valid():
            _form_errors(request, form)
        else:
            data = form.cleaned_data
            try:
                services.add_decision(meeting, services.DecisionInput(data["text"], data["owner"],
                                                                      data["due_in_working_days"]))
                messages.success(request, _t("已添加决议。"))
            except ValidationError as exc:
                _errors(request, exc)
        return redirect(meeting.get_absolute_url())


class DecisionActionView(LoginRequiredMixin, View):
    def post(self, request, pk, action):
        decision = get_scoped_or_404(Decision, request.user, pk=pk)
        if not services.can_run_meetings(request.user, decision.meeting.council):
            raise PermissionDenied
        try:
            with transaction.atomic():
                if action == "done":
                    services.complete_decision(decision, outcome=request.POST.get("outcome", ""), by=request.user)
                    messages.success(request, _t("决议已办结。"))
                elif action == "convert":
                    form = ConvertForm(request.POST)
                    if not form.is_valid():
                        _form_errors(request, form)
                        return redirect(decision.get_absolute_url())
                    data = form.cleaned_data
                    made = convert(decision, request.user, to=data["to"], category=data["category"] or "other",
                                   quantity=data["quantity"] or 1, unit=data["unit"])
                    messages.success(request, _t("已转为%(what)s:%(obj)s") % {
                        "what": dict(ConvertForm.base_fields["to"].choices)[data["to"]], "obj": made})
                    return redirect(made.get_absolute_url())
                else:
                    raise PermissionDenied
        except ValidationError as exc:
            _errors(request, exc)
        return redirect(decision.get_absolute_url())


class DecisionListView(ObjectListView):
    """Decisions tracked to done: the open ones first, by due date."""

    model = Decision
    filterset_class = DecisionFilterSet
    related = ("owner", "meeting__council")
    columns = [Column("text", _("决议事项")), Column("meeting.council.name", _("楼事会")),
               Column("owner.name", _("责任人")), Column("due_date", _("办理期限")), Column("status", _("状态")),
               Column("done_on", _("办结日期"))]

    def get_queryset(self):
        return super().get_queryset().order_by("-status", "due_date", "pk")  # "open" after "done" reversed


# --- alliances --------------------------------------------------------------------------------------------------

class AllianceListView(ObjectListView):
    model = Alliance
    filterset_class = AllianceFilterSet
    related = ("place",)
    add_url = reverse_lazy("governance:alliance_add")
    columns = [Column("name", _("联盟")), Column("place.name", _("所在区域")), Column("established", _("成立日期"))]


class AllianceEditView(ObjectEditView):
    model = Alliance
    form_class = AllianceForm


class AllianceDetailView(LoginRequiredMixin, View):
    def get(self, request, pk):
        alliance = get_scoped_or_404(Alliance, request.user, pk=pk)
        councils = list(alliance.councils.select_related("place", "head"))
        from jiceng.activities.models import Activity

        places = [c.place_id for c in councils]
        activities = Activity.objects.restrict(request.user).filter(
            Q(place_id__in=places) | Q(place__parent_id__in=places), start__gte=timezone.now()
        ).select_related("place").order_by("start")[:20] if places else []
        return render(request, "governance/alliance_detail.html", {
            "alliance": alliance, "councils": councils, "activities": activities,
            "can_edit": can_write(request.user, Alliance), "history": history_rows(alliance),
            "manageable": Council.objects.restrict(request.user).filter(alliance__isnull=True,
                                                                         district=alliance.district)
            .order_by("name")[:100] if can_write(request.user, Alliance) else [],
        })


class AllianceJoinView(LoginRequiredMixin, View):
    """Add a council to the alliance (or take it out)."""

    def post(self, request, pk):
        alliance = get_scoped_or_404(Alliance, request.user, pk=pk)
        if not can_write(request.user, Alliance):
            raise PermissionDenied
        council = get_scoped_or_404(Council, request.user, pk=request.POST.get("council") or 0)
        council.alliance = None if request.POST.get("leave") else alliance
        try:
            council.full_clean()
            council.save()
        except ValidationError as exc:
            _errors(request, exc)
        return redirect(alliance.get_absolute_url())

