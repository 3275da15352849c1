from django.apps import apps
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views import generic

from jiceng.core.scoping import prime_visibility
from jiceng.core.tables import STATUS, Column
from jiceng.core.views import ObjectDetailView, ObjectEditView, ObjectListView, ScopedMixin
from jiceng.enterprises.models import Enterprise

from .filters import PlaceFilterSet
from .forms import PlaceForm
from .models import Place
from .services import place_tree

COLUMNS = [
    Column("name", _("名称")),
    Column("kind", _("类型"), role=STATUS),
    Column("parent.name", _("上级")),
    Column("address", _("地址")),
    Column("code", _("编码")),
]


class PlaceListView(ObjectListView):
    model = Place
    filterset_class = PlaceFilterSet
    columns = COLUMNS
    related = ("parent",)
    add_url = reverse_lazy("places:place_add")
    template_name = "places/place_list.html"


class PlaceDetailView(ObjectDetailView):
    model = Place
    template_name = "places/place_detail.html"
    fields = [*COLUMNS, Column("lat", _("纬度 (WGS-84)")), Column("lng", _("经度 (WGS-84)"))]

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        place = self.object
        ctx["edit_url"] = reverse("places:place_edit", args=[place.pk])
        ctx["ancestors"] = list(place.ancestors())
        prime_visibility(self.request.user, ctx["ancestors"])  # the breadcrumbs link only to what opens
        ctx["children"] = Place.objects.restrict(self.request.user).filter(parent=place).order_by("kind", "name")
        ctx["enterprise_count"] = (
            Enterprise.objects.restrict(self.request.user).filter(place__path__startswith=place.path).count()
        )
        if apps.is_installed("jiceng.governance"):  # 有事找楼长: the building page says who the head is
            from jiceng.governance.services import head_for_place

            ctx["head_council"] = head_for_place(place) if place.kind not in ("district", "street") else None
        if apps.is_installed("jiceng.portal"):  # 楼宇码: the building's public page and its poster for the lobby
            from jiceng.portal.services import PUBLIC_PLACE_KINDS

            ctx["has_public_page"] = place.kind in PUBLIC_PLACE_KINDS
        return ctx


class PlaceEditView(ObjectEditView):
    model = Place
    form_class = PlaceForm


class PlaceTreeView(ScopedMixin, generic.TemplateView):
    model = Place
    template_name = "places/place_tree.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tree"] = place_tree(self.scoped_queryset())
        return ctx
