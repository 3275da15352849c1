"""The matching engine: eligibility, the score and its reasons, ranking, and optimal whole-list assignment."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.core.geo import haversine_m
from jiceng.matching import engine
from jiceng.matching.engine import (
    CATEGORIES,
    WEIGHTS,
    EngineInputError,
    NeedItem,
    ResourceItem,
    assign,
    generate_instance,
    rank,
    score_pair,
)
from jiceng.matching.engine import solver as solver_module
from jiceng.matching.engine import text as text_module
from jiceng.matching.engine.reference import flow_optimum
from jiceng.matching.engine.scoring import build_side, candidate_pairs, score_pairs

from .helpers import BASE, CENTRE, dense_instance, eligible, overlap_share

DAY = dt.timedelta(days=1)
LAT, LNG = CENTRE
# About 111 m per 0.001° of latitude.
NORTH_1KM = 1000 / 111_195


def need(**changes) -> NeedItem:
    fields = dict(id="n", category="parking", quantity=2, lat=LAT, lng=LNG, start=BASE, end=BASE + 10 * DAY,
                  text="小区夜间停车需要车位")
    fields.update(changes)
    return NeedItem(**fields)


def resource(**changes) -> ResourceItem:
    fields = dict(id="r", category="parking", capacity=4, lat=LAT + 0.5 * NORTH_1KM, lng=LNG, radius_m=2000.0,
                  start=BASE - DAY, end=BASE + 30 * DAY, text="单位地下车库夜间错时共享车位")
    fields.update(changes)
    return ResourceItem(**fields)


# --- score and reasons -------------------------------------------------------------------------------------

def test_reasons_explain_the_score():
    score, reasons = score_pair(need(), resource())
    assert set(reasons) == {"category", "distance_m", "distance", "overlap", "capacity", "text", "weights"}
    assert reasons["category"] is True
    assert reasons["weights"] == WEIGHTS
    assert math.isclose(sum(WEIGHTS.values()), 1.0)
    assert math.isclose(score, sum(WEIGHTS[k] * reasons[k] for k in WEIGHTS), abs_tol=1e-12)
    assert all(0.0 <= reasons[k] <= 1.0 for k in WEIGHTS)
    assert 0.0 < score <= 1.0


def test_components():
    _, reasons = score_pair(need(quantity=8), resource(capacity=2, lat=LAT + NORTH_1KM, radius_m=2000.0))
    assert reasons["distance_m"] == pytest.approx(haversine_m(LAT, LNG, LAT + NORTH_1KM, LNG), abs=1e-6)
    assert reasons["distance_m"] == pytest.approx(1000, abs=0.5)
    assert reasons["distance"] == pytest.approx(1 - reasons["distance_m"] / 2000)
    assert reasons["overlap"] == 1.0  # the resource covers the whole window
    assert reasons["capacity"] == 0.25  # 2 of 8
    # Half the need's window covered.
    _, reasons = score_pair(need(start=BASE, end=BASE + 10 * DAY), resource(start=BASE + 5 * DAY))
    assert reasons["overlap"] == pytest.approx(0.5)
    assert score_pair(need(quantity=3), resource(capacity=3))[1]["capacity"] == 1.0


def test_distance_is_great_circle_everywhere():
    for lat, lng, lat2, lng2 in [(31.3, 121.5, 31.31, 121.51), (0.0, 179.999, 0.0, -179.999), (-45, 10, -45.01, 10)]:
        expected = haversine_m(lat, lng, lat2, lng2)
        _, reasons = score_pair(need(lat=lat, lng=lng), resource(lat=lat2, lng=lng2, radius_m=5000.0))
        assert reasons["distance_m"] == pytest.approx(expected, abs=1e-6)


def test_text_similarity():
    _, same = score_pair(need(text="律师提供法律咨询"), resource(text="律师提供法律咨询"))
    assert same["text"] == pytest.approx(1.0)
    _, unrelated = score_pair(need(text="需要车位"), resource(text="书法绘画讲座"))
    assert unrelated["text"] == 0.0
    _, empty = score_pair(need(text=""), resource(text="书法绘画讲座"))
    assert empty["text"] == 0.0
    # Sharing a content word counts more than sharing a filler word of the same length.
    _, content = score_pair(need(text="需要车位"), resource(text="开放车位"))
    _, filler = score_pair(need(text="需要车位"), resource(text="需要场地"))
    assert content["text"] > filler["text"] > 0
    # Punctuation, width and case do not matter.
    _, noisy = score_pair(need(text="ＬＥＤ屏，会议室！"), resource(text="led屏 会议室"))
    assert noisy["text"] == pytest.approx(1.0)


def test_text_terms_and_weights():
    assert text_module.terms("夜间停车，车位") == {"夜间": 1, "间停": 1, "停车": 1, "车位": 1}
    assert text_module.terms("A座 3号楼") == {"a": 1, "座": 1, "3": 1, "号楼": 1}
    assert text_module.term_weight("需要") < text_module.term_weight("车位")
    assert text_module.term_weight("间停") == text_module.FRAGMENT_IDF


def test_text_similarity_is_the_same_for_few_pairs_and_for_many(monkeypatch):
    needs, resources = generate_instance(300, 300, seed=4)
    texts = [n.text for n in needs] + [r.text for r in resources]
    left = np.repeat(np.arange(300), 3)
    right = 300 + (np.arange(900) * 97) % 300
    assert len(left) > text_module.SMALL_BATCH
    batch = text_module.pair_similarities(texts, left, right)
    monkeypatch.setattr(text_module, "SMALL_BATCH", 10**6)
    one_by_one = text_module.pair_similarities(texts, left, right)
    np.testing.assert_allclose(batch, one_by_one, atol=1e-12)
    assert (batch > 0).sum() > 100


def test_other_category_is_not_eligible():
    assert score_pair(need(category="venue"), resource()) is None


def test_radius_is_a_hard_limit():
    inside = resource(lat=LAT + 1.99 * NORTH_1KM, radius_m=2000.0)
    outside = resource(lat=LAT + 2.01 * NORTH_1KM, radius_m=2000.0)
    assert score_pair(need(), inside) is not None
    assert score_pair(need(), outside) is None
    assert score_pair(need(), resource(lat=LAT + 2.01 * NORTH_1KM, radius_m=2100.0)) is not None


def test_windows_must_overlap():
    assert score_pair(need(), resource(start=BASE + 10 * DAY, end=BASE + 20 * DAY)) is None  # touching only
    assert score_pair(need(), resource(start=BASE - 9 * DAY, end=BASE)) is None
    assert score_pair(need(), resource(start=BASE + 10 * DAY - dt.timedelta(hours=1))) is not None


def test_daily_slots_must_overlap_when_both_are_given():
    night = {"daily_start": dt.time(19), "daily_end": dt.time(7)}
    office = {"daily_start": dt.time(8), "daily_end": dt.time(18)}
    morning = {"daily_start": dt.time(6), "daily_end": dt.time(9)}
    assert score_pair(need(**office), resource(**night)) is None
    assert score_pair(need(**night), resource(**night))[1]["overlap"] == 1.0
    # 06:00–09:00 against 19:00–07:00: one of three hours, across midnight.
    assert score_pair(need(**morning), resource(**night))[1]["overlap"] == pytest.approx(1 / 3)
    # A slot on one side only constrains nothing.
    assert score_pair(need(**office), resource())[1]["overlap"] == 1.0
    assert score_pair(need(), resource(**night))[1]["overlap"] == 1.0


def test_score_pair_accepts_aware_and_naive_datetimes_but_not_both():
    shanghai = ZoneInfo("Asia/Shanghai")
    aware_need = need(start=BASE.replace(tzinfo=shanghai), end=(BASE + 10 * DAY).replace(tzinfo=shanghai))
    aware_resource = resource(start=(BASE - DAY).replace(tzinfo=shanghai),
                              end=(BASE + 30 * DAY).replace(tzinfo=shanghai))
    assert score_pair(aware_need, aware_resource)[0] == pytest.approx(score_pair(need(), resource())[0])
    with pytest.raises(EngineInputError, match="timezone"):
        score_pair(aware_need, resource())


@pytest.mark.parametrize(("item", "message"), [
    (need(category="space"), "unknown category"),
    (need(quantity=0), "quantity"),
    (need(end=BASE), "end must be after start"),
    (need(daily_start=dt.time(8)), "daily_start and daily_end"),
    (need(lat=91.0), "lat"),
])
def test_engine_refuses_broken_items(item, message):
    with pytest.raises(EngineInputError, match=message):
        score_pair(item, resource())
    with pytest.raises(EngineInputError, match=message):
        assign([item], [resource()])


def test_engine_refuses_a_non_positive_radius():
    with pytest.raises(EngineInputError, match="radius"):
        rank(need(), [resource(radius_m=0.0)])


def test_categories_are_those_of_the_models():
    from jiceng.matching.models import Category

    assert tuple(Category.values) == CATEGORIES


# --- ranking ---------------------------------------------------------------------------------------------

def test_rank_orders_best_first_and_agrees_with_score_pair():
    near = resource(id="near", lat=LAT + 0.1 * NORTH_1KM)
    far = resource(id="far", lat=LAT + 1.8 * NORTH_1KM)
    small = resource(id="small", capacity=1, lat=LAT + 0.1 * NORTH_1KM)
    other = resource(id="venue", category="venue")
    out_of_reach = resource(id="away", lat=LAT + 3 * NORTH_1KM)
    ranked = rank(need(), [far, other, small, out_of_reach, near])
    assert [item.id for item, _, _ in ranked] == ["near", "small", "far"]
    assert ranked[0][0] is near  # the caller's own objects come back
    scores = [score for _, score, _ in ranked]
    assert scores == sorted(scores, reverse=True)
    for item, score, reasons in ranked:
        assert (score, reasons) == score_pair(need(), item)
    assert [item.id for item, _, _ in rank(need(), [far, other, small, near], limit=2)] == ["near", "small"]
    assert rank(need(), [near], limit=0) == []
    assert rank(need(), []) == []


def test_rank_keeps_input_order_for_ties():
    twins = [resource(id=f"t{k}") for k in range(5)]
    assert [item.id for item, _, _ in rank(need(), twins)] == ["t0", "t1", "t2", "t3", "t4"]


# --- candidates ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [1, 2, 3])
def test_candidates_and_scores_match_a_brute_force_over_all_pairs(seed):
    needs, resources = dense_instance(seed, 120, 120, categories=3, spread_deg=0.04)
    need_side, resource_side = build_side(needs, False), build_side(resources, True)
    scored = score_pairs(need_side, resource_side, *candidate_pairs(need_side, resource_side))
    found = {(int(i), int(j)): k for k, (i, j) in enumerate(zip(scored.need, scored.resource, strict=True))}
    expected = {(i, j) for i, n in enumerate(needs) for j, r in enumerate(resources) if eligible(n, r)}
    assert set(found) == expected
    assert len(expected) > 300  # the instance is dense enough to mean something
    for (i, j), k in found.items():
        assert scored.components["overlap"][k] == pytest.approx(overlap_share(needs[i], resources[j]), abs=1e-12)
        single = score_pair(needs[i], resources[j])
        assert single[0] == pytest.approx(scored.score[k], abs=1e-12)


# --- assignment ------------------------------------------------------------------------------------------

def check_feasible(needs, resources, result):
    by_need = {n.id: n for n in needs}
    by_resource = {r.id: r for r in resources}
    served = dict.fromkeys(by_need, 0)
    used = dict.fromkeys(by_resource, 0)
    total = 0.0
    for a in result.assignments:
        n, r = by_need[a.need], by_resource[a.resource]
        assert isinstance(a.quantity, int) and a.quantity >= 1
        assert eligible(n, r)
        assert a.score == pytest.approx(score_pair(n, r)[0], abs=1e-12)
        served[a.need] += a.quantity
        used[a.resource] += a.quantity
        total += a.score * a.quantity
    assert len({(a.need, a.resource) for a in result.assignments}) == len(result.assignments)
    assert all(served[i] <= by_need[i].quantity for i in served)
    assert all(used[j] <= by_resource[j].capacity for j in used)
    assert result.total_score == pytest.approx(total, abs=1e-9)
    left = {row["need"]: row["quantity"] for row in result.unmatched}
    assert left == {i: by_need[i].quantity - served[i] for i in served if served[i] < by_need[i].quantity}


def brute_force_optimum(needs, resources) -> float:
    pairs = [(i, j, score_pair(n, r)[0]) for i, n in enumerate(needs) for j, r in enumerate(resources)
             if eligible(n, r)]
    best = 0.0
    ranges = [range(min(needs[i].quantity, resources[j].capacity) + 1) for i, j, _ in pairs]
    for x in itertools.product(*ranges):
        served = [0] * len(needs)
        used = [0] * len(resources)
        for (i, j, _), amount in zip(pairs, x, strict=True):
            served[i] += amount
            used[j] += amount
        if all(s <= n.quantity for s, n in zip(served, needs, strict=True)) and \
                all(u <= r.capacity for u, r in zip(used, resources, strict=True)):
            best = max(best, sum(s * amount for (_, _, s), amount in zip(pairs, x, strict=True)))
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), n_needs=st.integers(1, 6), n_resources=st.integers(1, 6))
def test_lp_is_feasible_and_optimal_and_greedy_is_not_better(seed, n_needs, n_resources):
    needs, resources = dense_instance(seed, n_needs, n_resources, categories=2, max_amount=4, spread_deg=0.015)
    lp = assign(needs, resources)
    greedy = assign(needs, resources, method="greedy")
    check_feasible(needs, resources, lp)
    check_feasible(needs, resources, greedy)
    optimum, _ = flow_optimum(needs, resources)
    assert lp.total_score == pytest.approx(optimum, abs=1e-6)
    assert greedy.total_score <= lp.total_score + 1e-9


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), n_needs=st.integers(1, 3), n_resources=st.integers(1, 3))
def test_lp_equals_brute_force_on_tiny_instances(seed, n_needs, n_resources):
    needs, resources = dense_instance(seed, n_needs, n_resources, categories=1, max_amount=2, spread_deg=0.012)
    assert assign(needs, resources).total_score == pytest.approx(brute_force_optimum(needs, resources), abs=1e-9)


def test_greedy_can_be_worse():
    # Greedy gives the best pair's resource to need a; the optimum serves both needs.
    a = need(id="a", quantity=1, text="夜间停车需要车位")
    b = need(id="b", quantity=1, text="", lat=LAT - 1.5 * NORTH_1KM)
    best_for_a = resource(id="x", capacity=1, lat=LAT, text="夜间停车需要车位")
    only_a = resource(id="y", capacity=1, lat=LAT + 1.5 * NORTH_1KM, radius_m=1600.0)
    greedy = assign([a, b], [best_for_a, only_a], method="greedy")
    lp = assign([a, b], [best_for_a, only_a])
    assert {(x.need, x.resource) for x in lp.assignments} == {("a", "y"), ("b", "x")}
    assert {(x.need, x.resource) for x in greedy.assignments} == {("a", "x")}
    assert greedy.unmatched == [{"need": "b", "quantity": 1}]
    assert lp.total_score > greedy.total_score


def test_a_need_is_split_across_resources():
    result = assign([need(quantity=5)], [resource(id="r1", capacity=3), resource(id="r2", capacity=1,
                                                                             lat=LAT + NORTH_1KM)])
    assert [(a.resource, a.quantity) for a in result.assignments] == [("r1", 3), ("r2", 1)]
    assert result.unmatched == [{"need": "n", "quantity": 1}]


def test_column_generation_prices_in_what_the_first_round_left_out(monkeypatch):
    needs, resources = dense_instance(11, 60, 40, categories=2, max_amount=5, spread_deg=0.02)
    monkeypatch.setattr(solver_module, "TOP_K_NEED", 1)
    monkeypatch.setattr(solver_module, "TOP_K_RESOURCE", 1)
    result = assign(needs, resources)
    assert result.stats["max_rounds"] > 1
    check_feasible(needs, resources, result)
    assert result.total_score == pytest.approx(flow_optimum(needs, resources)[0], abs=1e-6)


def test_a_fractional_lp_answer_falls_back_to_the_exact_milp(monkeypatch):
    real = solver_module.linprog

    def fractional(*args, **kwargs):
        result = real(*args, **kwargs)
        result.x = result.x + 0.3  # as if the solver had stopped inside a face
        return result

    monkeypatch.setattr(solver_module, "linprog", fractional)
    needs, resources = dense_instance(5, 8, 8, categories=1, spread_deg=0.015)
    result = assign(needs, resources)
    assert result.stats["solver"] == "highs-milp"
    check_feasible(needs, resources, result)
    assert result.total_score == pytest.approx(flow_optimum(needs, resources)[0], abs=1e-6)


def test_generated_instance_lp_matches_the_flow_reference():
    needs, resources = generate_instance(1500, 1500, seed=3)
    result = assign(needs, resources)
    check_feasible(needs, resources, result)
    assert result.stats["eligible_pairs"] > 1000
    assert result.total_score == pytest.approx(flow_optimum(needs, resources)[0], rel=1e-9)


def test_assign_edge_cases():
    empty = assign([], [])
    assert (empty.assignments, empty.unmatched, empty.total_score) == ([], [], 0.0)
    alone = assign([need(quantity=3)], [])
    assert alone.unmatched == [{"need": "n", "quantity": 3}]
    assert assign([], [resource()]).assignments == []
    with pytest.raises(ValueError, match="method"):
        assign([need()], [resource()], method="best")


def test_ids_come_back_as_given_and_stats_describe_the_run():
    result = assign([need(id=7)], [resource(id="R-1")])
    assert [(a.need, a.resource) for a in result.assignments] == [(7, "R-1")]
    stats = result.stats
    assert stats["method"] == "lp"
    assert stats["pairs_considered"] == 1 and stats["eligible_pairs"] == 1
    assert {"candidate_seconds", "scoring_seconds", "solve_seconds", "total_seconds"} <= set(stats)
    lines = []
    assign([need()], [resource()], progress=lines.append)
    assert len(lines) == 3 and "candidates" in lines[0]


def test_assign_agrees_with_score_pair_on_every_assigned_pair():
    needs, resources = generate_instance(300, 300, seed=5)
    by_id = {r.id: r for r in resources}
    needs_by_id = {n.id: n for n in needs}
    result = assign(needs, resources)
    assert result.assignments
    for a in result.assignments[:50]:
        assert score_pair(needs_by_id[a.need], by_id[a.resource])[0] == pytest.approx(a.score, abs=1e-12)


# --- generated instances ---------------------------------------------------------------------------------

def test_generate_instance_is_deterministic_and_city_like():
    needs, resources = generate_instance(400, 300, seed=9)
    assert (needs, resources) == generate_instance(400, 300, seed=9)
    assert needs != generate_instance(400, 300, seed=10)[0]
    assert len(needs) == 400 and len(resources) == 300
    assert len({n.id for n in needs}) == 400 and len({r.id for r in resources}) == 300
    for item in [*needs, *resources]:
        assert 30.9 <= item.lat <= 31.4 and 121.2 <= item.lng <= 121.8
        assert item.category in CATEGORIES
        assert item.end > item.start
        assert item.text
    assert all(1000 <= r.radius_m <= 3000 for r in resources)
    assert all(1 <= r.capacity <= 10 for r in resources)
    assert {n.category for n in needs} == set(CATEGORIES)
    assert any(r.daily_start == dt.time(19) and r.daily_end == dt.time(7) for r in resources)
    spread = np.array([[n.lat, n.lng] for n in needs])
    assert spread[:, 0].std() > 0.05  # spread over the city, not one spot


def test_public_api():
    assert set(engine.__all__) >= {"NeedItem", "ResourceItem", "score_pair", "rank", "assign", "Assignment",
                                   "MatchResult", "generate_instance", "WEIGHTS"}
