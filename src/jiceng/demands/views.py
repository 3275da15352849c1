"""Demand and visit pages: dispatch board, inbox, intake, the demand page with its timeline, public form and
tracking, visits and routes, service catalog and orders, notifications. Thin: rules are in workflow/visits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, prefetch_related_objects
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import generic

from jiceng.accounts.identity import identity_changed
from jiceng.accounts.models import Notification
from jiceng.accounts.people import person_label, units_prefetch
from jiceng.accounts.permissions import can_write
from jiceng.core.audit import client_ip
from jiceng.core.context_processors import unread_count
from jiceng.core.forms import add_service_errors
from jiceng.core.scoping import scope_for
from jiceng.core.tables import KEY, STATUS, Column
from jiceng.core.views import ObjectDetailView, ObjectListView, ScopedMixin
from jiceng.enterprises.models import Enterprise

from . import intake, visits, workflow
from .filters import DemandFilterSet, VisitFilterSet
from .forms import AssignForm, CallbackForm, DemandIntakeForm, PublicDemandForm, VisitForm
from .models import Category, Demand, DemandAttachment, DemandSource, DemandStatus, RequesterKind, Service, Visit


def building_head_of(place_id) -> object | None:
    """有事找楼长: the council whose head will see a demand at this place first (None without one), for the forms
    and the building page to say who the head is. Kept optional: the demands app works without governance."""
    from django.apps import apps

    if not apps.is_installed("jiceng.governance") or not str(place_id or "").isdigit():
        return None
    from jiceng.governance.services import head_for_place
    from jiceng.places.models import Place

    place = Place.objects.filter(pk=int(place_id)).only("path").first()
    return head_for_place(place) if place is not None else None


def _messages_from(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)



def save_attachments(demand: Demand, files) -> None:
    for upload in files or []:
        DemandAttachment.objects.create(demand=demand, file=upload, name=upload.name[:200], size=upload.size)


DEMAND_COLUMNS = [
    Column(str, _("需求")),
    Column("category.label", _("类别")),
    Column("status", _("状态"), role=STATUS),
    Column("place.name", _("楼宇/园区"), role=KEY),
    Column("requester_enterprise.name", _("提出企业")),
    Column("assignee_display", _("承办"), role=KEY),
    Column("due_label", _("办理期限"), role=KEY),
    Column("created", _("提交时间")),
]


class DemandListView(ObjectListView):
    """The street's dispatch board: filters, counts by status for the current filter, export."""

    model = Demand
    filterset_class = DemandFilterSet
    columns = DEMAND_COLUMNS
    related = ("category", "place", "requester_enterprise", "assignee_user", "assignee_enterprise")
    add_url = reverse_lazy("demands:demand_add")
    template_name = "demands/demand_list.html"

    status_counts: dict[str, int] | None = None

    def get_queryset(self):
        # Assignees are shown as "name · unit": their units in one query, not one per row.
        return super().get_queryset().prefetch_related(units_prefetch("assignee_user__"))

    def get_paginator(self, queryset, per_page, **kwargs):
        from jiceng.workbench.services import kept_demand_figures

        paginator = super().get_paginator(queryset, per_page, **kwargs)
        # The counts by status add up to the list's total: one pass over the rows rather than two (the city's
        # million demands: 0.14 s for each on PostgreSQL). COUNT(*) lets an index answer without the table.
        def count() -> dict[str, int]:
            return dict(queryset.order_by().values_list("status").annotate(n=Count("*")))

        # Unfiltered, a street officer's counts are their streets': kept with the street workbench (decision 083).
        unfiltered = not set(self.request.GET) - {"page", "per_page"}
        user = self.request.user
        self.status_counts = kept_demand_figures(user, ("status_counts",), count) if unfiltered else count()
        paginator.count = sum(self.status_counts.values())
        return paginator

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        counts = self.status_counts
        if counts is None:
            counts = dict(self.object_list.order_by().values_list("status").annotate(n=Count("*")))
        ctx["status_counts"] = [(value, label, counts.get(value, 0)) for value, label in DemandStatus.choices]
        ctx["today"] = timezone.localdate()
        return ctx


