"""The pages: lists with warnings and Excel export, details, forms and actions, each scoped (404 outside) and
refused to roles that may not write (403)."""

import datetime as dt
import io
import json

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jiceng.demands.models import Demand
from jiceng.grids import services
from jiceng.grids.models import (
    ContactLog,
    Grid,
    HouseholdContact,
    HouseholdKind,
    MediationCase,
    RenovationMember,
    RenovationProject,
)

from .conftest import DAY, LAT, LNG, square

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, 0), tick=False):
        yield


@pytest.fixture
def data(g):
    h = HouseholdContact(kind=HouseholdKind.BUSINESS, name="王记小吃", address="A区12号", place=g["market"],
                         member=g["members"][0], grid=g["grid"])
    h.full_clean()
    h.save()
    project = RenovationProject.objects.create(name="蓬莱路地块旧改", place=g["street"], started=DAY, households=100,
                                               signed=40)
    return {**g, "household": h, "project": project}


def as_user(client, user):
    client.force_login(user)
    return client


LISTS = ["/grids/", "/grids/households/", "/grids/households/coverage/", "/grids/renovation/"]


@pytest.mark.parametrize("path", LISTS)
def test_lists_open_for_every_role(client, data, path):
    for role in ("admin", "staff", "staff2", "worker", "head", "secretary", "member_user", "unit"):
        client.force_login(data[role])
        assert client.get(path).status_code == 200, role


def test_grid_list_shows_the_warning_and_exports(client, data):
    page = as_user(client, data["staff"]).get("/grids/").content.decode()
    assert "第一网格" in page and "少于 15 名" in page
    answer = client.get("/grids/?export=xlsx")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.values)
    assert rows[0][:2] == ("网格", "提醒") and rows[1][0] == "第一网格" and "少于" in rows[1][1]
    assert "第一网格" not in as_user(client, data["staff2"]).get("/grids/").content.decode()


@pytest.mark.parametrize("path", ["/grids/households/?export=xlsx", "/grids/renovation/?export=xlsx"])
def test_other_lists_export(client, data, path):
    answer = as_user(client, data["staff"]).get(path)
    rows = list(load_workbook(io.BytesIO(answer.content)).active.values)
    assert rows[1][0] in ("王记小吃", "蓬莱路地块旧改")


@pytest.mark.parametrize("path, key", [("/grids/{}/", "grid"), ("/grids/households/{}/", "household"),
                                       ("/grids/renovation/{}/", "project")])
def test_details_are_scoped(client, data, path, key):
    url = path.format(data[key].pk)
    assert as_user(client, data["staff"]).get(url).status_code == 200
    assert as_user(client, data["staff2"]).get(url).status_code == 404


def test_grid_detail_warns_and_assigns(client, data):
    as_user(client, data["staff"])
    url = f"/grids/{data['grid'].pk}/"
    assert "少于 15 名" in client.get(url).content.decode()
    for member in data["members"][:15]:
        client.post(f"{url}members/", {"member": member.pk, "basis": "residence"})
    page = client.get(url).content.decode()
    assert 'data-testid="grid-warning"' not in page
    client.post(f"{url}members/", {"remove": data["members"][0].pk})
    data["grid"].refresh_from_db()
    assert data["grid"].member_count == 14


@pytest.mark.parametrize("role", ["worker", "head", "secretary", "member_user"])
def test_grid_writes_refused(client, data, role):
    as_user(client, data[role])
    assert client.get("/grids/new/").status_code == 403
    assert client.get("/grids/import/").status_code == 403
    answer = client.post(f"/grids/{data['grid'].pk}/members/", {"member": data["members"][0].pk,
                                                                "basis": "residence"})
    assert answer.status_code in (403, 404)


def test_grid_form_names_the_geometry(client, data):
    as_user(client, data["staff"])
    bow_tie = {"type": "Polygon", "coordinates": [[[LNG, LAT], [LNG + 0.01, LAT + 0.01], [LNG + 0.01, LAT],
                                                   [LNG, LAT + 0.01], [LNG, LAT]]]}
    answer = client.post("/grids/new/", {"place": data["street"].pk, "name": "坏网格", "geometry": json.dumps(bow_tie)})
    assert answer.status_code == 200 and "自相交" in answer.content.decode()
    assert not Grid.objects.filter(name="坏网格").exists()
    answer = client.post("/grids/new/", {"place": data["street"].pk, "name": "新网格",
                                         "geometry": json.dumps(square(LNG + 0.011, LAT))})
    assert answer.status_code == 302 and Grid.objects.get(name="新网格").area_m2 > 990_000


