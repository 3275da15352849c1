"""The three API collections of issue #18 (grids, household contacts, renovation projects): field names, rules
with the field named, scoping (another street's objects are 404) and who may write (403)."""

import datetime as dt
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from jiceng.grids import services
from jiceng.grids.models import (
    ConsultationRound,
    ContactLog,
    Grid,
    HouseholdContact,
    HouseholdKind,
    MediationCase,
    RenovationProject,
)

from .conftest import DAY, LAT, LNG, square

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, 0), tick=False):
        yield


def api(user) -> APIClient:
    c = APIClient()
    c.force_authenticate(user)
    return c


@pytest.fixture
def data(g):
    h = HouseholdContact(kind=HouseholdKind.BUSINESS, name="王记小吃", address="A区12号", place=g["market"],
                         member=g["members"][0], grid=g["grid"])
    h.full_clean()
    h.save()
    log = services.log_contact(h, date=DAY, way="visit", raised="摊位前的下水道堵塞,雨天积水")
    project = RenovationProject.objects.create(name="蓬莱路地块旧改", place=g["street"], started=DAY, households=100,
                                               signed=40)
    rnd = ConsultationRound.objects.create(project=project, number=1, held_on=DAY, responded=98, agreed=97)
    case = MediationCase.objects.create(project=project, household="12 弄 3 号", resident_party="张家",
                                        enterprise_party="征收事务所", street_party="居民区党总支", issue="析产",
                                        opened_on=DAY)
    return {**g, "household": h, "log": log, "project": project, "round": rnd, "case": case}


COLLECTIONS = [("/api/grids/", "grid"), ("/api/household-contacts/", "household"),
               ("/api/household-contact-logs/", "log"), ("/api/renovation-projects/", "project"),
               ("/api/consultation-rounds/", "round"), ("/api/mediation-cases/", "case")]


@pytest.mark.parametrize("path, key", COLLECTIONS)
@pytest.mark.parametrize("role, sees", [("admin", True), ("staff", True), ("staff2", False), ("unit", False)])
def test_lists_and_details_are_scoped(data, path, key, role, sees):
    client = api(data[role])
    ids = [row["id"] for row in client.get(path).json()["results"]]
    assert (data[key].pk in ids) is sees
    assert client.get(f"{path}{data[key].pk}/").status_code == (200 if sees else 404)


@pytest.mark.parametrize("path, key", [("/api/household-contacts/", "household"),
                                       ("/api/household-contact-logs/", "log")])
def test_the_market_worker_and_the_member_see_their_households(data, path, key):
    for role in ("worker", "head", "member_user", "secretary"):
        assert api(data[role]).get(f"{path}{data[key].pk}/").status_code == 200, role


def test_anonymous_is_refused(data):
    for path, _key in COLLECTIONS:
        assert APIClient().get(path).status_code in (401, 403)


def test_grid_fields_and_warnings(data):
    row = api(data["staff"]).get(f"/api/grids/{data['grid'].pk}/").json()
    assert row["contact"] is None and row["branch"] == data["branch"].pk
    assert row["warnings"] and "15" in row["warnings"][0]
    assert row["geometry"]["type"] == "Polygon" and row["area_m2"] > 990_000


def test_posting_a_grid_and_assigning_members(data):
    client = api(data["staff"])
    body = {"name": "第二网格", "place": data["street"].pk, "geometry": square(LNG + 0.011, LAT),
            "branch": data["branch"].pk}
    answer = client.post("/api/grids/", body, format="json")
    assert answer.status_code == 201, answer.json()
    grid = answer.json()["id"]
    for member in data["members"][:15]:
        r = client.post(f"/api/grids/{grid}/members/", {"member": member.pk, "basis": "residence"}, format="json")
        assert r.status_code == 200
    assert r.json()["member_count"] == 15 and r.json()["warnings"] == []
    r = client.patch(f"/api/grids/{grid}/", {"contact": data["members"][0].pk}, format="json")
    assert r.status_code == 200 and r.json()["contact"] == data["members"][0].pk
    again = client.post(f"/api/grids/{grid}/members/", {"member": data["members"][0].pk, "basis": "workplace"},
                        format="json")
    assert again.status_code == 400 and "member" in again.json()
    out = client.post(f"/api/grids/{grid}/remove-member/", {"member": data["members"][1].pk}, format="json")
    assert out.json()["member_count"] == 14 and out.json()["warnings"]