class InboxView(LoginRequiredMixin, generic.TemplateView):
    """A worker's inbox: what is assigned to them, what waits for acceptance, visits due, notifications."""

    template_name = "demands/inbox.html"

    def get_context_data(self, **kwargs):
        from jiceng.workbench.services import kept_demand_figures

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        scoped = Demand.objects.restrict(user).select_related("category", "place")
        ctx["assigned"] = scoped.filter(assignee_user=user, status=DemandStatus.ASSIGNED).order_by("due_date")[:50]
        # 有事找楼长: demands routed to this building head, waiting for them to handle or forward to the street.
        ctx["routed"] = Demand.objects.filter(assignee_user=user, status=DemandStatus.SUBMITTED) \
            .select_related("place").order_by("created")[:50]
        waiting = scoped.filter(status=DemandStatus.SUBMITTED)
        if not scope_for(user).everything and connection.vendor == "sqlite":
            # Found through the scope's (place | street | district, status) index, then sorted: with the plain
            # ORDER BY created LIMIT, SQLite walked the city-wide (status, created) index (0.3 s for a building).
            # PostgreSQL walks the street's (street, created) index instead, where the ids-first form made it
            # fetch every waiting demand of the street before sorting them (14 ms against 3 ms).
            waiting = Demand.objects.filter(pk__in=waiting.order_by().values("pk"))
        ctx["waiting"] = waiting.select_related("place", "category").order_by("created")[:50]
        today = timezone.localdate()
        ctx["overdue_count"] = kept_demand_figures(user, ("overdue", today), lambda: scoped.filter(
            status__in=(DemandStatus.ACCEPTED, DemandStatus.ASSIGNED), due_date__lt=today).count())
        # The unread count comes with the signed-in user (decision 083): none unread, nothing to fetch.
        ctx["notifications"] = user.notifications.filter(read=False)[:20] if unread_count(user) else []
        ctx["my_requests"] = Demand.objects.filter(requester_user=user).order_by("-created")[:20]
        ctx["can_visit"] = can_write(user, Visit)
        # Departments (issue 19): a department user's work handed to their department (签收 first); the street's
        # department board (awaiting sign, returned, awaiting callback) as counts linking to the filtered list.
        from jiceng.departments.services import board_counts, department_demands, department_follow_ups

        ctx["department_work"] = department_demands(user).select_related("place", "department") \
            .order_by("department_state", "sign_due", "due_date")[:50]
        ctx["department_follow_ups"] = department_follow_ups(user)
        if ctx["can_visit"] and (scope_for(user).street_ids or scope_for(user).district_ids or user.is_superuser):
            board = kept_demand_figures(user, ("board",), lambda: board_counts(scoped))
            ctx["department_board"] = [(key, label, board[key]) for key, label in (
                ("pending", _("待部门签收")), ("returned", _("部门已退单")), ("callback", _("待回访")))]
        return ctx


class DemandCreateView(LoginRequiredMixin, generic.FormView):
    """Intake by staff (with source and requester) or by a signed-in enterprise user or member."""

    form_class = DemandIntakeForm
    template_name = "demands/demand_form.html"

    def is_staff_intake(self) -> bool:
        return can_write(self.request.user, Demand)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "staff": self.is_staff_intake()}

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("place", "").isdigit():
            initial["place"] = self.request.GET["place"]
        if self.request.GET.get("enterprise", "").isdigit():
            ent = Enterprise.objects.restrict(self.request.user).filter(pk=self.request.GET["enterprise"]).first()
            if ent:
                initial.update(requester_enterprise=ent, place=ent.place)
        return initial

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["head_council"] = building_head_of(self.request.POST.get("place") or self.get_initial().get("place"))
        return ctx

    def form_valid(self, form):
        data = form.cleaned_data
        user = self.request.user
        if self.is_staff_intake():
            extra = {"source": data["source"], "requester_kind": data["requester_kind"],
                     "requester_enterprise": data.get("requester_enterprise"), "category": data.get("category")}
        else:
            kind, enterprise = workflow.requester_of(user)
            extra = {"source": DemandSource.WEB, "requester_kind": kind, "requester_enterprise": enterprise}
        try:
            with transaction.atomic():
                demand = workflow.submit(text=data["text"], title=data.get("title", ""), place=data["place"], user=user,
                                         requester_name=data.get("requester_name", ""),
                                         requester_phone=data.get("requester_phone", ""), **extra)
                save_attachments(demand, data.get("attachments"))
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _t("已提交,查询码 %(code)s。") % {"code": demand.tracking_code})
        if Demand.objects.restrict(user).filter(pk=demand.pk).exists():
            return redirect(demand.get_absolute_url())
        return redirect("demands:track", code=demand.tracking_code)


