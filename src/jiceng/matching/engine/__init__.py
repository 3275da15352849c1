"""The matching engine of the three lists (三张清单): pure computation, no Django, no database.

    from jiceng.matching.engine import NeedItem, ResourceItem, score_pair, rank, assign

- ``score_pair(need, resource)`` → ``(score, reasons)`` or None when the resource cannot serve the need;
- ``rank(need, resources, limit=10)`` → ``[(resource, score, reasons), ...]`` best first;
- ``assign(needs, resources, method="lp"|"greedy")`` → ``MatchResult`` (assignments, unmatched, total, stats);
- ``generate_instance(n_needs, n_resources, seed)`` → a random city-like instance (benchmarks, tests).

The rules, the weights and the solver are described in docs/matching.md.
"""

from .generate import generate_instance
from .items import CATEGORIES, Assignment, MatchResult, NeedItem, ResourceItem
from .scoring import COMPONENTS, WEIGHTS, EngineInputError, rank, score_pair
from .solver import METHODS, SolverError, assign

__all__ = [
    "CATEGORIES",
    "COMPONENTS",
    "METHODS",
    "WEIGHTS",
    "Assignment",
    "EngineInputError",
    "MatchResult",
    "NeedItem",
    "ResourceItem",
    "SolverError",
    "assign",
    "generate_instance",
    "rank",
    "score_pair",
]
