"""What the engine works on and what it returns: plain data, no Django."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import asdict, dataclass, field
from typing import Any

# Resource and need categories (codes from domain.md; the same codes as matching.models.Category).
CATEGORIES: tuple[str, ...] = ("venue", "parking", "volunteers", "funds", "training", "professional", "goods",
                               "jobs", "other")
CATEGORY_INDEX: dict[str, int] = {code: i for i, code in enumerate(CATEGORIES)}


@dataclass(frozen=True, slots=True)
class NeedItem:
    """A need on the needs list (需求清单): `quantity` units wanted at (lat, lng) within [start, end).

    `daily_start`/`daily_end` optionally narrow the window to a time of day, possibly across midnight
    (19:00–07:00). `id` is echoed back as given (a string, or an integer from JSON input).
    """

    id: Hashable
    category: str
    quantity: int
    lat: float
    lng: float
    start: dt.datetime
    end: dt.datetime
    text: str = ""
    daily_start: dt.time | None = None
    daily_end: dt.time | None = None


@dataclass(frozen=True, slots=True)
class ResourceItem:
    """A resource on the resource list (资源清单): `capacity` units offered within `radius_m` metres of (lat, lng)."""

    id: Hashable
    category: str
    capacity: int
    lat: float
    lng: float
    radius_m: float
    start: dt.datetime
    end: dt.datetime
    text: str = ""
    daily_start: dt.time | None = None
    daily_end: dt.time | None = None


@dataclass(frozen=True, slots=True)
class Assignment:
    need: Hashable
    resource: Hashable
    quantity: int
    score: float  # per unit; the pair contributes quantity × score to the total


@dataclass
class MatchResult:
    assignments: list[Assignment]
    unmatched: list[dict[str, Any]]  # {"need": id, "quantity": what is left unserved}, in input order
    total_score: float
    stats: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, digits: int = 6) -> dict[str, Any]:
        """The JSON shape of `jiceng match` (scores rounded to `digits` decimals)."""
        return {
            "assignments": [{**asdict(a), "score": round(a.score, digits)} for a in self.assignments],
            "unmatched": [dict(row) for row in self.unmatched],
            "total_score": round(self.total_score, digits),
            "stats": dict(self.stats),
        }
