"""The report by matrix cell: for a viewer's scope (optionally one place in it) and a year, per cell of the 3×3
grid the activities, their attendance and the projects, and per 党建+ theme the same totals.

What counts (the lists the report's numbers link to show the same rows):
- activities: those the viewer's places and organizations hold (the scope an organizer manages, not the public
  activities of elsewhere that everyone may see), starting in the year (Beijing time), not cancelled;
- attendance: the attendance records of those activities;
- projects: the three lists' projects the viewer sees, claimed in the year, not cancelled.
A row with several cells counts once in each of them; the "any cell" totals count it once.

Set-based: one grouped query for the activities (their count and the sum of their kept attendance count,
docs/decisions/080) and one for the projects, by the two tag columns, whatever the number of rows; the cells and
themes are then read off the few groups' bits in Python (docs/decisions/063).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.scoping import as_union, scope_for

from .tags import CELLS, THEMES, Cell, Goal, Target, Theme, theme_bit

FIGURES = ("activities", "attendance", "projects")
MIN_YEAR, MAX_YEAR = 2000, 2100


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The year in Beijing time (the activity list's date filters read dates in the same zone)."""
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def parse_year(raw) -> int:
    from django.core.exceptions import ValidationError

    if raw in (None, ""):
        return timezone.localdate().year
    text = str(raw).strip()
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        raise ValidationError({"year": _("年份须为 %(lo)s–%(hi)s 之间的整数。") % {"lo": MIN_YEAR, "hi": MAX_YEAR}})
    return int(text)


# --- the rows each figure counts ------------------------------------------------------------------------------
def place_subtree(place, prefix: str = "") -> Q:
    """Rows hosted under `place`: by the denormalized district or street (indexed), else by the place subtree.
    `prefix` reaches the activity from another table ("activity__")."""
    from jiceng.places.models import Place, PlaceKind

    if place.kind == PlaceKind.DISTRICT:
        return Q(**{f"{prefix}district_id": place.pk})
    if place.kind == PlaceKind.STREET:
        return Q(**{f"{prefix}street_id": place.pk})
    return Q(**{f"{prefix}host__in": Place.objects.filter(path__startswith=place.path).values("pk")})


def project_place_q(place) -> Q:
    """Projects whose joint conference sits in `place` (conferences cover a district, a street or a building)."""
    from jiceng.places.models import Place

    return Q(conference__place__in=Place.objects.filter(path__startswith=place.path).values("pk"))


def scoped_activities(user) -> QuerySet:
    """Activities of the viewer's places and organizations (what an organizer in that scope manages)."""
    from jiceng.activities.models import Activity

    scope = scope_for(user)
    if scope.everything:
        return Activity.objects.all()
    return Activity.objects.filter(as_union(Activity, Activity.manage_q(scope)))


def _year_q(year: int, prefix: str = "") -> Q:
    from jiceng.activities.models import ActivityStatus

    start, end = year_bounds(year)
    return (Q(**{f"{prefix}start__gte": start, f"{prefix}start__lt": end})
            & ~Q(**{f"{prefix}status": ActivityStatus.CANCELLED}))


def report_activities(user, year: int, place=None) -> QuerySet:
    qs = scoped_activities(user).filter(_year_q(year))
    return qs.filter(place_subtree(place)) if place is not None else qs


def report_projects(user, year: int, place=None) -> QuerySet:
    from jiceng.matching.models import Project, ProjectStatus

    start, end = year_bounds(year)
    qs = Project.objects.restrict(user).filter(claimed_at__gte=start, claimed_at__lt=end).exclude(
        status=ProjectStatus.CANCELLED)
    return qs.filter(project_place_q(place)) if place is not None else qs


# --- the figures ----------------------------------------------------------------------------------------------
@dataclass
class Figures:
    activities: int = 0
    attendance: int = 0
    projects: int = 0

    def add(self, name: str, n: int) -> None:
        setattr(self, name, getattr(self, name) + n)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in FIGURES}


@dataclass
class CellFigures(Figures):
    cell: Cell | None = None
    themes: dict[str, Figures] = field(default_factory=lambda: {theme: Figures() for theme in THEMES})


@dataclass
class MatrixReport:
    year: int
    place: object | None
    cells: list[CellFigures]
    themes: dict[str, Figures]
    total: Figures  # every row of the year in scope, tagged or not
    tagged: Figures  # rows holding at least one cell

    def cell(self, target: str, goal: str) -> CellFigures:
        return next(c for c in self.cells if c.cell == Cell(target, goal))

    @property
    def untagged(self) -> Figures:
        return Figures(**{name: getattr(self.total, name) - getattr(self.tagged, name) for name in FIGURES})

    @property
    def grid(self) -> list[tuple[str, str, list[CellFigures]]]:
        """Rows of the grid for templates: (target code, target label, its three cells)."""
        return [(target, str(Target(target).label), [self.cell(target, goal) for goal in Goal.values])
                for target in Target.values]


def _grouped(qs: QuerySet, cells: str, themes: str) -> Iterable[tuple[int, int, int]]:
    return qs.order_by().values_list(cells, themes).annotate(n=Count("pk")).values_list(cells, themes, "n")


