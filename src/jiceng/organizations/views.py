from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views import generic

from jiceng.accounts.models import AuditEvent
from jiceng.accounts.permissions import can_write
from jiceng.core import audit
from jiceng.core.excel import xlsx_response
from jiceng.core.pdf import PdfFontMissing, font_missing_response, pdf_response
from jiceng.core.scoping import prime_visibility, scope_for
from jiceng.core.tables import KEY, STATUS, Column
from jiceng.core.views import ObjectDetailView, ObjectEditView, ObjectListView, ScopedMixin
from jiceng.enterprises.models import Enterprise
from jiceng.members.models import MemberStatus
from jiceng.places.models import Place, PlaceKind

from .coverage import REPORT_KINDS, coverage_report
from .filters import OrganizationFilterSet
from .forms import OrganizationForm
from .models import CommitteeMember, CommitteePosition, Coverage, Organization

COLUMNS = [
    Column("name", _("名称")),
    Column("kind", _("类型"), role=STATUS),
    Column("parent.name", _("上级党组织"), role=KEY),
    Column("place.name", _("所在地域")),
    Column("secretary.name", _("书记"), role=KEY),
    Column("term_end", _("任期届满"), role=KEY),
]
DETAIL_COLUMNS = [Column("established", _("成立日期")), Column("term_start", _("本届选举日期")),
                  Column("end_date", _("撤销日期")), Column("transfer_authority", _("有组织关系接转权限"))]


class OrganizationListView(ObjectListView):
    model = Organization
    filterset_class = OrganizationFilterSet
    columns = COLUMNS
    related = ("parent", "place", "secretary")
    add_url = reverse_lazy("organizations:organization_add")
    template_name = "organizations/organization_list.html"


class OrganizationDetailView(ObjectDetailView):
    model = Organization
    template_name = "organizations/organization_detail.html"
    fields = [*COLUMNS, *DETAIL_COLUMNS]

    def get_queryset(self):
        return super().get_queryset().select_related("parent", "place", "secretary")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        org = self.object
        ctx["edit_url"] = reverse("organizations:organization_edit", args=[org.pk])
        ctx["children"] = Organization.objects.restrict(self.request.user).filter(parent=org)
        ctx["coverages"] = list(org.coverages.select_related("enterprise"))
        prime_visibility(self.request.user, [c.enterprise for c in ctx["coverages"]])  # linked only if they open
        ctx["committee"] = org.committee.select_related("member")
        ctx["member_counts"] = org.members.filter(left_on__isnull=True).aggregate(
            total=Count("pk"), full=Count("pk", filter=Q(status=MemberStatus.FULL)))
        ctx["can_manage"] = can_write(self.request.user, Coverage)
        ctx["can_seat"] = can_write(self.request.user, CommitteeMember)
        if ctx["can_manage"]:
            # Candidates: uncovered enterprises at the organization's place (the usual case), capped.
            ctx["coverage_candidates"] = (
                Enterprise.objects.restrict(self.request.user).filter(place__path__startswith=org.place.path)
                .exclude(coverages__isnull=False).order_by("name")[:500])
        if ctx["can_seat"]:
            ctx["seat_candidates"] = org.members.filter(left_on__isnull=True).order_by("name")[:500]
            ctx["positions"] = CommitteePosition.choices
        return ctx


class OrganizationEditView(ObjectEditView):
    model = Organization
    form_class = OrganizationForm


class OrganizationTreeView(ScopedMixin, generic.TemplateView):
    model = Organization
    template_name = "organizations/organization_tree.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        orgs = list(self.scoped_queryset().order_by("path").only("id", "name", "kind", "parent_id")[:5000])
        nodes = {o.pk: {"org": o, "children": []} for o in orgs}
        roots = []
        for org in orgs:
            (nodes[org.parent_id]["children"] if org.parent_id in nodes else roots).append(nodes[org.pk])
        ctx["tree"] = roots
        return ctx


PICKER_LIMIT = 600  # places in the report's picker


def report_places(user):
    """Places a user may run a coverage report for: only those granted by a place role (or all)."""
    scope = scope_for(user)
    qs = Place.objects.filter(kind__in=REPORT_KINDS)
    if scope.everything:
        return qs
    return qs.filter(scope.place_q("district", "street", "path") | Q(pk__in=scope.district_ids | scope.street_ids))


def default_report_place(user):
    return report_places(user).order_by("depth", "name").first()


class CoverageReportView(LoginRequiredMixin, generic.TemplateView):
    template_name = "organizations/coverage.html"

    def get(self, request, *args, **kwargs):
        place_id = request.GET.get("place")
        places = report_places(request.user)
        if place_id:
            place = places.filter(pk=place_id).first() if place_id.isdigit() else None
            if place is None:
                raise Http404
        else:
            place = default_report_place(request.user)
            if place is not None:
                return redirect(f"{request.path}?place={place.pk}")
        if place is not None and request.GET.get("export") == "xlsx":
            audit.record(request, AuditEvent.Action.EXPORT, place, object_type="coverage_report")
            return coverage_xlsx(place)
        if place is not None and request.GET.get("export") == "pdf":
            try:
                response = coverage_pdf(place)
            except PdfFontMissing as exc:
                return font_missing_response(request, exc)
            audit.record(request, AuditEvent.Action.EXPORT, place, object_type="coverage_report", detail="pdf")
            return response
        self.place = place
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["place"] = self.place
        places = report_places(self.request.user)
        if places.count() > PICKER_LIMIT:
            # A city's 6,000 parks and buildings made a picker nobody scrolls (and 60 % of the page's time): the
            # districts and streets, and the report's own place; the table of areas and the path lead further down.
            places = places.filter(Q(kind__in=(PlaceKind.DISTRICT, PlaceKind.STREET)) | Q(pk=getattr(
                self.place, "pk", None)))
        ctx["places"] = places.order_by("path")[:PICKER_LIMIT]
        ctx["thresholds"] = settings.JICENG
        if self.place is not None:
            ctx["report"] = report = coverage_report(self.place, children=True)
            ctx["children"] = report.children
            ctx["ancestors"] = self.place.ancestors().filter(pk__in=report_places(self.request.user))
        return ctx