class DuplicatesView(LoginRequiredMixin, generic.TemplateView):
    """HTMX partial: likely duplicates while the text is typed."""

    template_name = "demands/_duplicates.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        text = self.request.GET.get("text", "")
        place_id = self.request.GET.get("place", "")
        ent_id = self.request.GET.get("requester_enterprise", "")
        scoped = Demand.objects.restrict(self.request.user)
        from jiceng.places.models import Place

        place = Place.objects.filter(pk=place_id).first() if place_id.isdigit() else None
        enterprise = Enterprise.objects.restrict(self.request.user).filter(pk=ent_id).first() \
            if ent_id.isdigit() else None
        found = workflow.likely_duplicates(text, place=place, enterprise=enterprise) if len(text) >= 4 else []
        ctx["duplicates"] = [d for d in found if scoped.filter(pk=d.pk).exists()]
        if len(text) >= 4:
            category, confidence = workflow.suggest_category(text)
            ctx["suggestion"], ctx["confidence"] = category, confidence
        return ctx


class DemandDetailView(ObjectDetailView):
    model = Demand
    template_name = "demands/demand_detail.html"
    fields = [Column("text", _("需求内容")), Column("tracking_code", _("查询码")), Column("source", _("来源")),
              Column("requester_kind", _("提出方")), Column("requester_enterprise.name", _("提出企业")),
              Column("requester_name", _("联系人")), Column("requester_phone_masked", _("联系电话")),
              Column("category.label", _("类别")), Column("status", _("状态")), Column("place.name", _("楼宇/园区")),
              Column("assignee_display", _("承办")), Column("accepted_on", _("受理日期")),
              Column("due_label", _("办理期限")), Column("rating", _("评价")), Column("rating_comment", _("评价意见"))]

    def get_queryset(self):
        return super().get_queryset().select_related("category", "suggested_category", "place", "requester_enterprise",
                                                     "assignee_user", "assignee_enterprise", "department")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        demand, user = self.object, self.request.user
        ctx["events"] = events = list(demand.events.select_related("actor"))
        # Every person on the page is shown as "name · unit": their units in one query.
        people = [e.actor for e in events if e.actor_id] + ([demand.assignee_user] if demand.assignee_user_id else [])
        prefetch_related_objects(people, units_prefetch())
        ctx["can_act"] = can_write(user, Demand)
        ctx["actions"] = [t.action for t in workflow.allowed_actions(demand)] if ctx["can_act"] else []
        # A department's users: 签收 / 退单, and 办结 once signed (issue 19); the street calls back (回访) after.
        ctx["department_actions"] = workflow.department_actions(demand, user)
        ctx["can_call_back"] = ctx["can_act"] and workflow.can_call_back(demand)
        ctx["callback_form"] = CallbackForm() if ctx["can_call_back"] else None
        if ctx["can_act"] and workflow.can_forward(demand, user):
            ctx["actions"].append("forward")
        from jiceng.matching.services import may_post_needs  # the lists build on demands, not the reverse

        ctx["can_promote"] = ctx["can_act"] and demand.is_open and may_post_needs(user)
        ctx["categories"] = Category.objects.filter(active=True)
        ctx["assign_form"] = AssignForm(demand=demand, user=user)
        scoped = Demand.objects.restrict(user)
        ctx["duplicates"] = [d for d in workflow.likely_duplicates(
            demand.text, place=demand.place, enterprise=demand.requester_enterprise, exclude_pk=demand.pk)
            if scoped.filter(pk=d.pk).exists()] if demand.is_open else []
        ctx["attachments"] = demand.attachments.all()
        ctx["can_rate"] = demand.requester_user_id == user.pk and demand.rating is None and demand.status in (
            DemandStatus.RESOLVED, DemandStatus.CLOSED)
        ctx["today"] = timezone.localdate()
        return ctx


