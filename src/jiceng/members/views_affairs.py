"""Member affairs pages: applications, transfers, dues, the six-month report and self-service.

Views parse input, check scope and role, call pipeline/transfers/dues, and render.
"""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import generic

from jiceng.accounts.models import AuditEvent
from jiceng.accounts.permissions import can_write
from jiceng.core import audit
from jiceng.core.excel import xlsx_response
from jiceng.core.tables import KEY, STATUS, TITLE, Column
from jiceng.core.views import ObjectDetailView, ObjectListView, ScopedMixin, history_rows
from jiceng.organizations.models import Organization

from . import dues, inactivity, pioneer, transfers
from .filters_affairs import ApplicationFilterSet, TransferFilterSet
from .forms_affairs import (
    ApplicationForm,
    DuesBaseForm,
    DuesReliefForm,
    IncomingTransferForm,
    PaymentForm,
    StepForm,
    TransferIssueForm,
)
from .models import Application, ApplicationDocument, DuesPayment, DuesRelief, Member, Transfer, TransferState
from .pipeline import (
    STEPS,
    StepInput,
    create_application,
    due_list,
    next_steps,
    record_step,
    rule_for,
    stage_rules,
    step_source,
)


def _errors_to_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- applications -------------------------------------------------------------------------------------
class ApplicationListView(ObjectListView):
    model = Application
    filterset_class = ApplicationFilterSet
    related = ("organization",)
    add_url = reverse_lazy("members:application_add")
    template_name = "members/application_list.html"
    columns = [
        Column("name", _("姓名")),
        Column("gender", _("性别")),
        Column("id_number_masked", _("公民身份号码")),
        Column("stage", _("所处阶段"), role=STATUS),
        Column("organization.name", _("培养党组织"), role=KEY),
        Column("created", _("录入时间"), role=KEY),
    ]


class ApplicationCreateView(ScopedMixin, generic.FormView):
    model = Application
    form_class = ApplicationForm
    template_name = "core/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_write(request.user, Application):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if k != "applied_on"}
        try:
            application = create_application(user=self.request.user, applied_on=form.cleaned_data["applied_on"],
                                              **data)
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _t("已登记入党申请。"))
        return redirect(application.get_absolute_url())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "opts": Application._meta}


class ApplicationDetailView(ObjectDetailView):
    model = Application
    template_name = "members/application_detail.html"
    fields = [Column("name", _("姓名")), Column("gender", _("性别")), Column("birth_date", _("出生日期")),
              Column("id_number_masked", _("公民身份号码")), Column("stage", _("所处阶段")),
              Column("organization.name", _("培养党组织")), Column("employer.name", _("工作单位")),
              Column("member", _("党员档案"))]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        app = self.object
        ctx["steps"] = app.steps.prefetch_related("introducers", "contacts").select_related("recorded_by")
        ctx["step_rules"] = STEPS
        ctx["next"] = next_steps(app)
        ctx["can_record"] = can_write(self.request.user, Application)
        ready = [d.rule for d in ctx["next"] if not d.blocked_by]
        # The form opens on the next step of the procedure; the repeated assessment only when nothing else is due.
        code = self.request.GET.get("step") or next((r.code for r in ready if r.once), None) or next(
            (r.code for r in ready), None)
        if ctx["can_record"] and code in STEPS and app.stage in rule_for(code, app.stage).stages:
            ctx["step_code"] = code
            ctx["step_source"] = step_source(rule_for(code, app.stage))
            ctx["step_form"] = kwargs.get("step_form") or StepForm(code=code, application=app)
        ctx["possible_steps"] = stage_rules(app.stage)
        ctx["documents"] = app.documents.all()
        return ctx


class ApplicationStepView(ScopedMixin, generic.View):
    model = Application

    def post(self, request, pk, code):
        app = get_object_or_404(self.scoped_queryset(), pk=pk)
        if not can_write(request.user, Application):
            raise PermissionDenied
        if code not in STEPS:
            raise Http404
        form = StepForm(request.POST, code=code, application=app)
        if form.is_valid():
            data = form.cleaned_data
            step = StepInput(code=code, date=data["date"], note=data.get("note", ""),
                             reference=data.get("reference", ""), people=data.get("people", ""),
                             introducers=list(data.get("introducers") or []),
                             contacts=list(data.get("contacts") or []),
                             training_days=data.get("training_days"), training_hours=data.get("training_hours"),
                             extension_months=data.get("extension_months"), ends_on=data.get("ends_on"))
            try:
                record_step(app, step, user=request.user)
            except ValidationError as exc:
                _form_errors(form, exc)  # each message under its field; the order/stage ones above the form
            else:
                messages.success(request, _t("已记录“%(step)s”。") % {"step": STEPS[code].label})
                return redirect(app.get_absolute_url())
        view = ApplicationDetailView(request=request, kwargs={"pk": pk}, object=app)
        view.object = app
        return render(request, view.template_name, view.get_context_data(step_form=form), status=400)


MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


class ApplicationDocumentView(ScopedMixin, generic.View):
    """Attach a document (application letter, talk record, approval) to an application."""

    model = Application

    def post(self, request, pk):
        app = get_object_or_404(self.scoped_queryset(), pk=pk)
        if not can_write(request.user, Application):
            raise PermissionDenied
        upload = request.FILES.get("file")
        title = (request.POST.get("title") or "").strip()
        if upload is None or not title:
            messages.error(request, _t("请填写材料名称并选择文件。"))
        elif upload.size > MAX_DOCUMENT_BYTES:
            messages.error(request, _t("文件不能超过 10 MB。"))
        else:
            document = ApplicationDocument(application=app, title=title[:100], file=upload, uploaded_by=request.user)
            try:
                document.full_clean()
            except ValidationError as exc:
                _errors_to_messages(request, exc)
            else:
                document.save()
                messages.success(request, _t("已上传。"))
        return redirect(app.get_absolute_url())


class ApplicationDocumentDownloadView(ScopedMixin, generic.View):
    """Documents hold personal data: served only through the application's scope, never as public media."""

    model = Application

    def get(self, request, pk, document_id):
        app = get_object_or_404(self.scoped_queryset(), pk=pk)
        document = get_object_or_404(app.documents, pk=document_id)
        return FileResponse(document.file.open("rb"), as_attachment=True,
                            filename=f"{document.title}{Path(document.file.name).suffix}")


class DueListView(ScopedMixin, generic.TemplateView):
    model = Application
    template_name = "members/due_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        apps = self.scoped_queryset()
        org_id = self.request.GET.get("organization")
        if org_id and org_id.isdigit():
            apps = apps.filter(organization_id=org_id)
        ctx["rows"] = due_list(apps)
        ctx["today"] = timezone.localdate()
        return ctx


# --- transfers ----------------------------------------------------------------------------------------
TRANSFER_COLUMNS = [
    Column("letter_no", _("介绍信编号")),
    Column("person_name", _("党员"), role=TITLE),
    Column("direction", _("类型"), role=KEY),
    Column("origin", _("转出党组织"), role=KEY),
    Column("destination", _("接收党组织"), role=KEY),
    Column("issue_date", _("开具日期")),
    Column("valid_until", _("有效期至")),
    Column("state", _("状态")),
]


class TransferListView(ObjectListView):
    model = Transfer
    filterset_class = TransferFilterSet
    related = ("member", "from_organization", "to_organization")
    columns = TRANSFER_COLUMNS
    add_url = reverse_lazy("members:transfer_incoming")


class TransferDetailView(ObjectDetailView):
    model = Transfer
    template_name = "members/transfer_detail.html"
    fields = [*TRANSFER_COLUMNS, Column("received_on", _("接收日期")), Column("completed_on", _("完成日期")),
              Column("receipt_returned_on", _("回执退回日期")), Column("reason", _("原因/说明"))]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_act"] = can_write(self.request.user, Transfer)
        ctx["may"] = {a: transfers.may_act(self.request.user, self.object, a)
                      for a in ("issue", "receive", "complete", "return", "receipt")}
        ctx["today"] = timezone.localdate()
        return ctx


class TransferActionView(ScopedMixin, generic.View):
    model = Transfer

    def post(self, request, pk, action):
        transfer = get_object_or_404(self.scoped_queryset(), pk=pk)
        if not can_write(request.user, Transfer):
            raise PermissionDenied
        if not transfers.may_act(request.user, transfer, action):
            messages.error(request, _t("介绍信须由有接转权限的党组织开具。") if action == "issue"
                           else _t("此操作须由转接的另一方(接收党组织)办理。"))
            return redirect(transfer.get_absolute_url())
        today = timezone.localdate()
        try:
            if action == "issue":
                transfers.issue_letter(transfer, issue_date=today, user=request.user)
            elif action == "receive":
                transfers.receive(transfer, on=today, user=request.user)
            elif action == "complete":
                transfers.complete(transfer, on=today, user=request.user)
            elif action == "return":
                transfers.return_letter(transfer, reason=request.POST.get("reason", ""), user=request.user)
            elif action == "receipt":
                transfers.record_receipt(transfer, on=today, user=request.user)
            else:
                raise Http404
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _t("已办理。"))
        return redirect(transfer.get_absolute_url())