def matrix_report(user, year: int, place=None) -> MatrixReport:
    """The report for `user`'s scope: two grouped queries. The activities and their attendance come from one, the
    attendance as the sum of the activities' kept count (joining the attendance rows took 1.8 s of the 2.5 s the
    city-wide report needed at city scale, decision 080); the projects from the other."""
    activities = list(report_activities(user, year, place).order_by().values_list("cells", "themes")
                      .annotate(n=Count("pk"), attended=Coalesce(Sum("attendance_count"), 0))
                      .values_list("cells", "themes", "n", "attended"))
    groups = {
        "activities": [(cells, themes, n) for cells, themes, n, _attended in activities],
        "attendance": [(cells, themes, attended) for cells, themes, _n, attended in activities],
        "projects": _grouped(report_projects(user, year, place), "cells", "themes"),
    }
    cells = [CellFigures(cell=cell) for cell in CELLS]
    themes = {theme: Figures() for theme in THEMES}
    total, tagged = Figures(), Figures()
    for name, rows in groups.items():
        for cell_mask, theme_mask, n in rows:
            cell_mask, theme_mask = cell_mask or 0, theme_mask or 0
            total.add(name, n)
            if cell_mask:
                tagged.add(name, n)
            held = [theme for theme in THEMES if theme_mask & theme_bit(theme)]
            for theme in held:
                themes[theme].add(name, n)
            for figures in cells:
                if cell_mask & figures.cell.bit:
                    figures.add(name, n)
                    for theme in held:
                        figures.themes[theme].add(name, n)
    return MatrixReport(year=year, place=place, cells=cells, themes=themes, total=total, tagged=tagged)


# --- links to the lists ---------------------------------------------------------------------------------------
def list_links(report: MatrixReport, *, target: str = "", goal: str = "", theme: str = "") -> dict[str, str]:
    """The filtered lists behind a number: the activities (for their count and their attendance) and projects."""
    common = {"target": target, "goal": goal, "theme": theme, "cancelled": "false"}
    if report.place is not None:
        common["place"] = report.place.pk
    activities = {**common, "managed": "true", "date_from": f"{report.year}-01-01",
                  "date_to": f"{report.year}-12-31"}
    projects = {**common, "year": report.year}
    clean = lambda params: urlencode({k: v for k, v in params.items() if v not in ("", None)})  # noqa: E731
    activity_url = f"{reverse('activities:activity_list')}?{clean(activities)}"
    return {"activities": activity_url, "attendance": activity_url,
            "projects": f"{reverse('matching:project_list')}?{clean(projects)}"}


def as_json(report: MatrixReport) -> dict:
    def figures(f: Figures, links: dict | None = None) -> dict:
        body = f.as_dict()
        if links is not None:
            body["links"] = links
        return body

    place = report.place
    return {
        "year": report.year,
        "place": {"id": place.pk, "name": place.name, "kind": place.kind} if place is not None else None,
        "targets": [{"code": code, "label": str(label)} for code, label in Target.choices],
        "goals": [{"code": code, "label": str(label)} for code, label in Goal.choices],
        "cells": [{
            "cell": c.cell.code, "target": c.cell.target, "goal": c.cell.goal, "label": c.cell.label,
            **figures(c, list_links(report, target=c.cell.target, goal=c.cell.goal)),
            "themes": {theme: figures(c.themes[theme], list_links(report, target=c.cell.target, goal=c.cell.goal,
                                                                   theme=theme)) for theme in THEMES},
        } for c in report.cells],
        "themes": [{"theme": theme, "label": str(Theme(theme).label),
                    **figures(report.themes[theme], list_links(report, theme=theme))} for theme in THEMES],
        "total": figures(report.total, list_links(report)),
        "tagged": report.tagged.as_dict(),
        "untagged": report.untagged.as_dict(),
    }


def excel_sheets(report: MatrixReport) -> list[tuple]:
    from jiceng.core.excel import objects_to_sheet
    from jiceng.core.tables import Column

    theme_columns = [Column(lambda c, t=theme: c.themes[t].activities,
                            _("%(theme)s(活动)") % {"theme": Theme(theme).label}) for theme in THEMES]
    cell_columns = [Column(lambda c: Target(c.cell.target).label, _("工作对象")),
                    Column(lambda c: Goal(c.cell.goal).label, _("工作目标")),
                    Column("activities", _("活动")), Column("attendance", _("出席人次")),
                    Column("projects", _("项目")), *theme_columns]
    rows = [(Theme(theme).label, report.themes[theme]) for theme in THEMES]
    rows += [(_("合计(含未标注)"), report.total), (_("未标注矩阵格"), report.untagged)]
    total_columns = [Column(lambda r: r[0], _("主题")), Column(lambda r: r[1].activities, _("活动")),
                     Column(lambda r: r[1].attendance, _("出席人次")), Column(lambda r: r[1].projects, _("项目"))]
    return [objects_to_sheet(_("党建矩阵 %(year)s") % {"year": report.year}, cell_columns, report.cells),
            objects_to_sheet(_("党建+主题"), total_columns, rows)]