def done_message(action: str, demand: Demand) -> str:
    """What an action did and to whom, read right after the click: "已办理" said neither, and after 受理 it
    read as "finished" although the demand had only been taken in."""
    subject = {"t": demand}
    if action == "accept":
        return _t("已受理“%(t)s”:类别 %(c)s,办理期限 %(d)s。下一步:派单。") % {
            **subject, "c": demand.category, "d": demand.due_label}
    if action == "assign":
        who = demand.assignee_display
        if demand.assignee_user_id:
            return _t("已派给 %(who)s,办理期限 %(d)s,已通知承办人。") % {"who": who, "d": demand.due_label}
        return _t("已派给 %(who)s,办理期限 %(d)s。") % {"who": who, "d": demand.due_label}
    if action == "resolve":
        if demand.requester_user_id:
            return _t("已办结“%(t)s”,已通知提出人评价。") % subject
        return _t("已办结“%(t)s”,提出人可凭查询码 %(code)s 查看结果并评价。") % {
            **subject, "code": demand.tracking_code}
    if action == "reopen":
        return _t("已重新交回 %(who)s 办理。") % {"who": demand.assignee_display or _t("承办方")}
    if action == "merge":
        return _t("已将“%(t)s”合并到需求 #%(pk)s“%(into)s”。") % {
            **subject, "pk": demand.duplicate_of_id, "into": demand.duplicate_of}
    if action == "recategorize":
        return _t("类别已改为 %(c)s,办理期限不变。") % {"c": demand.category}
    if action == "reject":
        return _t("已驳回“%(t)s”,提出人可在办理进度中看到原因。") % subject
    if action == "close":
        return _t("已关闭“%(t)s”。") % subject
    if action == "rate":
        return _t("感谢您的评价(%(n)s 星),需求已关闭。") % {"n": demand.rating}
    if action == "sign":
        return _t("已签收“%(t)s”,请在办理期限 %(d)s 前办结。") % {**subject, "d": demand.due_label}
    if action == "return":
        return _t("已将“%(t)s”退回街道。") % subject
    if action == "callback":
        return _t("已记录回访:%(r)s。") % {"r": demand.get_callback_result_display()}
    return _t("已保存。")


class DemandActionView(ScopedMixin, generic.View):
    model = Demand

    def post(self, request, pk, action):
        demand = get_object_or_404(self.scoped_queryset(), pk=pk)
        note = request.POST.get("note", "")
        if action == "rate":
            try:
                workflow.rate(demand, rating=request.POST.get("rating"), comment=request.POST.get("comment", ""),
                              user=request.user)
            except ValidationError as exc:
                _messages_from(request, exc)
            else:
                demand.refresh_from_db()
                messages.success(request, done_message("rate", demand))
            return redirect(demand.get_absolute_url())
        by_department = action in workflow.department_actions(demand, request.user)
        if action in ("sign", "return") and not by_department and not request.user.is_superuser:
            raise PermissionDenied
        if not by_department and not can_write(request.user, Demand):
            raise PermissionDenied
        try:
            if action == "sign":
                workflow.sign(demand, user=request.user, note=note)
            elif action == "return":
                workflow.return_to_street(demand, user=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, done_message(action, demand))
                # Nothing left for the department to do with it: back to its inbox, to the next one.
                return redirect("demands:inbox")
            elif action == "callback":
                form = CallbackForm(request.POST)
                if not form.is_valid():
                    raise ValidationError([f"{form.fields[f].label} {e}" for f, errors in form.errors.items()
                                           for e in errors])
                workflow.call_back(demand, user=request.user, result=form.cleaned_data["result"],
                                   note=form.cleaned_data.get("note", ""))
            elif action == "accept":
                category = Category.objects.filter(code=request.POST.get("category", ""), active=True).first()
                workflow.accept(demand, user=request.user, category=category, note=note)
            elif action == "assign":
                form = AssignForm(request.POST, demand=demand, user=request.user)
                if not form.is_valid():
                    raise ValidationError([f"{form.fields[f].label if f in form.fields else ''} {e}"
                                           for f, errors in form.errors.items() for e in errors])
                data = form.cleaned_data
                workflow.assign(demand, user=request.user, assignee_user=data.get("assignee_user"),
                                department=data.get("to_department") or data.get("department", ""),
                                enterprise=data.get("enterprise"),
                                note=data.get("note", ""))
            elif action == "merge":
                target = self.scoped_queryset().filter(pk=request.POST.get("duplicate_of") or 0).first()
                if target is None:
                    raise ValidationError({"duplicate_of": _t("请选择要合并到的需求。")})
                workflow.merge(demand, into=target, user=request.user, note=note)
            elif action == "recategorize":
                category = Category.objects.filter(code=request.POST.get("category", ""), active=True).first()
                if category is None:
                    raise ValidationError({"category": _t("未知的类别。")})
                workflow.recategorize(demand, category=category, user=request.user)
            elif action in ("resolve", "close", "reject", "reopen", "forward"):
                getattr(workflow, action)(demand, user=request.user, note=note)
            else:
                raise Http404
        except ValidationError as exc:
            _messages_from(request, exc)
        else:
            demand.refresh_from_db()
            messages.success(request, done_message(action, demand))
        return redirect(demand.get_absolute_url())


