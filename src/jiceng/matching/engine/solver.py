"""Whole-list assignment: which resource serves how much of which need.

Maximise Σ score(i, j) · x(i, j) over the eligible pairs, subject to Σ_j x(i, j) ≤ quantity(i),
Σ_i x(i, j) ≤ capacity(j), x ≥ 0 integer (a need may be split across resources).

This is a transportation problem: its constraint matrix (one row per need, one per resource, each
variable in exactly one of each) is totally unimodular, so with integer quantities and capacities
every vertex of the LP relaxation is integral. HiGHS (scipy.optimize.linprog) solves the sparse LP and
returns a vertex; the solution is checked for integrality and rounded, and should a solver ever return
a non-vertex point, the same model is solved again as a MILP (scipy.optimize.milp).

Two things keep it fast without giving up the optimum:
- categories never share a need or a resource, so each category is its own, smaller LP;
- column generation: each LP starts from the `TOP_K_NEED` best pairs of every need and the
  `TOP_K_RESOURCE` best of every resource; the LP's duals (u_i per need, v_j per resource) then price
  every pair left out, and any pair with a positive reduced cost score − u_i − v_j joins for another
  round. When no pair prices out, the duals prove the restricted optimum optimal for the whole
  problem. Usually one round suffices.

`method="greedy"` is the baseline: pairs by descending score, each taking as much as both sides
have left.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from .items import Assignment, MatchResult, NeedItem, ResourceItem
from .scoring import Scored, build_side, candidate_pairs, check_compatible, score_pairs

METHODS = ("lp", "greedy")
# Pairs per need and per resource in the first round of column generation. When a need's first choices are
# all taken, its next ones are what a second round would add, so needs get more (measured on city instances:
# one round, and the least solving time among the combinations tried).
TOP_K_NEED = 10
TOP_K_RESOURCE = 4
_MAX_ROUNDS = 25  # then solve the whole block at once (never seen; a safety net)
_INTEGRAL_TOL = 1e-6
_PRICE_TOL = 1e-7  # HiGHS's default dual feasibility tolerance


class SolverError(RuntimeError):
    """HiGHS reported a failure on a problem that is always feasible (x = 0) and bounded."""


def top_k(group: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Mask of the k best-scoring entries of each group."""
    order = np.lexsort((-score, group))
    sorted_group = group[order]
    starts = np.flatnonzero(np.r_[True, sorted_group[1:] != sorted_group[:-1]])
    position = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    mask = np.zeros(len(order), dtype=bool)
    mask[order[position < k]] = True
    return mask