class TransferIssueView(ScopedMixin, generic.FormView):
    model = Member
    form_class = TransferIssueForm
    template_name = "core/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_write(request.user, Transfer):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_member(self):
        return get_object_or_404(self.scoped_queryset(), pk=self.kwargs["pk"])

    def issuing(self) -> bool:
        """Whether the user acts for an authority over the member's branch (then the letter is issued at once);
        otherwise — a branch secretary — the form files a request for the authority to issue."""
        authority = transfers.transfer_authority_for(self.get_member().organization)
        return authority is not None and Organization.objects.restrict(self.request.user).filter(
            pk=authority.pk).exists()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "issuing": self.issuing()}

    def form_valid(self, form):
        data = form.cleaned_data
        common = {"to_organization": data.get("to_organization"), "scope": data.get("scope"),
                  "external_organization": data.get("external_organization", ""), "reason": data.get("reason", ""),
                  "user": self.request.user}
        try:
            if self.issuing():
                transfer = transfers.issue_transfer(self.get_member(), issue_date=data["issue_date"],
                                                    letter_no=data.get("letter_no", ""), **common)
            else:
                transfer = transfers.request_transfer(self.get_member(), **common)
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        if transfer.state == TransferState.REQUESTED:
            messages.success(self.request, _t("已提交转接申请,待有接转权限的党组织开具介绍信。"))
        else:
            messages.success(self.request, _t("已开具介绍信 %(no)s。") % {"no": transfer.letter_no})
        return redirect(transfer.get_absolute_url())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["opts"] = Transfer._meta
        ctx["object"] = self.get_member()
        return ctx


class IncomingTransferView(LoginRequiredMixin, generic.FormView):
    form_class = IncomingTransferForm
    template_name = "core/object_edit.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_write(request.user, Transfer):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            transfer = transfers.register_incoming(
                details=form.details(), to_organization=data["to_organization"],
                external_organization=data["external_organization"], letter_no=data["letter_no"],
                issue_date=data["issue_date"], user=self.request.user)
        except ValidationError as exc:
            _form_errors(form, exc)
            return self.form_invalid(form)
        return redirect(transfer.get_absolute_url())

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "opts": Transfer._meta}


class TransferLetterView(ScopedMixin, generic.DetailView):
    """The printable introduction letter with its receipt stub (print from the browser or save as PDF)."""

    model = Transfer
    template_name = "members/transfer_letter.html"


# --- dues ---------------------------------------------------------------------------------------------
class MemberDuesActionView(ScopedMixin, generic.View):
    model = Member

    def post(self, request, pk, action):
        member = get_object_or_404(self.scoped_queryset(), pk=pk)
        if not can_write(request.user, DuesPayment):
            raise PermissionDenied
        form_class = {"base": DuesBaseForm, "relief": DuesReliefForm}.get(action, PaymentForm)
        form = form_class(request.POST)
        if not form.is_valid():
            for field, errors in form.errors.items():
                for error in errors:
                    messages.error(request, f"{form.fields[field].label if field in form.fields else ''} {error}")
            return redirect(f"{member.get_absolute_url()}#dues")
        data = form.cleaned_data
        try:
            if action == "base":
                dues.declare_base(member, category=data["category"], base=data["base"],
                                  declared_amount=data.get("declared_amount") or None,
                                  effective_month=data["effective_month"], user=request.user)
            elif action == "pay":
                dues.record_payment(member, month=data["month"], amount=data.get("amount") or None,
                                    method=data["method"], paid_on=data["paid_on"], user=request.user)
            elif action == "relief":
                dues.grant_relief(member, kind=data["kind"], amount=data.get("amount") or None,
                                  start_month=data["start_month"], end_month=data["end_month"],
                                  reason=data["reason"], approved_by=data["approved_by"],
                                  approved_on=data["approved_on"], user=request.user)
            else:
                raise Http404
        except ValidationError as exc:
            _errors_to_messages(request, exc)
        else:
            messages.success(request, _t("已保存。"))
        return redirect(f"{member.get_absolute_url()}#dues")


def _report_org(request) -> Organization | None:
    orgs = Organization.objects.restrict(request.user)
    org_id = request.GET.get("organization")
    if org_id:
        org = orgs.filter(pk=org_id).first() if org_id.isdigit() else None
        if org is None:
            raise Http404
        return org
    return orgs.order_by("path").first()