class AttachmentDownloadView(ScopedMixin, generic.View):
    model = Demand

    def get(self, request, pk, attachment_id):
        demand = get_object_or_404(self.scoped_queryset(), pk=pk)
        attachment = get_object_or_404(demand.attachments, pk=attachment_id)
        return FileResponse(attachment.file.open("rb"), filename=attachment.name)


# --- public form and tracking -------------------------------------------------------------------------
class PublicDemandView(generic.FormView):
    """No login: anyone in a building submits a demand or orders a service; throttled, spam-checked."""

    form_class = PublicDemandForm
    template_name = "demands/public_form.html"

    def get_service(self):
        code = self.request.GET.get("service") or self.request.POST.get("service")
        return Service.objects.filter(code=code, active=True).select_related("station").first() if code else None

    def get_initial(self):
        initial = {**super().get_initial(), "form_token": intake.form_token()}
        service = self.get_service()
        if service:
            initial.update(place=service.station.parent_id, text=_t("我想预约:%(name)s") % {"name": service.name})
        elif self.request.GET.get("place", "").isdigit():
            initial["place"] = self.request.GET["place"]
        return initial

    def get_context_data(self, **kwargs):
        place = self.request.POST.get("place") or self.get_initial().get("place")
        return {**super().get_context_data(**kwargs), "service": self.get_service(),
                "head_council": building_head_of(place)}

    def post(self, request, *args, **kwargs):
        ip = client_ip(request)
        if intake.throttled(ip):
            return render(request, "demands/public_throttled.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        reason = intake.spam_reason(data["form_token"], data.get("website", ""))
        if reason == "too_fast":
            # Only reached with every field valid, the clock counted from the first render (intake.py).
            form.add_error(None, _t("提交得太快了,请稍等几秒再点“提交”。"))
            return self.form_invalid(form)
        if reason:
            form.add_error(None, _t("提交过快或表单已过期,请刷新页面后重试。"))
            return self.form_invalid(form)
        service = self.get_service()
        # A signed-in visitor (a registered resident or white-collar worker scanning the building's code) is the
        # requester: the demand shows among their own, and they are told when it is resolved.
        user = self.request.user if self.request.user.is_authenticated else None
        try:
            with transaction.atomic():
                demand = workflow.submit(
                    text=data["text"], place=data["place"], user=user, requester_name=data.get("requester_name", ""),
                    requester_phone=data.get("requester_phone", ""), requester_kind=RequesterKind.RESIDENT,
                    source=DemandSource.SERVICE_ORDER if service else DemandSource.PUBLIC, service=service,
                    category=service.category if service else None)
                save_attachments(demand, data.get("attachments"))
                intake.record_submission(client_ip(self.request))
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        return redirect(reverse("demands:track", args=[demand.tracking_code]) + "?new=1")

    def form_invalid(self, form):
        # The token posted is kept (the clock runs from the first render): fixing an error never makes the
        # resubmission "too fast" (intake.token_for_retry, docs/decisions/046).
        form.data = form.data.copy()
        form.data["form_token"] = intake.token_for_retry(form.data.get("form_token", ""))
        return super().form_invalid(form)


def public_contact(place):
    """The published service point for a place: the nearest party-mass service station (党群服务站) on or
    above it, with its address. Only public facts: a worker's or contact person's own phone is personal data
    (PIPL art. 6, the minimum necessary; docs/decisions/022) and is never shown on a no-login page."""
    from jiceng.places.models import Place, PlaceKind

    if place is None:
        return None
    ancestor_ids = [int(part) for part in place.path.strip("/").split("/") if part]
    stations = Place.objects.filter(kind=PlaceKind.STATION, parent_id__in=ancestor_ids).only(
        "name", "address", "depth")
    station = stations.order_by("-depth", "name").first()
    street = Place.objects.filter(pk=place.street_id).only("name", "address").first() if place.street_id else None
    return {"station": station, "street": street} if station or street else None


class TrackView(generic.TemplateView):
    """Public progress by tracking code, and the requester's rating."""

    template_name = "demands/track.html"

    def get_demand(self):
        return get_object_or_404(Demand.objects.select_related("category", "place"),
                                 tracking_code=self.kwargs["code"].upper())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        demand = self.get_demand()
        ctx["demand"] = demand
        ctx["just_submitted"] = self.request.GET.get("new") == "1"
        ctx["track_url"] = self.request.build_absolute_uri(reverse("demands:track", args=[demand.tracking_code]))
        ctx["contact"] = public_contact(demand.place)
        # The public timeline shows what happened, not who inside the administration did it.
        ctx["events"] = demand.events.all()
        ctx["can_rate"] = demand.rating is None and demand.status in (DemandStatus.RESOLVED, DemandStatus.CLOSED)
        return ctx

    def post(self, request, code):
        demand = self.get_demand()
        try:
            workflow.rate(demand, rating=request.POST.get("rating"), comment=request.POST.get("comment", ""),
                          tracking_code=demand.tracking_code if request.POST.get("code", "").upper() ==
                          demand.tracking_code else None)
        except ValidationError as exc:
            _messages_from(request, exc)
        else:
            demand.refresh_from_db()
            messages.success(request, done_message("rate", demand))
        return redirect("demands:track", code=demand.tracking_code)


class TrackLookupView(generic.View):
    def get(self, request):
        code = (request.GET.get("code") or "").strip().upper()
        if code and Demand.objects.filter(tracking_code=code).exists():
            return redirect("demands:track", code=code)
        if code:
            messages.error(request, _t("未找到该查询码。"))
        return render(request, "demands/track_lookup.html")


class CatalogView(generic.ListView):
    """Stations' service catalogs, public: anyone can order a service."""

    template_name = "demands/catalog.html"

    def get_queryset(self):
        return Service.objects.filter(active=True).select_related("station", "category").order_by("station__name",
                                                                                                    "name")


# --- visits -------------------------------------------------------------------------------------------
class VisitListView(ObjectListView):
    model = Visit
    filterset_class = VisitFilterSet
    related = ("enterprise", "worker")
    add_url = reverse_lazy("demands:visit_add")
    columns = [Column(str, _("走访")), Column("enterprise.name", _("企业"), role=KEY),
               Column(lambda v: person_label(v.worker), _("走访人"), role=KEY), Column("date", _("走访日期"), role=KEY),
               Column("people_met", _("接待人员")),
               Column(lambda v: "、".join(visits_label(v.signals)), _("风险信号"))]

    def get_queryset(self):
        return super().get_queryset().prefetch_related(units_prefetch("worker__"))


def visits_label(codes: list[str]) -> list[str]:
    labels = dict(visits.SIGNAL_CHOICES)
    return [str(labels.get(code, code)) for code in codes]


class VisitCreateView(LoginRequiredMixin, generic.FormView):
    form_class = VisitForm
    template_name = "demands/visit_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_write(request.user, Visit):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = super().get_initial()
        if self.request.GET.get("place", "").isdigit():
            initial["place"] = self.request.GET["place"]
        if self.request.GET.get("enterprise", "").isdigit():
            initial["enterprise"] = self.request.GET["enterprise"]
        return initial

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            visit = visits.record_visit(enterprise=data["enterprise"], worker=self.request.user, date=data["date"],
                                        people_met=data.get("people_met", ""), notes=data.get("notes", ""),
                                        findings=data.get("findings", ""), signals=data.get("signals") or [],
                                        demand_texts=form.demand_texts())
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _t("已记录走访。"))
        return redirect(visit.get_absolute_url())


