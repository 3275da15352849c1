"""The report pages: one view serves each report on screen, as Excel (`?export=xlsx`) and as PDF (`?export=pdf`).

Thin: the place and period are parsed here (a bad year or quarter answers 400 naming the field; a place outside
the viewer's scope answers 404, as every scoped page does: docs/permissions.md), the figures come from
`services`, and every export is written to the audit log like the other exports (core/audit.py).
"""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from jiceng.accounts.models import AuditEvent
from jiceng.core import audit
from jiceng.core.excel import xlsx_response
from jiceng.core.pdf import PdfFontMissing, font_missing_response, pdf_response
from jiceng.core.tables import KEY, SECONDARY, TITLE
from jiceng.core.validators import place_id_param

from . import services
from .periods import FIRST_YEAR, Period, parse_period

PICKER_LIMIT = 300  # places in the picker: a district's streets and areas; a city's superuser sees districts first

REPORT_NAMES = {
    "party-statistics": ("reports:party_statistics", _("党内统计")),
    "projects": ("reports:projects", _("三张清单年度项目")),
    "demands": ("reports:demands", _("需求年度报表")),
}


class ReportView(LoginRequiredMixin, View):
    kind = ""  # a key of services.REPORTS
    template_name = "reports/report.html"

    def get(self, request):
        places = services.report_places(request.user)
        errors: dict[str, str] = {}
        place = place_id = None
        try:
            place_id = place_id_param(request.GET.get("place"))
        except ValidationError as exc:
            errors.update({name: " ".join(messages) for name, messages in exc.message_dict.items()})
        if place_id is not None:
            place = places.filter(pk=place_id).first()
            if place is None:
                raise Http404  # not a place, or not one in the viewer's scope: the same answer
        elif "place" not in errors:
            place = services.default_place(request.user)
        try:
            period = parse_period(request.GET)
        except ValidationError as exc:
            errors.update({name: " ".join(messages) for name, messages in exc.message_dict.items()})
            period = Period(timezone.localdate().year)
        ctx = {"kind": self.kind, "place": place, "period": period, "errors": errors,
               "reports": [(key, name, label) for key, (name, label) in REPORT_NAMES.items()],
               "years": range(timezone.localdate().year, FIRST_YEAR - 1, -1), "quarters": range(1, 5),
               "places": self._picker(places, place)}
        if errors:
            return render(request, self.template_name, ctx, status=400)
        if place is None:
            return render(request, self.template_name, ctx)
        report = services.REPORTS[self.kind](place, period)
        export = request.GET.get("export")
        if export in ("xlsx", "pdf"):
            filename = f"{self.kind}-{place.pk}-{period.slug}.{export}"
            if export == "pdf":
                try:
                    response = pdf_response(filename, f"{report.title} · {report.subtitle}", report.sheets(),
                                            subtitle=report.subtitle, lines=report.lines)
                except PdfFontMissing as exc:
                    return font_missing_response(request, exc)
            else:
                response = xlsx_response(filename, [(str(_("概要")), [str(report.title)],
                                                     [[report.subtitle], *[[line] for line in report.lines]]),
                                                    *report.sheets()])
            audit.record(request, AuditEvent.Action.EXPORT, place, object_type=f"report.{self.kind}",
                         detail=f"{export} {period.slug}")
            return response
        # The tabs keep the chosen place and period; for the defaults they are the menu's plain addresses.
        default = services.default_place(request.user) if place_id is not None else place
        carry = {"place": place.pk} if place != default else {}
        ctx["place_query"] = urlencode(carry)
        if period != Period(timezone.localdate().year):
            carry.update({"year": period.year, **({"quarter": period.quarter} if period.quarter else {})})
        ctx["carry"] = urlencode(carry)
        ctx["report"] = report
        ctx["tables"] = [display_table(t) for t in report.tables]
        return render(request, self.template_name, ctx)

    @staticmethod
    def _picker(places, place):
        """Districts and streets, then areas, up to PICKER_LIMIT (the chosen place always among them)."""
        from django.db.models import Q

        from jiceng.places.models import PlaceKind

        chosen = place.pk if place is not None else None
        top = places.filter(Q(kind__in=(PlaceKind.DISTRICT, PlaceKind.STREET)) | Q(pk=chosen))
        listed = list(top.order_by("path")[:PICKER_LIMIT])
        if len(listed) < PICKER_LIMIT:
            listed += list(places.exclude(kind__in=(PlaceKind.DISTRICT, PlaceKind.STREET)).exclude(pk=chosen)
                           .order_by("path")[:PICKER_LIMIT - len(listed)])
            listed.sort(key=lambda p: p.path)
        return listed


KEY_COLUMNS = 3  # key fields of a phone card (core/tables.py): the rest are left to the desktop table


def display_table(table: services.Table) -> dict:
    """A table with each cell's phone-card role (core/tables.py: the first column is the card's title)."""
    def cells(row):
        return [(f"{value:,.2f}" if isinstance(value, Decimal) else value,
                 TITLE if i == 0 else KEY if i <= KEY_COLUMNS else SECONDARY, table.headers[i])
                for i, value in enumerate(row)]

    rows = [{"cells": cells(row), "total": False} for row in table.rows]
    if table.total:
        rows.append({"cells": cells(table.total), "total": True})
    return {"key": table.key, "title": table.title, "headers": table.headers, "rows": rows,
            "wide": len(table.headers) > 4}


class PartyStatisticsView(ReportView):
    kind = "party-statistics"


class ProjectsYearView(ReportView):
    kind = "projects"


class DemandsYearView(ReportView):
    kind = "demands"