class DuesReportView(LoginRequiredMixin, generic.TemplateView):
    """Arrears and the annual summary for an organization (and its subtree); Excel export."""

    template_name = "members/dues_report.html"

    def get(self, request, *args, **kwargs):
        self.org = _report_org(request)
        year = request.GET.get("year", "")
        # Out-of-range years are ignored rather than failing in date arithmetic.
        self.year = int(year) if year.isdigit() and 2000 <= int(year) <= 2100 else timezone.localdate().year
        if self.org is not None and request.GET.get("export") == "xlsx":
            audit.record(request, AuditEvent.Action.EXPORT, self.org, object_type="dues_report")
            return self.export()
        return super().get(request, *args, **kwargs)

    def members(self):
        return Member.objects.restrict(self.request.user).filter(self.org.subtree_q())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["organization"] = self.org
        ctx["organizations"] = Organization.objects.restrict(self.request.user).order_by("path")[:1000]
        ctx["year"] = self.year
        if self.org is not None:
            ctx["arrears"] = dues.arrears(self.members())
            ctx["summary"] = dues.annual_summary(self.members(), self.year)
            ctx["reliefs"] = dues.reliefs_in_year(self.members(), self.year)
        return ctx

    def export(self):
        arrears = dues.arrears(self.members())
        summary = dues.annual_summary(self.members(), self.year)
        return xlsx_response(f"dues-{self.org.pk}-{self.year}.xlsx", [
            (_t("欠缴名单"), [_t("姓名"), _t("所在党组织"), _t("欠缴月数"), _t("欠缴月份"), _t("欠缴金额")],
             [[a.member.name, a.member.organization.name, len(a.months), " ".join(f"{m:%Y-%m}" for m in a.months),
               a.amount] for a in arrears]),
            (_t("年度汇总"), [_t("姓名"), _t("所在党组织"), _t("已缴月数"), _t("已缴金额")],
             [[r["name"], r["organization"], r["months"], r["total"]] for r in summary]),
            (_t("少交免交"), [_t("姓名"), _t("所在党组织"), _t("类型"), _t("每月应交金额"), _t("起始月份"),
                            _t("截止月份"), _t("原因"), _t("批准党组织"), _t("批准日期")],
             [[r.member.name, r.member.organization.name, r.get_kind_display(), r.amount, f"{r.start_month:%Y-%m}",
               f"{r.end_month:%Y-%m}", r.reason, r.approved_by, r.approved_on] for r in self._reliefs()]),
        ])

    def _reliefs(self) -> list[DuesRelief]:
        return dues.reliefs_in_year(self.members(), self.year)


class InactivityReportView(LoginRequiredMixin, generic.TemplateView):
    template_name = "members/inactivity.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org = _report_org(self.request)
        ctx["organization"] = org
        ctx["organizations"] = Organization.objects.restrict(self.request.user).order_by("path")[:1000]
        if org is not None:
            members = Member.objects.restrict(self.request.user).filter(org.subtree_q())
            # The database finds the inactive members (NOT EXISTS per source); only the page's rows get their
            # latest dates, so a street's committee with thousands of members costs a few queries.
            inactive = inactivity.inactive_queryset(members).select_related("organization").order_by(
                "organization__path", "name_pinyin", "pk")
            page = Paginator(inactive, self.paginate_by).get_page(self.request.GET.get("page"))
            params = self.request.GET.copy()
            params.pop("page", None)
            ctx.update(rows=inactivity.describe(page.object_list), page_obj=page, querystring=params.urlencode(),
                       sources=inactivity.source_labels())
        return ctx


# --- self-service -------------------------------------------------------------------------------------
class MyPageView(LoginRequiredMixin, generic.TemplateView):
    """A member's own page: masked profile, application and transfer status, dues and payments."""

    template_name = "members/me.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        member = Member.objects.restrict(self.request.user).filter(
            pk__in=self.request.user.role_assignments.filter(role="member").values("member")).first()
        ctx["member"] = member
        if member is not None:
            ctx["application"] = Application.objects.filter(member=member).first()
            ctx["transfers"] = Transfer.objects.filter(member=member).select_related("from_organization",
                                                                                      "to_organization")
            ctx["payments"] = member.dues_payments.order_by("-month")[:24]
            ctx["arrears"], ctx["monthly"] = dues.member_status(member, timezone.localdate())
            ctx["history"] = history_rows(member, limit=10)
            period = pioneer.parse_period(None)
            ctx["pioneer_period"] = period
            ctx["pioneer"] = pioneer.breakdown(member, period.start, period.end)
        return ctx


def member_affairs_context(request, member: Member) -> dict:
    """What the member detail page shows about affairs (dues, transfers, application)."""
    bases = list(member.dues_bases.all())
    return {
        "dues_bases": bases,
        "monthly_due": dues.amount_due(member, timezone.localdate(), bases),
        "payments": member.dues_payments.order_by("-month")[:12],
        "reliefs": list(member.dues_reliefs.order_by("-start_month")[:12]),
        "relief_form": DuesReliefForm(),
        "transfers": member.transfers.select_related("from_organization", "to_organization"),
        "application": Application.objects.filter(member=member).first(),
        "can_keep_affairs": can_write(request.user, Transfer),
        "can_keep_dues": can_write(request.user, DuesPayment),
        "base_form": DuesBaseForm(),
        "payment_form": PaymentForm(),
        "issue_url": reverse("members:transfer_issue", args=[member.pk]),
    }
