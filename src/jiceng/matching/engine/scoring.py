"""Eligibility and score of need–resource pairs, computed on arrays.

A pair is eligible when the categories are equal, the need lies within the resource's service
radius (great-circle distance), the windows overlap and, when both sides give a daily time slot,
the slots overlap too. An eligible pair scores Σ WEIGHTS[k] × component[k], each component in [0, 1]:

- distance: 1 − distance / radius (at the resource's door 1, at the edge of its radius 0);
- overlap: the share of the need's window the resource covers, times the share of the need's daily
  slot the resource's slot covers (when both give one);
- capacity: min(1, capacity / quantity), whether the resource alone can serve the whole need;
- text: the cosine similarity of the descriptions (see text.py).

`score_pair` and `rank` run the same vectorised code as `assign` on a batch of one need, so the three
always agree. Candidate pairs come from one k-d tree per category over the needs' positions on the unit
sphere, queried with each resource's radius as a chord length — exact great-circle distances, no
projection error, and no loop over all pairs.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from scipy.spatial import cKDTree

from . import text as text_similarity
from .items import CATEGORY_INDEX, NeedItem, ResourceItem

# Weights of the score's components (they sum to 1, so a score is in [0, 1]). Distance and time
# matter most for physical resources (a venue, a parking space); capacity says whether one claim can
# settle the need; the description refines among otherwise similar offers. Documented in docs/matching.md.
WEIGHTS: dict[str, float] = {"distance": 0.30, "overlap": 0.25, "capacity": 0.25, "text": 0.20}
COMPONENTS: tuple[str, ...] = tuple(WEIGHTS)

EARTH_RADIUS_M = 6371008.8  # IUGG mean radius, as jiceng.core.geo.haversine_m
_DAY_MINUTES = 1440.0
_EPOCH = dt.datetime(1970, 1, 1)  # noqa: DTZ001 - naive datetimes are measured against a naive epoch


class EngineInputError(ValueError):
    """An item the engine cannot work with (unknown category, non-positive amount, mixed time zones...)."""


@dataclass
class Side:
    """One side (needs or resources) as arrays."""

    items: Sequence[NeedItem] | Sequence[ResourceItem]
    category: np.ndarray  # int8 index into CATEGORIES
    amount: np.ndarray  # quantity or capacity (int64)
    xyz: np.ndarray  # (n, 3) unit vectors
    start: np.ndarray  # seconds (float64)
    end: np.ndarray
    daily_start: np.ndarray  # minutes since midnight, NaN when no daily slot
    daily_end: np.ndarray
    radius: np.ndarray | None  # metres (resources only)
    texts: list[str]
    aware: bool | None  # whether the datetimes carry a time zone (None: no items)

    def __len__(self) -> int:
        return len(self.items)


def _seconds(value: dt.datetime) -> float:
    if value.tzinfo is not None and value.utcoffset() is not None:
        return value.timestamp()
    return (value - _EPOCH).total_seconds()


def _minutes(value: dt.time | None) -> float:
    if value is None:
        return math.nan
    return value.hour * 60 + value.minute + value.second / 60 + value.microsecond / 60e6


def build_side(items: Sequence[NeedItem] | Sequence[ResourceItem], resources: bool) -> Side:
    n = len(items)
    category = np.empty(n, dtype=np.int8)
    amount = np.empty(n, dtype=np.int64)
    lat = np.empty(n)
    lng = np.empty(n)
    start = np.empty(n)
    end = np.empty(n)
    daily_start = np.empty(n)
    daily_end = np.empty(n)
    radius = np.empty(n) if resources else None
    texts: list[str] = []
    aware: set[bool] = set()
    kind = "resource" if resources else "need"
    for k, item in enumerate(items):
        code = CATEGORY_INDEX.get(item.category)
        if code is None:
            raise EngineInputError(f"{kind} {item.id!r}: unknown category {item.category!r}")
        category[k] = code
        amount[k] = item.capacity if resources else item.quantity
        if amount[k] < 1:
            raise EngineInputError(f"{kind} {item.id!r}: {'capacity' if resources else 'quantity'} must be >= 1")
        lat[k] = item.lat
        lng[k] = item.lng
        aware.add(item.start.tzinfo is not None)
        aware.add(item.end.tzinfo is not None)
        start[k] = _seconds(item.start)
        end[k] = _seconds(item.end)
        if (item.daily_start is None) != (item.daily_end is None):
            raise EngineInputError(f"{kind} {item.id!r}: daily_start and daily_end go together")
        daily_start[k] = _minutes(item.daily_start)
        daily_end[k] = _minutes(item.daily_end)
        if radius is not None:
            radius[k] = item.radius_m
        texts.append(item.text or "")
    if len(aware) > 1:
        raise EngineInputError(f"{kind}s mix timezone-aware and naive datetimes")
    if n and not (np.all(np.abs(lat) <= 90) and np.all(np.abs(lng) <= 180)):
        raise EngineInputError(f"{kind}s: lat must be in [-90, 90] and lng in [-180, 180]")
    if n and not np.all(end > start):
        raise EngineInputError(f"{kind} {items[int(np.argmin(end > start))].id!r}: end must be after start")
    if radius is not None and n and not np.all(radius > 0):
        raise EngineInputError("resources: radius_m must be positive")
    phi, lam = np.radians(lat), np.radians(lng)
    xyz = np.column_stack((np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)))
    return Side(items, category, amount, xyz, start, end, daily_start, daily_end, radius, texts,
                aware.pop() if aware else None)


def check_compatible(needs: Side, resources: Side) -> None:
    if needs.aware is not None and resources.aware is not None and needs.aware != resources.aware:
        raise EngineInputError("needs and resources mix timezone-aware and naive datetimes")


def chord(metres: np.ndarray | float) -> np.ndarray:
    """Straight-line distance on the unit sphere between two points `metres` apart along the surface."""
    return 2.0 * np.sin(np.minimum(np.asarray(metres, dtype=np.float64) / EARTH_RADIUS_M, math.pi) / 2.0)


def great_circle_m(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Great-circle metres between unit vectors (row-wise); equals the haversine formula."""
    c = np.linalg.norm(a - b, axis=1)
    return 2.0 * EARTH_RADIUS_M * np.arcsin(np.minimum(c / 2.0, 1.0))


