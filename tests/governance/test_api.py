"""The four API resources of the issue, their field names (contracts), their rules and their scoping."""

import datetime as dt

import pytest
import time_machine
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.governance import services
from jiceng.governance.models import CouncilMeeting, Decision, HeadSelection, OfficerAssignment
from tests import factories as f

from .conftest import DAY

pytestmark = pytest.mark.django_db


def client(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


def at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC), tick=False)


def test_councils_list_members_with_seat_and_term_and_the_head(gov):
    api = client(gov["staff"])
    body = api.get("/api/councils/").json()
    [council] = body["results"]  # street 1 staff: building 1's council only
    assert council["id"] == gov["council"].pk and council["head"] is None
    member = next(m for m in council["members"] if m["name"] == "王楼长")
    assert member["seat"] == "enterprise_rep" and member["seat_name"] == "企业代表"
    assert member["term_start"] == (DAY - dt.timedelta(days=400)).isoformat() and member["term_end"] is None
    assert council["conference"] is not None


def test_head_selection_through_the_api_with_time_moving_forward(gov):
    api = client(gov["staff"])
    with at(DAY):
        response = api.post("/api/head-selections/", {"council": gov["council"].pk,
                                                       "nominee": gov["members"]["candidate"].pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "notice" and body["notice_days"] == 5
    [notice] = body["notices"]
    assert (notice["stage"], notice["ends_on"], notice["status"]) == (1, "2026-03-23", "running")
    pk = body["id"]
    with at(dt.date(2026, 3, 23)):
        early = api.post(f"/api/head-selections/{pk}/advance/")
    assert early.status_code == 400 and "notice" in early.json()
    day = dt.date(2026, 3, 24)
    for _stage in range(3):
        with at(day):
            response = api.post(f"/api/head-selections/{pk}/advance/")
        assert response.status_code == 200, response.content
        day = dt.date.fromisoformat(response.json()["notices"][-1]["ends_on"]) + dt.timedelta(days=1)
    body = response.json()
    assert body["status"] == "appointed" and [n["stage"] for n in body["notices"]] == [1, 2, 3]
    council = api.get(f"/api/councils/{gov['council'].pk}/").json()
    assert council["head"] == gov["members"]["candidate"].pk and council["head_user"] == gov["candidate_user"].pk
    assert next(m for m in council["members"] if m["id"] == council["head"])["is_head"] is True


def test_objections_pause_and_resolve_through_the_api(gov):
    api = client(gov["staff"])
    selection = services.nominate(gov["council"], gov["members"]["candidate"], by=gov["staff"], today=DAY)
    with at(dt.date(2026, 3, 18)):
        body = api.post(f"/api/head-selections/{selection.pk}/objections/", {"text": "程序有疑问"},
                        format="json").json()
    assert body["status"] == "paused"
    objection = body["notices"][0]["objections"][0]
    with at(dt.date(2026, 3, 19)):
        missing = api.post(f"/api/head-selections/{selection.pk}/resolve-objection/",
                           {"objection": objection["id"], "outcome": "dismissed"}, format="json")
        assert missing.status_code == 400 and "resolution" in missing.json()
        body = api.post(f"/api/head-selections/{selection.pk}/resolve-objection/",
                        {"objection": objection["id"], "outcome": "dismissed", "resolution": "程序合规"},
                        format="json").json()
    assert body["status"] == "notice" and body["notices"][0]["objections"][0]["resolution"] == "程序合规"


@pytest.mark.parametrize("payload, field", [
    ({"notice_days": 3}, "notice_days"),
    ({"nominee": "outsider"}, "nominee"),
    ({"second": True}, "council"),
])
def test_bad_selection_input_is_a_400_naming_the_field(gov, payload, field):
    api = client(gov["staff"])
    if payload.get("second"):
        services.nominate(gov["council"], gov["members"]["property"], by=gov["staff"], today=DAY)
    before = HeadSelection.objects.count()
    data = {"council": gov["council"].pk, "nominee": gov["members"]["candidate"].pk}
    if payload.get("nominee") == "outsider":
        data["nominee"] = gov["outsider"].pk
    if "notice_days" in payload:
        data["notice_days"] = payload["notice_days"]
    response = api.post("/api/head-selections/", data, format="json")
    assert response.status_code == 400 and field in response.json(), response.content
    assert HeadSelection.objects.count() == before


def test_a_head_sees_their_building_only(gov):
    selection = services.nominate(gov["council"], gov["members"]["candidate"], by=gov["staff"], today=DAY)
    from .conftest import run_to_head

    run_to_head(selection, gov["staff"], DAY)
    head = gov["candidate_user"]
    api = client(head)
    ids = [c["id"] for c in api.get("/api/councils/").json()["results"]]
    assert ids == [gov["council"].pk]
    assert api.get(f"/api/councils/{gov['council2'].pk}/").status_code == 404
    # The head runs meetings but not the selection of a successor.
    response = api.post("/api/head-selections/", {"council": gov["council"].pk,
                                                   "nominee": gov["members"]["property"].pk}, format="json")
    assert response.status_code == 403
    # Street 2 sees nothing of street 1.
    other = client(gov["staff2"])
    assert other.get(f"/api/head-selections/{selection.pk}/").status_code == 404
    assert other.get(f"/api/councils/{gov['council'].pk}/").status_code == 404


def test_council_meeting_with_decisions_due_in_working_days(gov):
    api = client(gov["staff"])
    members = gov["members"]
    response = api.post("/api/council-meetings/", {
        "council": gov["council"].pk, "title": "第一次楼事会会议", "held_at": "2026-03-20T14:00:00+08:00",
        "agenda": ["推荐楼长人选", "电梯改造"], "attendees": [members["secretary"].pk, members["candidate"].pk],
        "minutes": "会议推荐王楼长为楼长人选。",
        "decisions": [{"text": "联系物业制定电梯改造方案", "owner": members["property"].pk, "due_in_working_days": 5}],
    }, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["agenda"] == ["推荐楼长人选", "电梯改造"]
    [decision] = body["decisions"]
    # Friday 20 March + 5 working days = Friday 27 March.
    assert decision["owner"] == members["property"].pk and decision["due_date"] == "2026-03-27"
    assert decision["status"] == "open"
    done = api.post(f"/api/council-decisions/{decision['id']}/done/", {"outcome": "方案已报街道"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "done"


def test_a_decision_without_an_owner_saves_nothing(gov):
    api = client(gov["staff"])
    response = api.post("/api/council-meetings/", {
        "council": gov["council"].pk, "title": "会议", "held_at": "2026-03-20T14:00:00+08:00",
        "decisions": [{"text": "有人负责吗", "due_in_working_days": 5}]}, format="json")
    assert response.status_code == 400
    errors = response.json()["decisions"]
    first = errors[0] if isinstance(errors, list) else errors["0"]  # the first decision's errors, by field
    assert "责任人" in first["owner"][0]
    assert CouncilMeeting.objects.count() == 0 and Decision.objects.count() == 0


def test_officer_assignments_kind_enterprise_person_and_scope(gov):
    tree = gov["tree"]
    ent = f.enterprise(tree["building1"], "攀达科技")
    far = f.enterprise(tree["building2"], "殷行贸易")
    officer = f.user("officer_party", Role.STREET_STAFF, tree["street1"])
    api = client(gov["staff"])
    response = api.post("/api/officer-assignments/", {"kind": "party_instructor", "enterprise": ent.pk,
                                                      "person": officer.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["enterprise"], body["person"]) == ("party_instructor", ent.pk, officer.pk)
    # The same kind twice for one enterprise.
    again = api.post("/api/officer-assignments/", {"kind": "party_instructor", "enterprise": ent.pk,
                                                   "person": officer.pk}, format="json")
    assert again.status_code == 400 and "kind" in again.json()
    # An officer outside their scope: street 1's officer for street 2's enterprise (assigned by the district).
    admin = client(gov["admin"])
    outside = admin.post("/api/officer-assignments/", {"kind": "economic", "enterprise": far.pk,
                                                       "person": officer.pk}, format="json")
    assert outside.status_code == 400 and "person" in outside.json()
    # An enterprise outside the assigning user's scope reads as not found.
    hidden = api.post("/api/officer-assignments/", {"kind": "economic", "enterprise": far.pk, "person": officer.pk},
                      format="json")
    assert hidden.status_code == 400 and "enterprise" in hidden.json()
    assert OfficerAssignment.objects.count() == 1
    workload = api.get("/api/officer-assignments/workload/").json()
    assert workload == [{"person": officer.pk, "name": "officer_party", "total": 1, "party_instructor": 1,
                         "economic": 0, "safety": 0, "market_supervision": 0,
                         "buildings": ["创智天地1号楼"]}]
    # The officer sees their own assignments; street 2 does not.
    assert len(client(officer).get("/api/officer-assignments/").json()["results"]) == 1
    assert client(gov["staff2"]).get("/api/officer-assignments/").json()["results"] == []
