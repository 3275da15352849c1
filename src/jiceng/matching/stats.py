"""Statistics of the three lists: projects per month, category and unit, the share of needs matched and the time
to match, and the year's total of completed projects as seed 001 reports it ("全年完成项目 1,712 个")."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from django.db.models import Count, Min, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from .models import DONE_PROJECT_STATUSES, Category, Need, Project, ProjectStatus


@dataclass
class ListStatistics:
    year: int
    completed_total: int = 0
    claimed_total: int = 0
    by_month: list[dict] = field(default_factory=list)        # month, claimed, completed
    by_category: list[dict] = field(default_factory=list)     # category, label, projects, completed, quantity
    by_unit: list[dict] = field(default_factory=list)         # unit, projects, completed
    needs_total: int = 0
    needs_matched: int = 0
    median_days_to_match: float | None = None
    average_rating: float | None = None

    @property
    def matched_share(self) -> float | None:
        return self.needs_matched / self.needs_total if self.needs_total else None


def list_statistics(projects: QuerySet[Project], needs: QuerySet[Need], year: int) -> ListStatistics:
    """Figures for one calendar year over already scoped querysets (a few grouped queries, no per-row work)."""
    result = ListStatistics(year=year)
    active = projects.exclude(status=ProjectStatus.CANCELLED)
    claimed = active.filter(claimed_at__year=year)
    completed = active.filter(status__in=DONE_PROJECT_STATUSES, completed_at__year=year)
    result.claimed_total = claimed.count()
    result.completed_total = completed.count()

    months = {m: {"month": m, "claimed": 0, "completed": 0} for m in range(1, 13)}
    for row in claimed.annotate(m=ExtractMonth("claimed_at")).values("m").annotate(n=Count("pk")):
        months[row["m"]]["claimed"] = row["n"]
    for row in completed.annotate(m=ExtractMonth("completed_at")).values("m").annotate(n=Count("pk")):
        months[row["m"]]["completed"] = row["n"]
    result.by_month = list(months.values())

    labels = dict(Category.choices)
    done_by_category = dict(completed.values_list("category").annotate(n=Count("pk")))
    result.by_category = [
        {"category": row["category"], "label": labels.get(row["category"], row["category"]), "projects": row["n"],
         "quantity": row["q"] or 0, "completed": done_by_category.get(row["category"], 0)}
        for row in claimed.values("category").annotate(n=Count("pk"), q=Sum("quantity")).order_by("-n")
    ]
    done_by_unit = dict(completed.values_list("provider__name").annotate(n=Count("pk")))
    result.by_unit = [
        {"unit": row["provider__name"], "projects": row["n"], "completed": done_by_unit.get(row["provider__name"], 0)}
        for row in claimed.values("provider__name").annotate(n=Count("pk")).order_by("-n")[:20]
    ]

    year_needs = needs.filter(created__year=year)
    result.needs_total = year_needs.count()
    firsts = (year_needs.filter(projects__status__in=[s for s in ProjectStatus.values if s != ProjectStatus.CANCELLED])
              .annotate(first=Min("projects__claimed_at")).values_list("created", "first"))
    waits = [(first - created).total_seconds() / 86400 for created, first in firsts if first]
    result.needs_matched = len(waits)
    result.median_days_to_match = round(statistics.median(waits), 1) if waits else None
    ratings = [r for r in completed.exclude(rating=None).values_list("rating", flat=True)]
    result.average_rating = round(sum(ratings) / len(ratings), 2) if ratings else None
    return result