def coverage_xlsx(place: Place):
    return xlsx_response(f"coverage-{place.pk}.xlsx", coverage_sheets(coverage_report(place, children=True)))


def coverage_pdf(place: Place):
    """The same sheets as the Excel export, as an A4 PDF, under a headline of the main figures."""
    report = coverage_report(place, children=True)
    lines = [
        _t("两新组织 %(n)s 家:组织覆盖 %(org)s 家(%(org_rate).1f%%),工作覆盖 %(work)s 家(%(work_rate).1f%%)。") % {
            "n": report.enterprises, "org": report.org_covered, "org_rate": 100 * report.org_coverage_rate,
            "work": report.work_covered, "work_rate": 100 * report.work_coverage_rate},
        _t("党组织 %(orgs)s 个(联合党支部 %(joint)s 个,独立党支部 %(independent)s 个),党员 %(members)s 名。") % {
            "orgs": report.organizations, "joint": report.joint_branches,
            "independent": report.independent_branches, "members": report.members},
    ]
    title = _t("覆盖与合规报告")
    return pdf_response(f"coverage-{place.pk}.pdf", f"{title} · {place.name}", coverage_sheets(report),
                        subtitle=place.name, lines=lines)


def coverage_sheets(report) -> list:
    """The report's tables, as the Excel sheets and the PDF's tables."""
    children = report.children
    summary_headers = [_t("地域"), _t("两新组织数"), _t("组织覆盖数"), _t("组织覆盖率"), _t("工作覆盖数"),
                       _t("工作覆盖率"), _t("党组织数"), _t("联合党支部"), _t("独立党支部"), _t("党员数")]

    def summary(r):
        return [r.place.name, r.enterprises, r.org_covered, round(r.org_coverage_rate, 4), r.work_covered,
                round(r.work_coverage_rate, 4), r.organizations, r.joint_branches, r.independent_branches,
                r.members]

    sheets = [
        (_t("覆盖率"), summary_headers, [summary(report)] + [summary(c) for c in children]),
        (_t("应覆盖未覆盖"), [_t("名称"), _t("统一社会信用代码"), _t("类别"), _t("从业人员数")],
         [[e.name, e.credit_code, e.get_kind_display(), e.employees] for e in report.must_cover_uncovered]),
        (_t("应建未建"), [_t("名称"), _t("统一社会信用代码"), _t("正式党员数")],
         [[e.name, e.credit_code, n] for e, n in report.should_set_up]),
        (_t("应设未设支委会"), [_t("党组织"), _t("正式党员数")], [[o.name, n] for o, n in report.no_committee]),
        (_t("即将换届"), [_t("党组织"), _t("任期届满")], [[o.name, o.term_end] for o in report.terms_ending]),
        (_t("换届逾期"), [_t("党组织"), _t("任期届满")], [[o.name, o.term_end] for o in report.terms_ended]),
        (_t("联合支部覆盖单位过多"), [_t("党组织"), _t("覆盖单位数")],
         [[o.name, n] for o, n in report.joint_too_many_units]),
        (_t("党员超50人宜设总支"), [_t("党组织"), _t("党员数")],
         [[o.name, n] for o, n in report.suggest_general_branch]),
        (_t("党员超100人宜设党委"), [_t("党组织"), _t("党员数")], [[o.name, n] for o, n in report.suggest_committee]),
        (_t("临时支部逾期未撤销"), [_t("党组织"), _t("撤销日期")],
         [[o.name, o.end_date] for o in report.temporary_overdue]),
    ]
    return sheets


class OrganizationMembershipActionView(LoginRequiredMixin, generic.View):
    """POST-only actions on an organization's coverage and committee (from its detail page)."""

    def post(self, request, pk, action):
        from django.contrib import messages
        from django.core.exceptions import PermissionDenied, ValidationError

        from jiceng.members.models import Member

        from . import services

        org = Organization.objects.restrict(request.user).filter(pk=pk).first()
        if org is None:
            raise Http404
        model = CommitteeMember if action.startswith("committee") else Coverage
        if not can_write(request.user, model):
            raise PermissionDenied
        try:
            if action == "coverage-add":
                ent = Enterprise.objects.restrict(request.user).filter(pk=request.POST.get("enterprise")).first()
                if ent is None:
                    raise ValidationError(_t("请选择您管辖范围内的单位。"))
                services.add_coverage(org, ent)
            elif action == "coverage-remove":
                services.remove_coverage(org, int(request.POST.get("enterprise", 0)))
            elif action == "committee-add":
                member = Member.objects.restrict(request.user).filter(pk=request.POST.get("member")).first()
                if member is None:
                    raise ValidationError(_t("请选择您管辖范围内的党员。"))
                services.seat_committee_member(org, member, request.POST.get("position", ""))
            elif action == "committee-remove":
                services.unseat_committee_member(org, int(request.POST.get("seat", 0)))
            else:
                raise Http404
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        except ValueError:
            messages.error(request, _t("参数无效。"))
        else:
            messages.success(request, _t("已保存。"))
        return redirect(org.get_absolute_url())