def _solve_restricted(need: np.ndarray, resource: np.ndarray, score: np.ndarray, quantity: np.ndarray,
                      capacity: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Integer optimum over the given pairs, with the duals of every need and resource (0 where absent)."""
    used_n, row_n = np.unique(need, return_inverse=True)
    used_r, row_r = np.unique(resource, return_inverse=True)
    p = len(score)
    rows = np.concatenate((row_n.ravel(), len(used_n) + row_r.ravel()))
    cols = np.concatenate((np.arange(p), np.arange(p)))
    matrix = sparse.csr_matrix((np.ones(2 * p), (rows, cols)), shape=(len(used_n) + len(used_r), p))
    limits = np.concatenate((quantity[used_n], capacity[used_r])).astype(np.float64)
    upper = np.minimum(quantity[need], capacity[resource]).astype(np.float64)
    # Finite upper bounds matter: with every variable boxed, the dual simplex starts dual feasible and
    # needs several times fewer iterations than with x ≥ 0 alone.
    result = linprog(-score, A_ub=matrix, b_ub=limits, bounds=np.column_stack((np.zeros(p), upper)),
                     method="highs")
    if result.status != 0:
        raise SolverError(f"HiGHS: {result.message}")
    duals = -result.ineqlin.marginals  # of the maximisation: ≥ 0
    dual_n = np.zeros(len(quantity))
    dual_r = np.zeros(len(capacity))
    dual_n[used_n] = duals[:len(used_n)]
    dual_r[used_r] = duals[len(used_n):]
    rounded = np.rint(result.x)
    solver = "highs"
    if np.any(np.abs(result.x - rounded) > _INTEGRAL_TOL):
        exact = milp(-score, constraints=LinearConstraint(matrix, -np.inf, limits), integrality=np.ones(p),
                     bounds=Bounds(0, upper))
        if exact.x is None:
            raise SolverError(f"HiGHS MILP: {exact.message}")
        rounded = np.rint(exact.x)
        solver = "highs-milp"
    quantities = np.clip(rounded, 0, upper).astype(np.int64)
    # Rounding never breaks a limit for a vertex solution; make sure of it rather than assume it.
    if np.any(matrix @ quantities > limits + 0.5):
        raise SolverError("rounded solution exceeds a quantity or capacity")
    return quantities, dual_n, dual_r, solver


def _solve_block(need: np.ndarray, resource: np.ndarray, score: np.ndarray, quantity: np.ndarray,
                 capacity: np.ndarray, active: np.ndarray) -> tuple[np.ndarray, dict[str, Any]]:
    """One block's optimum by column generation from the `active` pairs (see the module docstring)."""
    active = active.copy()
    for round_ in range(1, _MAX_ROUNDS + 1):
        columns = np.flatnonzero(active)
        taken, dual_n, dual_r, solver = _solve_restricted(need[columns], resource[columns], score[columns],
                                                          quantity, capacity)
        priced_out = ~active & (score - dual_n[need] - dual_r[resource] > _PRICE_TOL)
        if not priced_out.any():
            quantities = np.zeros(len(score), dtype=np.int64)
            quantities[columns] = taken
            return quantities, {"rounds": round_, "columns": len(columns), "solver": solver}
        active |= priced_out
    taken, _, _, solver = _solve_restricted(need, resource, score, quantity, capacity)
    return taken, {"rounds": _MAX_ROUNDS + 1, "columns": len(score), "solver": solver}


def solve_lp(scored: Scored, quantity: np.ndarray, capacity: np.ndarray, blocks: np.ndarray
             ) -> tuple[np.ndarray, dict[str, Any]]:
    """Integer optimum of the transportation problem over the scored pairs.

    `blocks` labels groups of pairs that never share a need or a resource (the categories); each is
    solved on its own.
    """
    quantities = np.zeros(len(scored), dtype=np.int64)
    # A need's or a resource's pairs all lie in one block, so the first columns can be chosen at once.
    first = top_k(scored.need, scored.score, TOP_K_NEED) | top_k(scored.resource, scored.score, TOP_K_RESOURCE)
    solvers: set[str] = set()
    rounds = columns = 0
    labels = np.unique(blocks)
    for label in labels:
        members = np.flatnonzero(blocks == label)
        quantities[members], info = _solve_block(scored.need[members], scored.resource[members],
                                                 scored.score[members], quantity, capacity, first[members])
        solvers.add(info["solver"])
        rounds = max(rounds, info["rounds"])
        columns += info["columns"]
    return quantities, {"solver": "+".join(sorted(solvers)), "blocks": len(labels), "lp_columns": columns,
                        "max_rounds": rounds}


def solve_greedy(scored: Scored, quantity: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    left_n = quantity.tolist()
    left_r = capacity.tolist()
    taken = np.zeros(len(scored), dtype=np.int64)
    order = np.lexsort((scored.resource, scored.need, -scored.score))
    needs, resources = scored.need.tolist(), scored.resource.tolist()
    for k in order.tolist():
        i, j = needs[k], resources[k]
        amount = min(left_n[i], left_r[j])
        if amount > 0:
            taken[k] = amount
            left_n[i] -= amount
            left_r[j] -= amount
    return taken


def assign(needs: Sequence[NeedItem], resources: Sequence[ResourceItem], method: str = "lp", *,
           progress: Callable[[str], Any] | None = None) -> MatchResult:
    """The best whole-list assignment ("lp", optimal) or the greedy baseline ("greedy").

    `progress`, when given, is called with a line of text as each phase ends (for long runs).
    """
    def report(message: str, since: float) -> None:
        if progress is not None:
            progress(f"{message} ({time.perf_counter() - since:.2f} s)")

    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    started = time.perf_counter()
    need_side, resource_side = build_side(needs, False), build_side(resources, True)
    check_compatible(need_side, resource_side)
    ni, rj = candidate_pairs(need_side, resource_side)
    report(f"候选 candidates: {len(ni)} pairs", started)
    found = time.perf_counter()
    scored = score_pairs(need_side, resource_side, ni, rj)
    report(f"评分 scored: {len(scored)} eligible pairs", found)
    scored_at = time.perf_counter()
    info: dict[str, Any] = {}
    if not len(scored):
        quantities = np.zeros(0, dtype=np.int64)
    elif method == "lp":
        quantities, info = solve_lp(scored, need_side.amount, resource_side.amount,
                                    need_side.category[scored.need])
    else:
        quantities = solve_greedy(scored, need_side.amount, resource_side.amount)
    report(f"求解 solved ({method})", scored_at)
    solved = time.perf_counter()

    chosen = np.flatnonzero(quantities > 0)
    chosen = chosen[np.lexsort((scored.resource[chosen], -scored.score[chosen], scored.need[chosen]))]
    assignments = [Assignment(needs[int(scored.need[k])].id, resources[int(scored.resource[k])].id,
                              int(quantities[k]), float(scored.score[k])) for k in chosen]
    served = np.bincount(scored.need, weights=quantities, minlength=len(needs)).astype(np.int64)
    left = need_side.amount - served
    unmatched = [{"need": needs[int(i)].id, "quantity": int(left[i])} for i in np.flatnonzero(left > 0)]
    stats = {
        "method": method,
        "needs": len(needs),
        "resources": len(resources),
        "pairs_considered": int(len(ni)),
        "eligible_pairs": int(len(scored)),
        "assigned_quantity": int(quantities.sum()),
        "unmatched_quantity": int(left.sum()),
        "candidate_seconds": round(found - started, 4),
        "scoring_seconds": round(scored_at - found, 4),
        "solve_seconds": round(solved - scored_at, 4),
        "total_seconds": round(time.perf_counter() - started, 4),
        **info,
    }
    total = float(np.dot(scored.score, quantities)) if len(scored) else 0.0
    return MatchResult(assignments, unmatched, total, stats)
