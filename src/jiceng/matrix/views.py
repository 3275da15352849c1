"""The report by matrix cell: page and Excel export. The figures come from `report.matrix_report`."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views import generic

from jiceng.accounts.models import AuditEvent
from jiceng.core import audit
from jiceng.core.excel import xlsx_response
from jiceng.core.scoping import scope_for
from jiceng.core.validators import place_id_param
from jiceng.places.models import Place

from .report import excel_sheets, list_links, matrix_report, parse_year
from .tags import THEMES, Theme

# The places a viewer may narrow the report to (a district, street or area they cover).
PLACE_KINDS = ("district", "street", "park", "commercial_building", "community", "market", "village", "building")


def visible_place(user, raw):
    """The `place` parameter as a place in the viewer's scope: None when not given, a ValidationError naming the
    field when not an id, 404 when not theirs (an id outside the scope reads as not found, docs/permissions.md)."""
    place_id = place_id_param(raw)
    if place_id is None:
        return None
    place = Place.objects.restrict(user).filter(pk=place_id).first()
    if place is None:
        raise Http404
    return place


class MatrixReportView(LoginRequiredMixin, generic.View):
    template_name = "matrix/report.html"

    def get(self, request):
        try:
            year = parse_year(request.GET.get("year"))
            place = visible_place(request.user, request.GET.get("place"))
        except ValidationError as exc:
            return render(request, self.template_name, {"error": " ".join(exc.messages)}, status=400)
        report = matrix_report(request.user, year, place)
        if request.GET.get("export") == "xlsx":
            audit.record(request, AuditEvent.Action.EXPORT, object_type="matrix.report",
                         detail=request.GET.urlencode())
            suffix = f"-{place.pk}" if place is not None else ""
            return xlsx_response(f"matrix-{year}{suffix}.xlsx", excel_sheets(report))
        scope = scope_for(request.user)
        places = Place.objects.restrict(request.user).filter(kind__in=PLACE_KINDS[:5])
        if not scope.everything and not (scope.district_ids or scope.street_ids or scope.place_paths):
            places = places.none()
        this_year = timezone.localdate().year
        grid = [(label, [(c, list_links(report, target=c.cell.target, goal=c.cell.goal),
                          [(str(Theme(t).label), c.themes[t].activities,
                            list_links(report, target=c.cell.target, goal=c.cell.goal, theme=t)["activities"])
                           for t in THEMES]) for c in cells])
                for _code, label, cells in report.grid]
        themes = [(str(Theme(t).label), report.themes[t], list_links(report, theme=t)) for t in THEMES]
        return render(request, self.template_name, {
            "report": report, "year": year, "place": place, "grid": grid, "themes": themes,
            "total_links": list_links(report), "places": places.order_by("path")[:500],
            "years": range(this_year + 1, this_year - 6, -1),
        })
