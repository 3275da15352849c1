"""An ID number already on the platform: the reason is given only about records the user may see.

A member and an open application live in street 2. Street-2 staff (and the district admin) are told why a new
record is refused; street-1 staff, a street-1 secretary and a building worker get one generic message, the same
for a member and an application, in the pages, the API, the import and incoming transfers. Nothing is created
either way: the uniqueness holds city-wide.
"""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import Workbook
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.core.importing import read_rows, validate
from jiceng.members.identity import GENERIC_CONFLICT
from jiceng.members.importing import MEMBER_IMPORT
from jiceng.members.models import Application, Member, Transfer
from jiceng.members.pipeline import create_application
from tests import factories as f

pytestmark = pytest.mark.django_db

BIRTH = dt.date(1990, 5, 17)
GENERIC = str(GENERIC_CONFLICT)
SPECIFIC = ("已在册", "已是党员", "进行中的入党申请", "已有党员", "系统中已有")


@pytest.fixture
def world(tree):
    here = f.organization(tree["building1"], "甲支部")
    there = f.organization(tree["building2"], "乙支部")
    elsewhere_member = f.member(there, "外街党员", id_number=f.id_number(8001, BIRTH))
    applicant_id = f.id_number(8002, BIRTH)
    create_application(name="外街申请人", gender="M", birth_date=BIRTH, id_number=applicant_id, organization=there,
                       applied_on=dt.date(2024, 3, 1))
    return {
        "tree": tree, "here": here, "there": there, "member_id": elsewhere_member.id_number,
        "applicant_id": applicant_id,
        "staff1": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "secretary1": f.user("secretary1", Role.ORG_SECRETARY, here),
        "admin": f.user("admin1", Role.DISTRICT_ADMIN, tree["district"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "secretary2": f.user("secretary2", Role.ORG_SECRETARY, there),
    }


OUTSIDE = ["staff1", "secretary1"]   # the conflicting records are outside their scope
INSIDE = ["staff2", "secretary2", "admin"]


def _counts():
    return Member.objects.count(), Application.objects.count(), Transfer.objects.count()


def _member_form(world, id_number):
    return {"name": "新党员", "gender": "M", "ethnicity": "汉族", "birth_date": BIRTH.isoformat(),
            "id_number": id_number, "phone": "13900000001", "join_date": "2015-07-01", "status": "full",
            "organization": world["here"].pk, "households_contacted": 0}


def _assert_generic(text: str) -> None:
    assert GENERIC in text, text[:3000]
    assert not any(word in text for word in SPECIFIC), text[:3000]


# --- members ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", OUTSIDE)
def test_member_page_outside_scope_is_generic(client, world, who):
    client.force_login(world[who])
    before = _counts()
    for id_number in (world["member_id"], world["member_id"].lower()):
        response = client.post(reverse("members:member_add"), _member_form(world, id_number))
        assert response.status_code == 200
        assert response.context["form"].errors["id_number"] == [GENERIC]
        _assert_generic(response.content.decode())
    assert _counts() == before


@pytest.mark.parametrize("who", OUTSIDE)
def test_member_api_outside_scope_is_generic(world, who):
    api = APIClient()
    api.force_authenticate(world[who])
    before = _counts()
    response = api.post("/api/members/", _member_form(world, world["member_id"]), format="json")
    assert response.status_code == 400 and response.json()["id_number"] == [GENERIC]
    assert _counts() == before


def test_member_inside_scope_is_told_why(client, world):
    staff = world["staff2"]
    client.force_login(staff)
    form = {**_member_form(world, world["member_id"]), "organization": world["there"].pk}
    response = client.post(reverse("members:member_add"), form)
    assert "已在册" in response.context["form"].errors["id_number"][0]
    api = APIClient()
    api.force_authenticate(staff)
    response = api.post("/api/members/", form, format="json")
    assert response.status_code == 400 and "已在册" in response.json()["id_number"][0]


def test_editing_a_member_to_an_id_elsewhere_is_generic_and_keeps_the_record(client, world):
    own = f.member(world["here"], "本街党员")
    client.force_login(world["staff1"])
    form = {**_member_form(world, world["member_id"]), "name": own.name}
    response = client.post(reverse("members:member_edit", args=[own.pk]), form)
    assert response.context["form"].errors["id_number"] == [GENERIC]
    own.refresh_from_db()
    assert own.id_number != world["member_id"]


# --- applications -------------------------------------------------------------------------------------

def _application_form(world, id_number):
    return {"name": "新申请人", "gender": "M", "birth_date": BIRTH.isoformat(), "id_number": id_number,
            "phone": "", "organization": world["here"].pk, "applied_on": "2025-03-01"}


@pytest.mark.parametrize("who", OUTSIDE)
@pytest.mark.parametrize("kind", ["member_id", "applicant_id"])
def test_application_page_and_api_outside_scope_are_generic(client, world, who, kind):
    before = _counts()
    client.force_login(world[who])
    response = client.post(reverse("members:application_add"), _application_form(world, world[kind]))
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [GENERIC]
    _assert_generic(response.content.decode())
    api = APIClient()
    api.force_authenticate(world[who])
    response = api.post("/api/applications/", _application_form(world, world[kind]), format="json")
    assert response.status_code == 400 and response.json()["id_number"] == [GENERIC]
    assert _counts() == before


@pytest.mark.parametrize("who", INSIDE)
def test_application_inside_scope_is_told_why(world, who):
    api = APIClient()
    api.force_authenticate(world[who])
    form = {**_application_form(world, world["member_id"]), "organization": world["there"].pk}
    assert "已是党员" in api.post("/api/applications/", form, format="json").json()["id_number"][0]
    form["id_number"] = world["applicant_id"]
    assert "进行中的入党申请" in api.post("/api/applications/", form, format="json").json()["id_number"][0]


# --- imports and incoming transfers -------------------------------------------------------------------

def _roster(id_number: str) -> io.BytesIO:
    headers = [str(c.header) for c in MEMBER_IMPORT.columns]
    values = {"姓名": "王小明", "性别": "男", "出生日期": BIRTH.isoformat(), "公民身份号码": id_number,
              "入党日期": "2015-07-01", "所在党组织": "甲支部"}
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    sheet.append([values.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_import_outside_scope_is_generic(world):
    result = validate(MEMBER_IMPORT, read_rows(_roster(world["member_id"])), world["staff1"])
    (error,) = result.errors
    assert error.column == "公民身份号码" and error.reason == GENERIC
    # A fresh number imports; the same file for a user who sees the member names the reason.
    assert validate(MEMBER_IMPORT, read_rows(_roster(f.id_number(8003, BIRTH))), world["staff1"]).ok
    admin_result = validate(MEMBER_IMPORT, read_rows(_roster(world["member_id"])), world["admin"])
    assert "系统中已有" in admin_result.errors[0].reason


def test_incoming_transfer_outside_scope_is_generic(client, world):
    client.force_login(world["staff1"])
    before = _counts()
    response = client.post(reverse("members:transfer_incoming"), {
        "name": "外街党员", "gender": "M", "birth_date": BIRTH.isoformat(), "id_number": world["member_id"],
        "join_date": "2015-07-01", "status": "full", "to_organization": world["here"].pk,
        "external_organization": "外省某支部", "letter_no": "2025-001", "issue_date": "2025-03-01"})
    assert response.status_code == 200
    _assert_generic(response.content.decode())
    assert _counts() == before
