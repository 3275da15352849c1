"""Risk services: recording rules, derived signals, expiry, follow-ups on rises, overrides, the visit hook,
and the batch recompute writing only what changed."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.accounts.models import Notification
from jiceng.demands import visits
from jiceng.demands.models import Demand, DemandStatus
from jiceng.risk import services
from jiceng.risk.choices import ChangeKind, FollowUpStatus, SignalSource
from jiceng.risk.models import EnterpriseRisk, FollowUp, LevelChange, Signal
from tests import factories as f

pytestmark = pytest.mark.django_db

RISE_DAY = dt.date(2026, 9, 30)  # the day before the National Day holiday (Oct 1–7, 2026; Sat Oct 10 is a workday)


def level_of(ent) -> int:
    return EnterpriseRisk.objects.get(enterprise=ent).level


# --- recording ---------------------------------------------------------------------------------------------------
def test_record_signal_copies_points_and_sets_expiry(world):
    signal = services.record_signal(enterprise=world["ent"], type="intends_to_move", user=world["worker"],
                                    observed_on=dt.date(2026, 6, 1), today=dt.date(2026, 6, 2), evidence="总经理口述")
    assert signal.points == 40 and signal.expires_on == dt.date(2026, 6, 1) + dt.timedelta(days=180)
    assert signal.recorded_by == world["worker"] and signal.source == SignalSource.MANUAL
    risk = EnterpriseRisk.objects.get(enterprise=world["ent"])
    assert (risk.score, risk.level) == (40, 3)


@pytest.mark.parametrize(("kwargs", "field", "text"), [
    ({"type": "no_such_type"}, "type", "未知"),
    ({"type": "intends_to_move", "points": -5}, "points", "不允许负分值"),
    ({"type": "manual", "points": 500}, "points", "-100"),
    ({"type": "overdue_demand"}, "type", "自动推导"),
    ({"type": "intends_to_move", "observed_on": dt.date(2030, 1, 1)}, "observed_on", "晚于今天"),
])
def test_record_signal_refuses_bad_input_clearly(world, kwargs, field, text):
    with pytest.raises(ValidationError) as exc:
        services.record_signal(enterprise=world["ent"], user=world["worker"], **kwargs)
    assert field in exc.value.message_dict and text in " ".join(exc.value.message_dict[field])
    assert not Signal.objects.exists()


def test_negative_points_where_allowed(world):
    services.record_signal(enterprise=world["ent"], type="intends_to_move", today=RISE_DAY, observed_on=RISE_DAY)
    services.record_signal(enterprise=world["ent"], type="expansion_need", today=RISE_DAY, observed_on=RISE_DAY)
    assert EnterpriseRisk.objects.get(enterprise=world["ent"]).score == 40 - 20


def test_record_signal_outside_scope_or_role(world):
    with pytest.raises(ValidationError) as exc:
        services.record_signal(enterprise=world["other_ent"], type="intends_to_move", user=world["worker"])
    assert "enterprise" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.record_signal(enterprise=world["ent"], type="intends_to_move", user=world["contact"])
    assert not Signal.objects.exists()


# --- derived signals and expiry ----------------------------------------------------------------------------------
def test_lease_end_derives_the_narrowest_lease_signal(world):
    today = dt.date(2026, 6, 1)
    ent = world["ent"]
    for lease_end, code, score in [(today + dt.timedelta(days=60), "lease_ending_3m", 30),
                                   (today + dt.timedelta(days=150), "lease_ending_6m", 15),
                                   (today + dt.timedelta(days=400), None, 0), (today - dt.timedelta(days=1), None, 0)]:
        ent.lease_end = lease_end
        ent.save()
        explanation = services.explain(ent, today=today)
        assert [c.signal.type.code for c in explanation] == ([code] if code else [])
        assert services.recompute(ent, today=today).score == score


def test_lease_recorded_on_a_visit_and_in_the_registry_counts_once(world):
    ent = world["ent"]
    today = dt.date(2026, 6, 1)
    ent.lease_end = today + dt.timedelta(days=60)
    ent.save()
    services.record_signal(enterprise=ent, type="lease_ending_3m", observed_on=today, today=today)
    explanation = services.explain(ent, today=today)
    assert sorted(c.points for c in explanation) == [0, 30]  # same fact: only one counts
    assert services.score_of(explanation) == EnterpriseRisk.objects.get(enterprise=ent).score == 30


def test_overdue_demands_are_derived_signals(world):
    ent = world["ent"]
    today = dt.date(2026, 6, 15)
    for status, due in [(DemandStatus.ACCEPTED, dt.date(2026, 6, 1)), (DemandStatus.ASSIGNED, dt.date(2026, 6, 10)),
                        (DemandStatus.ASSIGNED, dt.date(2026, 6, 20)), (DemandStatus.RESOLVED, dt.date(2026, 6, 1))]:
        Demand.objects.create(text="办公室漏水需要维修", place=ent.place, status=status, due_date=due,
                              requester_enterprise=ent)
    explanation = services.explain(ent, today=today)
    assert [c.signal.type.code for c in explanation] == ["overdue_demand", "overdue_demand"]
    assert all(c.derived and c.signal.demand_id for c in explanation)
    assert services.recompute(ent, today=today).score == 20
    assert Signal.objects.count() == 0  # derived, not stored


def test_expiry_changes_the_level_on_recompute(world):
    ent = world["ent"]
    observed = dt.date(2026, 1, 5)
    services.record_signal(enterprise=ent, type="rent_arrears", observed_on=observed, today=observed)  # 25, 90 days
    services.record_signal(enterprise=ent, type="intends_to_move", observed_on=observed, today=observed)  # 40, 180
    assert level_of(ent) == 4  # 65
    counts = services.recompute_all(today=observed + dt.timedelta(days=89))
    assert level_of(ent) == 4 and counts.updated == 0
    services.recompute_all(today=observed + dt.timedelta(days=90))  # rent arrears expired
    risk = EnterpriseRisk.objects.get(enterprise=ent)
    assert (risk.score, risk.level) == (40, 3)
    services.recompute_all(today=observed + dt.timedelta(days=180))
    assert level_of(ent) == 1
    assert list(LevelChange.objects.filter(enterprise=ent).order_by("at", "pk").values_list("old_level", "new_level")) \
        == [(1, 2), (2, 4), (4, 3), (3, 1)]


# --- follow-ups ----------------------------------------------------------------------------------------------------
def test_rise_to_red_creates_one_follow_up_due_in_working_days(world):
    ent = world["ent"]
    services.record_signal(enterprise=ent, type="registration_moved", observed_on=RISE_DAY, today=RISE_DAY)  # 50
    services.record_signal(enterprise=ent, type="intends_to_move", observed_on=RISE_DAY, today=RISE_DAY)  # 90 → red
    assert level_of(ent) == 5
    red = FollowUp.objects.get(enterprise=ent, level=5)
    assert red.due_date == dt.date(2026, 10, 8)  # 1 working day after Sep 30, across the National Day holiday
    assert red.status == FollowUpStatus.OPEN and "投资促进办" in red.action
    assert list(red.assignees.all()) == [world["staff"]]
    # The yellow follow-up from the first signal (50) was superseded by the red one.
    assert FollowUp.objects.get(enterprise=ent, level=3).status == FollowUpStatus.CLOSED
    assert Notification.objects.filter(user=world["staff"], message__contains="不稳定").exists()
    assert not Notification.objects.filter(user=world["staff2"]).exists()
    # Recomputing again, or dropping and rising again while it is open: still exactly one open red follow-up.
    services.recompute_all(today=RISE_DAY)
    services.override_level(ent, level=3, reason="已与企业沟通", user=world["staff"])
    services.override_level(ent, level=None, reason="恢复计算等级", user=world["staff"])
    assert FollowUp.objects.filter(enterprise=ent, level=5, status=FollowUpStatus.OPEN).count() == 1


@pytest.mark.parametrize(("codes", "level", "due"), [
    (["registration_moved", "intends_to_move"], 5, dt.date(2026, 10, 8)),
    (["lease_ending_3m", "intends_to_move"], 4, dt.date(2026, 10, 10)),  # 3 working days: Oct 8, 9, Sat 10
    (["lease_ending_3m"], 3, dt.date(2026, 10, 20)),  # 10 working days: Oct 8–10, 12–16, 19, 20
])
def test_batch_rise_creates_one_follow_up_per_enterprise(world, codes, level, due):
    ent = world["ent"]
    for code in codes:
        services.record_signal(enterprise=ent, type=code, observed_on=RISE_DAY, today=RISE_DAY, recompute_now=False)
    counts = services.recompute_all(today=RISE_DAY)
    assert counts[level] == 1 and counts[1] == 1 and counts.follow_ups == 1
    follow_up = FollowUp.objects.get(enterprise=ent)
    assert (follow_up.level, follow_up.due_date) == (level, due)
    assert list(follow_up.assignees.all()) == [world["staff"]]
    note = Notification.objects.get(user=world["staff"])
    assert "1 家企业" in note.message  # the batch sends one digest per person
    assert services.recompute_all(today=RISE_DAY).follow_ups == 0


def test_close_follow_up_needs_an_outcome(world):
    ent = world["ent"]
    services.record_signal(enterprise=ent, type="registration_moved", observed_on=RISE_DAY, today=RISE_DAY)
    follow_up = FollowUp.objects.get(enterprise=ent)
    with pytest.raises(ValidationError) as exc:
        services.close_follow_up(follow_up, outcome="  ", user=world["staff"])
    assert "outcome" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.close_follow_up(follow_up, outcome="已走访", user=world["staff2"])  # other street
    services.close_follow_up(follow_up, outcome="已上门走访,企业续租一年", user=world["staff"])
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED and follow_up.closed_by == world["staff"]
    with pytest.raises(ValidationError):
        services.close_follow_up(follow_up, outcome="again", user=world["staff"])


# --- overrides ------------------------------------------------------------------------------------------------------
def test_override_needs_a_reason_and_is_recorded(world):
    ent = world["ent"]
    services.record_signal(enterprise=ent, type="intends_to_move", today=RISE_DAY, observed_on=RISE_DAY)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            services.override_level(ent, level=5, reason=reason, user=world["staff"])
        assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.override_level(ent, level=5, reason="x", user=world["worker"])
    with pytest.raises(ValidationError):
        services.override_level(ent, level=5, reason="x", user=world["staff2"])
    risk = services.override_level(ent, level=5, reason="企业已在外区签订新租约", user=world["staff"])
    assert (risk.level, risk.computed_level, risk.override_reason) == (5, 3, "企业已在外区签订新租约")
    change = LevelChange.objects.filter(enterprise=ent).first()
    assert (change.kind, change.old_level, change.new_level, change.by) == (ChangeKind.OVERRIDE, 3, 5, world["staff"])
    assert change.reason == "企业已在外区签订新租约"
    assert FollowUp.objects.filter(enterprise=ent, level=5, status=FollowUpStatus.OPEN).exists()
    # While overridden, recomputes keep the override as the effective level.
    services.record_signal(enterprise=ent, type="expansion_need", today=RISE_DAY, observed_on=RISE_DAY)
    assert level_of(ent) == 5
    risk = services.override_level(ent, level=None, reason="情况已核实", user=world["staff"])
    assert risk.level == 2 and LevelChange.objects.first().kind == ChangeKind.OVERRIDE_CLEARED


# --- the visit hook ---------------------------------------------------------------------------------------------------
def test_visit_signals_become_signals_and_recompute(world):
    ent = world["ent"]
    today = dt.date.today()
    ent.lease_end = today + dt.timedelta(days=60)
    ent.save()
    visit = visits.record_visit(enterprise=ent, worker=world["worker"], date=today,
                                findings="租约两个月后到期,考虑迁出", signals=["lease_ending", "intends_to_move"])
    signals = Signal.objects.filter(visit=visit).order_by("type__code")
    assert [(s.type.code, s.source) for s in signals] == [("intends_to_move", "visit"), ("lease_ending_3m", "visit")]
    assert signals[0].evidence == "租约两个月后到期,考虑迁出" and signals[0].recorded_by == world["worker"]
    risk = EnterpriseRisk.objects.get(enterprise=ent)
    assert (risk.score, risk.level) == (70, 4)  # lease (once, though also derived) 30 + move 40 → orange
    follow_up = FollowUp.objects.get(enterprise=ent, status=FollowUpStatus.OPEN)
    assert follow_up.level == 4 and list(follow_up.assignees.all()) == [world["staff"]]
    services.handle_visit(visit)  # idempotent
    assert Signal.objects.filter(visit=visit).count() == 2


@pytest.mark.parametrize(("lease_days", "code"), [(None, "lease_ending_3m"), (30, "lease_ending_3m"),
                                                  (120, "lease_ending_6m"), (900, "lease_ending_6m")])
def test_visit_lease_finding_maps_by_lease_end(world, lease_days, code):
    ent = world["ent"]
    today = dt.date.today()
    ent.lease_end = today + dt.timedelta(days=lease_days) if lease_days else None
    ent.save()
    visit = visits.record_visit(enterprise=ent, worker=world["worker"], date=today, signals=["lease_ending"])
    assert Signal.objects.get(visit=visit).type.code == code


# --- the batch -------------------------------------------------------------------------------------------------
def test_recompute_all_counts_and_second_run_writes_nothing(world):
    tree = world["tree"]
    ents = [f.enterprise(tree["building1"]) for _ in range(30)]
    for index, ent in enumerate(ents):
        for code in ["intends_to_move", "rent_arrears", "registration_moved", "headcount_falling"][: index % 5]:
            services.record_signal(enterprise=ent, type=code, observed_on=RISE_DAY, today=RISE_DAY,
                                   recompute_now=False)
    counts = services.recompute_all(today=RISE_DAY)
    assert sum(counts.values()) == 32 and counts.created == 32
    expected = {1: 0, 2: 0, 3: 0, 4: 0, 5: 0}
    for risk in EnterpriseRisk.objects.all():
        expected[risk.level] += 1
        assert risk.score == services.score_of(services.explain(risk.enterprise, today=RISE_DAY))
    assert dict(counts) == expected
    changes = LevelChange.objects.count()
    with CaptureQueriesContext(connection) as queries:
        again = services.recompute_all(today=RISE_DAY)
    assert dict(again) == expected and (again.created, again.updated, again.changes) == (0, 0, 0)
    assert LevelChange.objects.count() == changes
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert writes == []
    assert len(queries.captured_queries) <= 10
