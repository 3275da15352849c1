"""The scoring rule, in one place, in two shapes: per signal (for the explanation) and per aggregate (for the batch).

Rule: every live signal of a type without a group counts its points. Signals whose types share a group describe
one fact; per enterprise and group, only the largest positive and the most negative points count (the others
count 0 in the explanation). So adding a risk-raising signal can never lower a score, and the explanation's
points always sum to the score.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


def counted_points(items: Sequence[tuple[str, int]]) -> list[int]:
    """`items` = (group, points) per signal, in display order; returns the points each one contributes."""
    result = [0] * len(items)
    best_pos: dict[str, int] = {}
    best_neg: dict[str, int] = {}
    for index, (group, points) in enumerate(items):
        if not group:
            result[index] = points
        elif points > 0 and (group not in best_pos or points > items[best_pos[group]][1]):
            best_pos[group] = index
        elif points < 0 and (group not in best_neg or points < items[best_neg[group]][1]):
            best_neg[group] = index
    for index in (*best_pos.values(), *best_neg.values()):
        result[index] = items[index][1]
    return result


@dataclass
class ScoreAccumulator:
    """Sums per enterprise from grouped aggregates: (enterprise, group, sum, largest positive, most negative)."""

    plain: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    pos: dict[tuple[int, str], int] = field(default_factory=dict)
    neg: dict[tuple[int, str], int] = field(default_factory=dict)

    def add(self, enterprise_id: int, group: str, total: int, largest: int, smallest: int) -> None:
        if not group:
            self.plain[enterprise_id] += total
            return
        key = (enterprise_id, group)
        if largest > 0 and largest > self.pos.get(key, 0):
            self.pos[key] = largest
        if smallest < 0 and smallest < self.neg.get(key, 0):
            self.neg[key] = smallest

    def add_one(self, enterprise_id: int, group: str, points: int) -> None:
        self.add(enterprise_id, group, points, max(points, 0), min(points, 0))

    def scores(self) -> dict[int, int]:
        result: dict[int, int] = defaultdict(int)
        for enterprise_id, total in self.plain.items():
            result[enterprise_id] += total
        for (enterprise_id, _group), points in (*self.pos.items(), *self.neg.items()):
            result[enterprise_id] += points
        return dict(result)


class Thresholds:
    """Level lower bounds: a score reaches the highest level whose lower bound it meets; below all, level 1."""

    def __init__(self, pairs: Iterable[tuple[int, int]]):
        ordered = sorted(pairs)
        if not ordered:
            raise ValueError("no thresholds")
        self.levels = [level for level, _score in ordered]
        self.bounds = [score for _level, score in ordered]

    def level_for(self, score: int) -> int:
        index = bisect.bisect_right(self.bounds, score) - 1
        return self.levels[max(index, 0)]

    def as_dict(self) -> dict[int, int]:
        return dict(zip(self.levels, self.bounds, strict=True))
