"""Pages of stations: the list and a station's page (staff), the public station page, the 500 m service-circle
report and the map with its layers' data. Thin: the rules and queries are in models, services, circles and
maplayers."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch, Q
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import generic
from rest_framework.exceptions import ValidationError as DRFValidationError

from jiceng.core import csp
from jiceng.core.scoping import as_union
from jiceng.core.tables import KEY, SECONDARY, STATUS, TITLE, Column
from jiceng.core.views import ObjectDetailView, ObjectListView, history_rows
from jiceng.venues.models import Room

from . import circles, maplayers
from .api.views import parse_gap_params
from .filters import StationListFilterSet
from .models import Station

PUBLIC_ACTIVITY_LIMIT = 10
GAP_ROWS_SHOWN = 500


def hours_text(station: Station) -> str:
    days = "、".join(station.weekday_labels())
    return f"{days} {station.opens_at:%H:%M}–{station.closes_at:%H:%M}"


COLUMNS = [
    Column("place.name", _("名称"), role=TITLE),
    Column("level", _("层级"), role=STATUS),
    Column("parent.place.name", _("上级站点"), role=KEY),
    Column("place.parent.name", _("所在地域"), role=KEY),
    Column(hours_text, _("开放时间"), role=KEY),
    Column("place.address", _("地址"), role=SECONDARY),
]


class StationListView(ObjectListView):
    model = Station
    filterset_class = StationListFilterSet
    columns = COLUMNS
    related = ("place", "place__parent", "parent__place")

    def get_queryset(self):
        return super().get_queryset().order_by("place__path", "pk")


def upcoming_activities(station: Station, *, public_only: bool, user=None, limit: int = PUBLIC_ACTIVITY_LIMIT):
    """Activities at the station (its place or one of its rooms) from now on."""
    from jiceng.activities.models import Activity, ActivityStatus

    # One indexed query per way an activity can be at the station (as_union): as one OR, SQLite walked every
    # activity to come in date order, testing each (0.48 s at city scale for a station with few activities).
    at_station = as_union(Activity, Q(place=station.place) | Q(booking__room__place=station.place)
                          | Q(station=station.place))
    qs = Activity.objects.filter(at_station,
                                 end__gte=timezone.now()).exclude(status=ActivityStatus.CANCELLED)
    qs = qs.filter(public=True) if public_only else qs.restrict(user)
    return list(qs.order_by("start", "pk")[:limit])


def station_context(station: Station) -> dict:
    from jiceng.demands.models import Service

    return {
        "station": station,
        "amenities": list(station.amenities.all()),
        "rooms": list(station.place.rooms.filter(active=True).order_by("name")),
        "services": list(Service.objects.filter(station=station.place, active=True).select_related("category")
                         .order_by("name")),
        "duties": list(station.duties.order_by("weekday", "name")),
        "hours": hours_text(station),
    }


class StationDetailView(ObjectDetailView):
    model = Station
    template_name = "stations/station_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("place", "place__parent", "parent__place")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        station = self.object
        ctx.update(station_context(station))
        ctx["children"] = list(Station.objects.restrict(self.request.user).filter(parent=station)
                               .select_related("place").order_by("place__name"))
        ctx["activities"] = upcoming_activities(station, public_only=False, user=self.request.user)
        ctx["history"] = history_rows(station)
        return ctx


class StationPublicView(generic.DetailView):
    """The public station page (no sign-in): services, amenities, hours, rooms, who is on duty (names and titles,
    never phones) and upcoming public activities."""

    template_name = "stations/station_public.html"
    context_object_name = "station"

    def get_queryset(self):
        return Station.objects.select_related("place", "parent__place").prefetch_related(
            "amenities", Prefetch("place__rooms", queryset=Room.objects.filter(active=True)))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(station_context(self.object))
        ctx["activities"] = upcoming_activities(self.object, public_only=True)
        return ctx


def gap_columns() -> list[Column]:
    return [
        Column(lambda gap: gap.place.name, _("楼宇/园区"), role=TITLE),
        Column(lambda gap: f"{gap.distance:.1f} m" if gap.station else "—", _("到最近站点"), role=STATUS),
        Column(lambda gap: gap.station.name if gap.station else "—", _("最近站点"), role=KEY),
        Column(lambda gap: gap.place.street, _("街道"), role=KEY),
    ]


class GapReportView(LoginRequiredMixin, generic.TemplateView):
    template_name = "stations/gap_report.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        try:
            radius, within, candidate = parse_gap_params(self.request)
            error = None
        except DRFValidationError as exc:
            radius, within, candidate = circles.default_radius(), None, None
            error = "; ".join(str(m) for messages in exc.detail.values() for m in messages)
        report = circles.gap_report(self.request.user, radius, within=within, candidate=candidate)
        columns = gap_columns()
        heads = [{"label": c.label, "role": c.role} for c in columns]
        ctx.update(report=report, error=error, within=within, radius=radius, heads=heads,
                   rows=[(gap, list(zip([c.value(gap) for c in columns], heads, strict=True)))
                         for gap in report.gaps[:GAP_ROWS_SHOWN]],
                   shown=min(len(report.gaps), GAP_ROWS_SHOWN))
        return ctx


def tile_settings() -> dict:
    """The configured tile source (docs/deploy.md); an empty URL means the plain base, with no outside request."""
    conf = settings.JICENG
    url = (conf.get("MAP_TILE_URL") or "").strip()
    crs = (conf.get("MAP_TILE_CRS") or "wgs84").lower()
    return {"url": url, "crs": crs if crs in maplayers.CONVERTERS else "wgs84",
            "attribution": conf.get("MAP_TILE_ATTRIBUTION", ""), "max_zoom": int(conf.get("MAP_TILE_MAX_ZOOM", 18))}


def tile_origin(url: str) -> str | None:
    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = parts.netloc
    if "{" in host:  # a templated host ({s}.tiles.example): allow its subdomains
        host = "*." + host.split(".", 1)[1] if "." in host else host
    return f"{parts.scheme}://{host}"


class MapView(LoginRequiredMixin, generic.TemplateView):
    template_name = "stations/map.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        tiles = tile_settings()
        ctx["map_config"] = {
            "tiles": tiles,
            "radius": circles.default_radius(),
            "layers": [{"code": layer.code, "label": str(layer.label), "on": layer.default_on,
                        "url": reverse("map:layer", args=[layer.code])} for layer in maplayers.LAYERS],
            "gaps_api": reverse("service-gaps"),
            "labels": {"distance": str(_("到最近站点")), "radius": str(_("服务半径")),
                       "whatif": str(_("在此设站可覆盖的缺口")), "level": str(_("等级")),
                       "nolevel": str(_("暂无企业等级")), "open": str(_("打开")),
                       "whatif_hint": str(_("在地图上点击一处,看在那里设站能让多少楼宇进入服务圈。"))},
        }
        return ctx

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        origin = tile_origin(context["map_config"]["tiles"]["url"])
        if origin:  # the government tile server's images, and nothing else from outside (OWASP CSP cheat sheet)
            policy = {**csp.POLICY, "img-src": [*csp.POLICY["img-src"], origin]}
            name = ("Content-Security-Policy-Report-Only" if getattr(settings, "CSP_REPORT_ONLY", False)
                    else "Content-Security-Policy")
            response.headers[name] = csp.header_value(policy)
        return response


class MapLayerView(LoginRequiredMixin, generic.View):
    """One layer's GeoJSON, in the tile source's coordinate system (or `?crs=`)."""

    def get(self, request, code: str):
        layer = maplayers.layer_by_code(code)
        if layer is None:
            raise Http404
        crs = (request.GET.get("crs") or tile_settings()["crs"]).lower()
        if crs not in maplayers.CONVERTERS:
            return JsonResponse({"crs": [str(_("坐标系须是 wgs84、gcj02 或 bd09。"))]}, status=400)
        ctx = maplayers.MapContext(request.user, crs=crs)
        return JsonResponse(maplayers.feature_collection(layer, ctx), json_dumps_params={"ensure_ascii": False})