def test_a_posted_feature_is_stored_as_its_polygon(data):
    feature = {"type": "Feature", "properties": {"name": "x"}, "geometry": square(LNG + 0.011, LAT)}
    answer = api(data["staff"]).post("/api/grids/", {"name": "要素网格", "place": data["street"].pk,
                                                     "geometry": feature}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["geometry"]["type"] == "Polygon" and answer.json()["area_m2"] > 990_000


BOW_TIE = {"type": "Polygon", "coordinates": [[[LNG, LAT], [LNG + 0.01, LAT + 0.01], [LNG + 0.01, LAT],
                                               [LNG, LAT + 0.01], [LNG, LAT]]]}


@pytest.mark.parametrize("geometry, words", [
    (BOW_TIE, "自相交"),
    (square(2.35, 48.85), "中国境内"),
    (square(121.445, 31.223), "不在该街道内"),
    ({"type": "Polygon", "coordinates": [[[LNG, LAT], [LNG + 0.01, LAT], [LNG + 0.01, LAT + 0.01]]]}, "三个"),
])
def test_bad_polygons_answer_400_naming_geometry(data, geometry, words):
    answer = api(data["staff"]).post("/api/grids/", {"name": "坏网格", "place": data["street"].pk,
                                                     "geometry": geometry}, format="json")
    assert answer.status_code == 400
    assert words in " ".join(answer.json()["geometry"])
    assert not Grid.objects.filter(name="坏网格").exists()


def test_geojson_upload_and_a_bad_file(data):
    client = api(data["staff"])
    good = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "东网格"}, "geometry": square(LNG + 0.011, LAT)}]}).encode()
    answer = client.post("/api/grids/import/", {"place": data["street"].pk,
                                                "file": SimpleUploadedFile("g.geojson", good)}, format="multipart")
    assert answer.status_code == 201 and answer.json()[0]["name"] == "东网格"
    bad = client.post("/api/grids/import/", {"place": data["street"].pk,
                                             "file": SimpleUploadedFile("g.geojson", b"{oops")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    as_json = client.post("/api/grids/import/", {"place": data["street"].pk, "geojson": BOW_TIE}, format="json")
    assert as_json.status_code == 400 and "自相交" in as_json.json()["file"][0]
    elsewhere = client.post("/api/grids/import/", {"place": data["street2"].pk, "geojson": BOW_TIE}, format="json")
    assert elsewhere.status_code == 400 and "place" in elsewhere.json()


def test_generate_needs_a_boundary(data):
    answer = api(data["staff"]).post("/api/grids/generate/", {"street": data["street"].pk}, format="json")
    assert answer.status_code == 400 and "street" in answer.json()


@pytest.mark.parametrize("role", ["worker", "head", "secretary", "member_user", "unit"])
def test_only_street_and_district_write_grids(data, role):
    client = api(data[role])
    body = {"name": "第二网格", "place": data["street"].pk, "geometry": square(LNG + 0.011, LAT)}
    assert client.post("/api/grids/", body, format="json").status_code == 403
    assert client.post("/api/grids/generate/", {"street": data["street"].pk}, format="json").status_code == 403


def test_household_assigned_twice_answers_400(data):
    body = {"kind": "business", "name": "王记小吃", "address": "A区12号", "place": data["market"].pk,
            "member": data["members"][1].pk}
    answer = api(data["staff"]).post("/api/household-contacts/", body, format="json")
    assert answer.status_code == 400 and "name" in answer.json()
    assert HouseholdContact.objects.count() == 1


def test_worker_logs_a_contact_and_raises_a_demand(data):
    client = api(data["worker"])
    h = data["household"]
    answer = client.post(f"/api/household-contacts/{h.pk}/log/",
                         {"date": DAY.isoformat(), "way": "phone", "raised": "希望延长市场夜间照明时间"}, format="json")
    assert answer.status_code == 201 and answer.json()["demand"] is None
    demand = client.post(f"/api/household-contact-logs/{answer.json()['id']}/demand/")
    assert demand.status_code == 201 and demand.json()["demand"]
    one_step = client.post("/api/household-contact-logs/", {"household": h.pk, "date": DAY.isoformat(),
                                                            "way": "visit", "raised": "门口台阶破损需要修补",
                                                            "to_demand": True}, format="json")
    assert one_step.status_code == 201 and one_step.json()["demand"]
    assert ContactLog.objects.filter(household=h).count() == 3


def test_a_member_and_a_unit_contact_may_not_log(data):
    for role in ("member_user", "unit", "head"):
        answer = api(data[role]).post(f"/api/household-contacts/{data['household'].pk}/log/",
                                      {"date": DAY.isoformat(), "way": "phone"}, format="json")
        assert answer.status_code in (403, 404), role


def test_coverage_api(data):
    client = api(data["staff"])
    rows = client.get("/api/household-contacts/coverage/?by=grid&from=2026-03-01&to=2026-03-16").json()
    assert rows == [{"id": data["grid"].pk, "name": "第一网格", "households": 1, "contacted": 1, "rate": 1.0,
                     "target": None}]
    assert client.get("/api/household-contacts/coverage/?by=planet").status_code == 400
    bad = client.get("/api/household-contacts/coverage/?from=2026-13-01")
    assert bad.status_code == 400 and "from" in bad.json()
    assert api(data["staff2"]).get("/api/household-contacts/coverage/").json() == []


def test_project_fields_and_signing_refused_above_households(data):
    client = api(data["staff"])
    project = data["project"]
    row = client.get(f"/api/renovation-projects/{project.pk}/").json()
    assert row["signing_rate"] == 0.4 and row["rounds"][0]["agreed"] == 97
    answer = client.patch(f"/api/renovation-projects/{project.pk}/", {"signed": 101}, format="json")
    assert answer.status_code == 400 and "signed" in answer.json()
    project.refresh_from_db()
    assert project.signed == 40


def test_branch_set_up_join_and_end_through_the_api(data):
    client = api(data["staff"])
    project = data["project"]
    members = [m.pk for m in data["members"][:3]]
    answer = client.post(f"/api/renovation-projects/{project.pk}/branch/",
                         {"parent": data["committee"].pk, "members": members}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["temporary_branch"] and len(answer.json()["branch_members"]) == 3
    assert answer.json()["branch_members"][0]["home_branch"] == "第一网格党支部"
    joined = client.post(f"/api/renovation-projects/{project.pk}/join/", {"member": data["members"][5].pk},
                         format="json")
    assert len(joined.json()["branch_members"]) == 4
    outsider = client.post(f"/api/renovation-projects/{project.pk}/join/", {"member": data["other"].pk},
                           format="json")
    assert outsider.status_code == 400 and "member" in outsider.json()
    ended = client.post(f"/api/renovation-projects/{project.pk}/end/", {"date": DAY.isoformat()}, format="json")
    assert ended.json()["status"] == "ended" and ended.json()["temporary_branch"] is None
    assert all(m["left_on"] == DAY.isoformat() for m in ended.json()["branch_members"])


@pytest.mark.parametrize("role", ["worker", "head", "secretary", "member_user"])
def test_only_street_and_district_write_projects(data, role):
    client = api(data[role])
    project = data["project"]
    for path in (f"/api/renovation-projects/{project.pk}/end/", f"/api/renovation-projects/{project.pk}/branch/"):
        assert client.post(path, {}, format="json").status_code in (403, 404)
    assert client.post("/api/mediation-cases/", {}, format="json").status_code == 403


def test_mediation_through_the_api_names_the_missing_party(data):
    body = {"project": data["project"].pk, "household": "5 号", "resident_party": "李家", "enterprise_party": "",
            "street_party": "居委", "issue": "面积认定", "opened_on": DAY.isoformat()}
    answer = api(data["staff"]).post("/api/mediation-cases/", body, format="json")
    assert answer.status_code == 400 and "enterprise_party" in answer.json()