def candidate_pairs(needs: Side, resources: Side) -> tuple[np.ndarray, np.ndarray]:
    """(need index, resource index) of every same-category pair within the resource's radius."""
    found_n: list[np.ndarray] = []
    found_r: list[np.ndarray] = []
    for code in np.intersect1d(needs.category, resources.category):
        n_idx = np.flatnonzero(needs.category == code)
        r_idx = np.flatnonzero(resources.category == code)
        tree = cKDTree(needs.xyz[n_idx])
        # A hair more than the radius: the exact test on great-circle metres follows in score_pairs.
        hits = tree.query_ball_point(resources.xyz[r_idx], chord(resources.radius[r_idx]) * (1 + 1e-9) + 1e-12,
                                     workers=-1, return_sorted=False)
        counts = np.fromiter(map(len, hits), dtype=np.int64, count=len(hits))
        total = int(counts.sum())
        if total:
            found_n.append(n_idx[np.fromiter(chain.from_iterable(hits), dtype=np.int64, count=total)])
            found_r.append(np.repeat(r_idx, counts))
    if not found_n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(found_n), np.concatenate(found_r)


def _slot_pieces(start: np.ndarray, end: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """A daily slot as two intervals of [0, 1440) minutes (the second empty unless it crosses midnight)."""
    wraps = end <= start
    return ((start, np.where(wraps, _DAY_MINUTES, end)),
            (np.zeros_like(start), np.where(wraps, end, 0.0)))


def daily_overlap(ns: np.ndarray, ne: np.ndarray, rs: np.ndarray, re: np.ndarray) -> np.ndarray:
    """Minutes per day the need's slot and the resource's slot share."""
    shared = np.zeros_like(ns)
    for a0, a1 in _slot_pieces(ns, ne):
        for b0, b1 in _slot_pieces(rs, re):
            shared += np.clip(np.minimum(a1, b1) - np.maximum(a0, b0), 0.0, None)
    return shared


@dataclass
class Scored:
    """The eligible pairs among the candidates, with their components and scores."""

    need: np.ndarray
    resource: np.ndarray
    distance_m: np.ndarray
    components: dict[str, np.ndarray]
    score: np.ndarray

    def __len__(self) -> int:
        return len(self.need)

    def reasons(self, k: int) -> dict[str, Any]:
        reasons: dict[str, Any] = {"category": True, "distance_m": float(self.distance_m[k])}
        reasons.update({name: float(values[k]) for name, values in self.components.items()})
        reasons["weights"] = dict(WEIGHTS)
        return reasons


def score_pairs(needs: Side, resources: Side, ni: np.ndarray, rj: np.ndarray) -> Scored:
    """Apply the hard constraints to candidate pairs (ni[k], rj[k]) and score those that pass."""
    keep = needs.category[ni] == resources.category[rj]
    ni, rj = ni[keep], rj[keep]
    # Windows are half-open [start, end): they must share a positive stretch of time.
    shared = np.minimum(needs.end[ni], resources.end[rj]) - np.maximum(needs.start[ni], resources.start[rj])
    keep = shared > 0
    ni, rj, shared = ni[keep], rj[keep], shared[keep]
    distance = great_circle_m(needs.xyz[ni], resources.xyz[rj])
    keep = distance <= resources.radius[rj]
    ni, rj, shared, distance = ni[keep], rj[keep], shared[keep], distance[keep]

    need_len = needs.end[ni] - needs.start[ni]
    overlap = np.minimum(shared / need_len, 1.0)
    ns, ne = needs.daily_start[ni], needs.daily_end[ni]
    rs, re = resources.daily_start[rj], resources.daily_end[rj]
    both = ~np.isnan(ns) & ~np.isnan(rs)
    if both.any():
        per_day = daily_overlap(ns[both], ne[both], rs[both], re[both])
        slot_len = np.mod(ne[both] - ns[both], _DAY_MINUTES)
        slot_len[slot_len == 0] = _DAY_MINUTES
        share = np.ones_like(overlap)
        share[both] = np.minimum(per_day / slot_len, 1.0)
        keep = share > 0
        ni, rj, distance, overlap = ni[keep], rj[keep], distance[keep], (overlap * share)[keep]

    components = {
        "distance": np.clip(1.0 - distance / resources.radius[rj], 0.0, 1.0),
        "overlap": overlap,
        "capacity": np.minimum(resources.amount[rj] / needs.amount[ni], 1.0),
    }
    components["text"] = text_similarity.pair_similarities(needs.texts + resources.texts, ni, len(needs) + rj)
    score = np.zeros(len(ni))
    for name in COMPONENTS:
        score += WEIGHTS[name] * components[name]
    return Scored(ni, rj, distance, {name: components[name] for name in COMPONENTS}, score)


def score_pair(need: NeedItem, resource: ResourceItem) -> tuple[float, dict[str, Any]] | None:
    """The score of one pair and its reasons, or None when the resource cannot serve the need."""
    needs, resources = build_side([need], False), build_side([resource], True)
    check_compatible(needs, resources)
    zero = np.zeros(1, dtype=np.int64)
    scored = score_pairs(needs, resources, zero, zero)
    if not len(scored):
        return None
    return float(scored.score[0]), scored.reasons(0)


def rank(need: NeedItem, resources: Sequence[ResourceItem], limit: int | None = 10
         ) -> list[tuple[ResourceItem, float, dict[str, Any]]]:
    """The resources that can serve `need`, best first (ties in input order), at most `limit` of them."""
    if limit is not None and limit <= 0:
        return []
    needs, side = build_side([need], False), build_side(resources, True)
    check_compatible(needs, side)
    rj = np.flatnonzero(side.category == needs.category[0])
    scored = score_pairs(needs, side, np.zeros(len(rj), dtype=np.int64), rj)
    order = np.lexsort((scored.resource, -scored.score))[:limit]
    return [(resources[int(scored.resource[k])], float(scored.score[k]), scored.reasons(int(k))) for k in order]
