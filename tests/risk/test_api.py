"""The risk API: clear 400s naming the field (never a 500), scoping 404s, overrides, follow-ups, configuration."""

import datetime as dt

import pytest

from jiceng.risk import defaults, services
from jiceng.risk.choices import FollowUpStatus
from jiceng.risk.models import FollowUp, LevelChange, LevelThreshold, Signal, SignalType

from .conftest import api_for

pytestmark = pytest.mark.django_db


def test_record_signal_through_the_api(world):
    r = api_for(world["worker"]).post("/api/risk/signals/", {"enterprise": world["ent"].pk, "type": "intends_to_move",
                                                             "evidence": "电话回访获知"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["type"] == "intends_to_move" and r.json()["points"] == 40 and r.json()["source"] == "api"
    detail = api_for(world["worker"]).get(f"/api/risk/enterprises/{world['ent'].pk}/").json()
    assert detail["score"] == 40 and detail["level"] == 3 and detail["colour"] == "yellow"
    assert [line["type"] for line in detail["explanation"]] == ["intends_to_move"]
    assert sum(line["points"] for line in detail["explanation"]) == detail["score"]


@pytest.mark.parametrize(("payload", "field"), [
    ({"type": "no_such_signal"}, "type"),
    ({"type": "intends_to_move", "points": -10}, "points"),
    ({"type": "intends_to_move", "points": 1000}, "points"),
    ({"type": "overdue_demand"}, "type"),
    ({"type": "intends_to_move", "observed_on": "2099-01-01"}, "observed_on"),
    ({"type": "intends_to_move", "observed_on": "not a date"}, "observed_on"),
    ({"type": "intends_to_move", "enterprise": "abc"}, "enterprise"),
    ({"type": "intends_to_move", "enterprise": None}, "enterprise"),
    ({"type": "intends_to_move", "source": "visit"}, "source"),
])
def test_bad_signal_input_is_a_400_naming_the_field(world, payload, field):
    body = {"enterprise": world["ent"].pk, **payload}
    r = api_for(world["worker"]).post("/api/risk/signals/", body, format="json")
    assert r.status_code == 400, r.content
    assert field in r.json()
    assert not Signal.objects.exists()


def test_out_of_scope_enterprise_is_refused(world):
    api = api_for(world["worker"])
    r = api.post("/api/risk/signals/", {"enterprise": world["other_ent"].pk, "type": "intends_to_move"}, format="json")
    assert r.status_code == 400 and "enterprise" in r.json()
    r = api_for(world["contact"]).post("/api/risk/signals/", {"enterprise": world["ent"].pk,
                                                              "type": "intends_to_move"}, format="json")
    assert r.status_code == 403
    assert not Signal.objects.exists()


def test_scoping_404_and_lists(world):
    services.record_signal(enterprise=world["ent"], type="registration_moved")
    services.record_signal(enterprise=world["other_ent"], type="registration_moved")
    api = api_for(world["staff"])
    other = world["other_ent"]
    assert api.get(f"/api/risk/enterprises/{other.pk}/").status_code == 404
    assert api.post(f"/api/risk/enterprises/{other.pk}/override/", {"level": 1, "reason": "x"},
                    format="json").status_code == 404
    other_follow_up = FollowUp.objects.get(enterprise=other)
    assert api.get(f"/api/risk/follow-ups/{other_follow_up.pk}/").status_code == 404
    assert api.post(f"/api/risk/follow-ups/{other_follow_up.pk}/close/", {"outcome": "x"},
                    format="json").status_code == 404
    other_signal = Signal.objects.get(enterprise=other)
    assert api.get(f"/api/risk/signals/{other_signal.pk}/").status_code == 404
    assert [row["enterprise"] for row in api.get("/api/risk/enterprises/").json()["results"]] == [world["ent"].pk]
    assert [row["enterprise"] for row in api.get("/api/risk/signals/").json()["results"]] == [world["ent"].pk]
    assert [row["enterprise"] for row in api.get("/api/risk/follow-ups/").json()["results"]] == [world["ent"].pk]
    assert api.get("/api/risk/enterprises/counts/").json() == {"1": 0, "2": 0, "3": 1, "4": 0, "5": 0}
    assert api.get("/api/risk/enterprises/999999/").status_code == 404
    assert api.get("/api/risk/enterprises/").status_code == 200
    assert api_for(world["admin"]).get("/api/risk/enterprises/counts/").json()["3"] == 2


def test_override_through_the_api(world):
    ent = world["ent"]
    api = api_for(world["staff"])
    url = f"/api/risk/enterprises/{ent.pk}/override/"
    r = api.post(url, {"level": 4, "reason": ""}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    r = api.post(url, {"level": 9, "reason": "x"}, format="json")
    assert r.status_code == 400 and "level" in r.json()
    assert api_for(world["worker"]).post(url, {"level": 4, "reason": "x"}, format="json").status_code == 403
    r = api.post(url, {"level": 4, "reason": "企业主动告知将搬离"}, format="json")
    assert r.status_code == 200 and r.json()["level"] == 4 and r.json()["computed_level"] == 1
    change = LevelChange.objects.get(enterprise=ent)
    assert (change.kind, change.reason, change.by) == ("override", "企业主动告知将搬离", world["staff"])
    follow_up = FollowUp.objects.get(enterprise=ent)
    assert follow_up.level == 4


def test_close_follow_up_through_the_api(world):
    services.record_signal(enterprise=world["ent"], type="registration_moved")
    follow_up = FollowUp.objects.get(enterprise=world["ent"])
    api = api_for(world["staff"])
    r = api.post(f"/api/risk/follow-ups/{follow_up.pk}/close/", {"outcome": ""}, format="json")
    assert r.status_code == 400 and "outcome" in r.json()
    r = api.post(f"/api/risk/follow-ups/{follow_up.pk}/close/", {"outcome": "已走访,协调续租"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == FollowUpStatus.CLOSED
    r = api.post(f"/api/risk/follow-ups/{follow_up.pk}/close/", {"outcome": "again"}, format="json")
    assert r.status_code == 400 and "status" in r.json()
    assert api.get("/api/risk/follow-ups/?status=open").json()["count"] == 0


def test_signal_types_read_for_all_written_by_admins(world):
    assert len(api_for(world["worker"]).get("/api/risk/signal-types/").json()) == len(defaults.SIGNAL_TYPES)
    new = {"code": "tax_moved", "name": "税收迁出", "weight": 30, "live_days": 180}
    assert api_for(world["worker"]).post("/api/risk/signal-types/", new, format="json").status_code == 403
    admin = api_for(world["admin"])
    r = admin.post("/api/risk/signal-types/", {**new, "code": "bonus", "weight": -10}, format="json")
    assert r.status_code == 400 and "weight" in r.json()
    assert admin.post("/api/risk/signal-types/", new, format="json").status_code == 201
    r = admin.patch("/api/risk/signal-types/intends_to_move/", {"weight": 45}, format="json")
    assert r.status_code == 200 and SignalType.objects.get(code="intends_to_move").weight == 45
    services.record_signal(enterprise=world["ent"], type="tax_moved")
    assert admin.delete("/api/risk/signal-types/tax_moved/").status_code == 400


def test_thresholds_must_increase(world):
    admin = api_for(world["admin"])
    assert [row["min_score"] for row in admin.get("/api/risk/thresholds/").json()] == [0, 10, 30, 60, 90]
    r = admin.patch("/api/risk/thresholds/4/", {"min_score": 25}, format="json")
    assert r.status_code == 400 and "min_score" in r.json() and "严格递增" in r.json()["min_score"][0]
    assert api_for(world["staff"]).patch("/api/risk/thresholds/4/", {"min_score": 70},
                                         format="json").status_code == 403
    assert admin.patch("/api/risk/thresholds/4/", {"min_score": 70}, format="json").status_code == 200
    assert LevelThreshold.objects.get(level=4).min_score == 70


def test_explanation_in_the_api_includes_derived_signals(world):
    ent = world["ent"]
    ent.lease_end = dt.date.today() + dt.timedelta(days=40)
    ent.save()
    detail = api_for(world["staff"]).get(f"/api/risk/enterprises/{ent.pk}/").json()
    assert detail["score"] == 30 and detail["explanation"][0]["derived"] is True
    assert detail["explanation"][0]["type"] == "lease_ending_3m" and detail["explanation"][0]["signal"] is None


def test_schema_builds(world, client):
    client.force_login(world["staff"])
    r = client.get("/api/schema/")
    assert r.status_code == 200 and b"/api/risk/follow-ups/{id}/close/" in r.content
