from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from jiceng.accounts.permissions import can_reveal_personal_data
from jiceng.core.pagination import LateRowPaginator
from jiceng.core.tables import KEY, STATUS, Column
from jiceng.core.views import ObjectDetailView, ObjectEditView, ObjectListView, RevealView

from .filters import MemberFilterSet
from .forms import MemberForm
from .models import Member
from .views_affairs import member_affairs_context

COLUMNS = [
    Column("name", _("姓名")),
    Column("gender", _("性别")),
    Column("birth_date", _("出生日期")),
    Column("id_number_masked", _("公民身份号码")),
    Column("phone_masked", _("手机号码")),
    Column("status", _("党员类别"), role=STATUS),
    Column("organization.name", _("所在党组织"), role=KEY),
    Column("employer.name", _("工作单位"), role=KEY),
    Column("join_date", _("入党日期"), role=KEY),
]


class MemberListView(ObjectListView):
    model = Member
    filterset_class = MemberFilterSet
    columns = COLUMNS
    related = ("organization", "employer")
    paginator_class = LateRowPaginator  # sorted by name: no index gives a street's members in that order
    add_url = reverse_lazy("members:member_add")
    import_url = reverse_lazy("members:member_import")


class MemberDetailView(ObjectDetailView):
    model = Member
    template_name = "members/member_detail.html"
    fields = [*COLUMNS, Column("ethnicity", _("民族")), Column("education", _("学历")), Column("occupation", _("职业")),
              Column("full_date", _("转正日期")), Column("residence", _("居住地")), Column("is_mobile", _("流动党员")),
              Column("households_contacted", _("联系户数"))]

    def get_queryset(self):
        return super().get_queryset().select_related("organization", "employer")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["edit_url"] = reverse("members:member_edit", args=[self.object.pk])
        ctx["can_reveal"] = can_reveal_personal_data(self.request.user)
        ctx.update(member_affairs_context(self.request, self.object))
        from jiceng.activities.services import speaker_stats  # activities builds on members, not the reverse

        ctx["speaker"] = speaker_stats(self.object)
        return ctx


class MemberEditView(ObjectEditView):
    model = Member
    form_class = MemberForm
    reveal_url_name = "members:member_reveal"


class MemberRevealView(RevealView):
    """Full ID number and phone, for privileged roles only; every reveal is audited."""

    model = Member
