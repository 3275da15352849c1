from django.db.models import Count
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _

from jiceng.core.scoping import prime_visibility
from jiceng.core.tables import KEY, SECONDARY, STATUS, Column
from jiceng.core.views import ObjectDetailView, ObjectEditView, ObjectListView, RevealView
from jiceng.members.models import Member, MemberStatus

from . import updates
from .filters import EnterpriseFilterSet
from .forms import EnterpriseForm
from .models import Enterprise

COLUMNS = [
    Column("name", _("名称")),
    Column("credit_code", _("统一社会信用代码"), role=SECONDARY),
    Column("kind", _("类别"), role=STATUS),
    Column("ownership", _("经济类型"), role=SECONDARY),
    Column("industry", _("行业门类"), role=KEY),
    Column("employees", _("从业人员数"), role=KEY),
    Column("place.name", _("所在地域"), role=KEY),
    Column("lease_end", _("租约到期日")),
]


class EnterpriseListView(ObjectListView):
    model = Enterprise
    filterset_class = EnterpriseFilterSet
    columns = COLUMNS
    related = ("place",)
    add_url = reverse_lazy("enterprises:enterprise_add")
    import_url = reverse_lazy("enterprises:enterprise_import")


class EnterpriseDetailView(ObjectDetailView):
    model = Enterprise
    template_name = "enterprises/enterprise_detail.html"
    fields = [*COLUMNS, Column("unit_no", _("房号")), Column("registered_address", _("注册地址")),
              Column("actual_address", _("实际办公地址")), Column("contact_name", _("联系人")),
              Column("contact_phone_masked", _("联系电话")),
              Column("instructor", _("党建指导员"))]

    def get_queryset(self):
        return super().get_queryset().select_related("place", "instructor")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ent = self.object
        ctx["edit_url"] = reverse("enterprises:enterprise_edit", args=[ent.pk])
        ctx["coverages"] = list(ent.coverages.select_related("organization"))
        prime_visibility(self.request.user, [c.organization for c in ctx["coverages"]])  # linked only if they open
        members = Member.objects.restrict(self.request.user).active().filter(employer=ent)
        ctx["member_counts"] = dict(members.values_list("status").annotate(n=Count("pk")))
        ctx["full_status"] = MemberStatus.FULL
        ctx["updates"] = list(ent.updates.order_by("-created", "-pk")[:10])
        ctx["can_propose"] = updates.own_enterprises(self.request.user).filter(pk=ent.pk).exists()
        return ctx


class EnterpriseEditView(ObjectEditView):
    model = Enterprise
    form_class = EnterpriseForm
    reveal_url_name = "enterprises:enterprise_reveal"


class EnterpriseRevealView(RevealView):
    """The contact's full phone, for roles that may reveal personal data; audited."""

    model = Enterprise