class VisitDetailView(ObjectDetailView):
    model = Visit
    template_name = "demands/visit_detail.html"
    fields = [Column("enterprise.name", _("企业")), Column("date", _("走访日期")),
              Column(lambda v: person_label(v.worker), _("走访人")),
              Column("people_met", _("接待人员")), Column("notes", _("走访记录")), Column("findings", _("发现情况")),
              Column(lambda v: "、".join(visits_label(v.signals)), _("风险信号"))]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["demands"] = self.object.demands.select_related("category")
        return ctx


class RouteView(LoginRequiredMixin, generic.TemplateView):
    """A worker's route: enterprises due for a visit, grouped by building."""

    template_name = "demands/route.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["stops"] = visits.route(Enterprise.objects.restrict(self.request.user))
        return ctx


# --- notifications ------------------------------------------------------------------------------------
class NotificationListView(LoginRequiredMixin, generic.ListView):
    template_name = "demands/notifications.html"
    paginate_by = 50

    def get_queryset(self):
        return self.request.user.notifications.all()

    def post(self, request):
        Notification.objects.filter(user=request.user, read=False).update(read=True)
        identity_changed([request.user.pk])  # an update() sends no signal
        return redirect("demands:notifications")


def inbox_url(request):
    return reverse("demands:inbox")
