"""An exact reference for checking `assign`: the same problem as a min-cost flow, solved by networkx.

Used by the tests and the benchmark, not by the application (networkx is a test dependency). The
network: source → need i (capacity quantity(i)), need i → resource j for every eligible pair (cost
−score), resource j → sink (capacity capacity(j)), and a free source → sink arc so that serving less is
allowed. networkx's network simplex wants integer costs, so scores are scaled by `SCALE` and rounded;
the flow it returns is then valued with the exact scores, which puts it within (flow × 1/SCALE) of the
true optimum.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .items import NeedItem, ResourceItem
from .scoring import build_side, candidate_pairs, score_pairs

SCALE = 10**7


def flow_optimum(needs: Sequence[NeedItem], resources: Sequence[ResourceItem]) -> tuple[float, dict]:
    """(optimal total score, {(need index, resource index): quantity}) by network simplex."""
    import networkx as nx

    need_side, resource_side = build_side(needs, False), build_side(resources, True)
    scored = score_pairs(need_side, resource_side, *candidate_pairs(need_side, resource_side))
    total = int(need_side.amount.sum())
    graph = nx.DiGraph()
    graph.add_node("source", demand=-total)
    graph.add_node("sink", demand=total)
    graph.add_edge("source", "sink", capacity=total, weight=0)
    for i, amount in enumerate(need_side.amount.tolist()):
        graph.add_edge("source", ("n", i), capacity=amount, weight=0)
    for j, amount in enumerate(resource_side.amount.tolist()):
        graph.add_edge(("r", j), "sink", capacity=amount, weight=0)
    scores = {}
    for i, j, score in zip(scored.need.tolist(), scored.resource.tolist(), scored.score.tolist(), strict=True):
        graph.add_edge(("n", i), ("r", j), capacity=total, weight=-round(score * SCALE))
        scores[i, j] = score
    _, flow = nx.network_simplex(graph)
    allocation = {(i, j): flow[("n", i)][("r", j)] for (i, j) in scores if flow[("n", i)][("r", j)] > 0}
    value = float(np.sum([scores[pair] * amount for pair, amount in allocation.items()]))
    return value, allocation
