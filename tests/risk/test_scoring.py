"""Properties of the score (hypothesis over random signal sets) and of the thresholds."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.risk import services
from jiceng.risk.models import EnterpriseRisk, LevelThreshold, Signal, SignalType, validate_increasing
from jiceng.risk.scoring import ScoreAccumulator, Thresholds, counted_points

TODAY = dt.date(2026, 6, 15)
DB_SETTINGS = settings(max_examples=40, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

groups = st.sampled_from(["", "", "lease", "move", "shrink"])
items = st.lists(st.tuples(groups, st.integers(-100, 100)), max_size=25)


# --- pure rule --------------------------------------------------------------------------------------------------
@given(items)
def test_counted_points_agree_with_the_aggregate(signals):
    """The explanation's per-signal points sum to what the batch aggregate computes."""
    acc = ScoreAccumulator()
    for group, points in signals:
        acc.add_one(7, group, points)
    assert sum(counted_points(signals)) == acc.scores().get(7, 0)


@given(items, st.tuples(groups, st.integers(1, 100)))
def test_adding_a_positive_signal_never_lowers_the_score(signals, extra):
    assert sum(counted_points([*signals, extra])) >= sum(counted_points(signals))


@given(st.lists(st.integers(-500, 500), min_size=5, max_size=5, unique=True), st.integers(-1000, 1000),
       st.integers(0, 500))
def test_level_is_monotone_in_score(bounds, score, more):
    th = Thresholds(zip(range(1, 6), sorted(bounds), strict=True))
    assert 1 <= th.level_for(score) <= 5
    assert th.level_for(score + more) >= th.level_for(score)
    for level, bound in zip(range(1, 6), sorted(bounds), strict=True):
        assert th.level_for(bound) == level


def test_level_for_defaults():
    th = [(1, 0), (2, 10), (3, 30), (4, 60), (5, 90)]
    assert [services.level_for(s, th) for s in (-20, 0, 9, 10, 29, 30, 59, 60, 89, 90, 500)] == \
        [1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


# --- the stored path: random signal sets in the database -------------------------------------------------------
signal_sets = st.lists(
    st.tuples(st.sampled_from(["lease_ending_3m", "lease_ending_6m", "intends_to_move", "intends_to_shrink",
                               "headcount_falling", "rent_arrears", "expansion_need", "manual"]),
              st.integers(-100, 100), st.integers(0, 400)),
    max_size=12)


def _store(enterprise, rows):
    types = {t.code: t for t in SignalType.objects.all()}
    Signal.objects.filter(enterprise=enterprise).delete()
    objs = []
    for code, points, age in rows:
        signal_type = types[code]
        if points < 0 and not signal_type.allow_negative:
            points = -points
        observed = TODAY - dt.timedelta(days=age)
        objs.append(Signal(enterprise=enterprise, type=signal_type, points=points, observed_on=observed,
                           expires_on=observed + dt.timedelta(days=signal_type.live_days)))
    Signal.objects.bulk_create(objs)


@pytest.mark.django_db
@DB_SETTINGS
@given(rows=signal_sets)
def test_explanation_sums_to_the_stored_score(world, rows):
    ent = world["ent"]
    _store(ent, rows)
    risk = services.recompute(ent, today=TODAY)
    explanation = services.explain(ent, today=TODAY)
    assert services.score_of(explanation) == risk.score
    assert services.compute_scores(TODAY).get(ent.pk, 0) == risk.score
    assert risk.computed_level == services.level_for(risk.score)
    # Every live signal is listed, and nothing else.
    assert {c.signal.pk for c in explanation} == {s.pk for s in Signal.objects.filter(enterprise=ent)
                                                 if s.is_live(TODAY)}


@pytest.mark.django_db
@DB_SETTINGS
@given(rows=signal_sets, extra=st.sampled_from(["intends_to_move", "rent_arrears", "manual", "lease_ending_6m"]),
       points=st.integers(1, 100))
def test_adding_a_risk_signal_never_lowers_the_level(world, rows, extra, points):
    ent = world["ent"]
    _store(ent, rows)
    before = services.recompute(ent, today=TODAY)
    services.record_signal(enterprise=ent, type=extra, points=points, observed_on=TODAY, today=TODAY)
    after = EnterpriseRisk.objects.get(enterprise=ent)
    assert after.score >= before.score
    assert after.computed_level >= before.computed_level


# --- thresholds as data -----------------------------------------------------------------------------------------
def test_validate_increasing_refuses_with_a_clear_message():
    validate_increasing([(1, 0), (2, 10), (3, 30), (4, 60), (5, 90)])
    with pytest.raises(ValidationError) as exc:
        validate_increasing([(1, 0), (2, 10), (3, 30), (4, 30), (5, 90)])
    assert "严格递增" in str(exc.value) and "较不稳定" in str(exc.value)
    with pytest.raises(ValidationError):
        validate_increasing([(1, 0), (2, 10), (3, 30), (4, 60)])
    with pytest.raises(ValidationError):
        validate_increasing([(1, 0), (2, -5), (3, 30), (4, 60), (5, 90)])


@pytest.mark.django_db
def test_threshold_rows_refuse_non_increasing():
    four = LevelThreshold.objects.get(level=4)
    four.min_score = 20  # below level 3's 30
    with pytest.raises(ValidationError) as exc:
        four.full_clean()
    assert "min_score" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.set_thresholds({1: 0, 2: 50, 3: 40, 4: 60, 5: 90})
    services.set_thresholds({1: -10, 2: 5, 3: 20, 4: 50, 5: 80})
    assert services.thresholds().as_dict() == {1: -10, 2: 5, 3: 20, 4: 50, 5: 80}