def test_geojson_import_page(client, data):
    as_user(client, data["staff"])
    good = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "东网格"}, "geometry": square(LNG + 0.011, LAT)}]}).encode()
    answer = client.post("/grids/import/", {"place": data["street"].pk,
                                            "file": SimpleUploadedFile("g.geojson", good)})
    assert answer.status_code == 302 and Grid.objects.filter(name="东网格").exists()
    answer = client.post("/grids/import/", {"place": data["street"].pk,
                                            "file": SimpleUploadedFile("g.geojson", b"{bad")})
    assert answer.status_code == 200 and "JSON" in answer.content.decode()


def test_worker_logs_a_contact_and_raises_a_demand(client, data):
    as_user(client, data["worker"])
    url = f"/grids/households/{data['household'].pk}/"
    answer = client.post(url, {"date": DAY.isoformat(), "way": "visit", "raised": "市场消防通道被货物占用"})
    assert answer.status_code == 302
    log = ContactLog.objects.get()
    assert log.demand is None
    client.post(f"/grids/household-logs/{log.pk}/demand/")
    log.refresh_from_db()
    assert log.demand == Demand.objects.get()
    answer = client.post(url, {"date": (DAY + dt.timedelta(days=1)).isoformat(), "way": "visit", "raised": ""})
    assert answer.status_code == 200 and "不能晚于今天" in answer.content.decode()


def test_household_form_refuses_the_same_household_twice(client, data):
    as_user(client, data["staff"])
    answer = client.post("/grids/households/new/", {"kind": "business", "name": "王记小吃", "address": "A区12号",
                                                     "place": data["market"].pk, "member": data["members"][1].pk})
    assert answer.status_code == 200 and "不能重复分配" in answer.content.decode()
    assert HouseholdContact.objects.count() == 1


@pytest.mark.parametrize("role", ["head", "member_user", "unit"])
def test_household_writes_refused(client, data, role):
    as_user(client, data[role])
    assert client.get("/grids/households/new/").status_code == 403
    answer = client.post(f"/grids/households/{data['household'].pk}/", {"date": DAY.isoformat(), "way": "visit"})
    assert answer.status_code in (403, 404)


def test_coverage_page(client, data):
    services.log_contact(data["household"], date=DAY, way="visit")
    page = as_user(client, data["staff"]).get("/grids/households/coverage/?by=grid").content.decode()
    assert "第一网格" in page and "100%" in page
    assert client.get("/grids/households/coverage/?from=bad").status_code == 200


def test_project_pages_and_actions(client, data):
    as_user(client, data["staff"])
    project = data["project"]
    url = f"/grids/renovation/{project.pk}/"
    client.post(f"{url}round/", {"number": 1, "held_on": DAY.isoformat(), "responded": 90, "agreed": 88})
    client.post(f"{url}mediation/", {"household": "5 号", "resident_party": "李家", "enterprise_party": "征收所",
                                     "street_party": "居委", "issue": "面积认定", "opened_on": DAY.isoformat(),
                                     "outcome": "pending"})
    client.post(f"{url}branch/", {"name": "蓬莱路临时党支部", "members": [m.pk for m in data["members"][:2]]})
    page = client.get(url).content.decode()
    assert "蓬莱路临时党支部" in page and "40%" in page and "李家" in page and "第 1 轮征询" in page
    assert RenovationMember.objects.filter(project=project).count() == 2
    client.post(f"{url}end/")
    project.refresh_from_db()
    assert project.status == "ended" and project.temporary_branch is None
    assert "已撤销" in client.get(url).content.decode()


def test_project_form_refuses_signing_above_households(client, data):
    as_user(client, data["staff"])
    answer = client.post(f"/grids/renovation/{data['project'].pk}/edit/", {
        "name": "蓬莱路地块旧改", "place": data["street"].pk, "started": DAY.isoformat(), "households": 100,
        "signed": 101})
    assert answer.status_code == 200 and "不能多于项目户数" in answer.content.decode()
    data["project"].refresh_from_db()
    assert data["project"].signed == 40


@pytest.mark.parametrize("role", ["worker", "head", "secretary", "member_user"])
def test_project_writes_refused(client, data, role):
    as_user(client, data[role])
    assert client.get("/grids/renovation/new/").status_code == 403
    answer = client.post(f"/grids/renovation/{data['project'].pk}/mediation/", {})
    assert answer.status_code in (403, 404)
    assert MediationCase.objects.count() == 0
