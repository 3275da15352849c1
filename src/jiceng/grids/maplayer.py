"""The grids' layer of the map (/map/, jiceng.stations.maplayers): each grid in the user's scope as its polygon,
outlined in orange when its member count is outside the thresholds (GridSettings)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jiceng.stations.maplayers import FEATURE_LIMIT, MapContext, url_maker

from .models import Grid, GridSettings


def build_grids(ctx: MapContext) -> list[dict]:
    rules = GridSettings.current()
    detail = url_maker("grids:grid_detail")
    grids = (Grid.objects.restrict(ctx.user).select_related("street", "branch").order_by("street", "name", "pk")
             [:FEATURE_LIMIT])
    features = []
    for grid in grids:
        rings = grid.geometry.get("coordinates") or []
        if not rings:
            continue
        outer = [ctx.xy(lat, lng) for lng, lat, *_rest in rings[0]]
        features.append({"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [outer]},
                         "properties": {"id": grid.pk, "name": grid.name, "url": detail(grid.pk),
                                        "street": grid.street.name if grid.street else "",
                                        "branch": grid.branch.name if grid.branch else "",
                                        "members": grid.member_count,
                                        "members_label": _("党员 %(n)d 名") % {"n": grid.member_count},
                                        "warnings": grid.warnings(rules)}})
    return features
