"""Scoping: a user of street A gets 404 for street B's objects on UI and API; lists, search and export
never include them. One parametrized test per scoped resource."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from jiceng.accounts.models import AuditEvent, Role
from tests import factories as f


@pytest.fixture
def world(tree):
    a_org = f.organization(tree["park1"], "甲支部")
    b_org = f.organization(tree["park2"], "乙支部")
    a_ent = f.enterprise(tree["building1"], "甲科技有限公司")
    b_ent = f.enterprise(tree["building2"], "乙科技有限公司")
    f.cover(a_org, a_ent)
    f.cover(b_org, b_ent)
    a_mem = f.member(a_org, "张三", employer=a_ent)
    b_mem = f.member(b_org, "张山", employer=b_ent)
    staff_a = f.user("staff_a", Role.STREET_STAFF, tree["street1"])
    return {
        "staff_a": staff_a,
        "mine": {"place": tree["park1"], "enterprise": a_ent, "organization": a_org, "member": a_mem},
        "theirs": {"place": tree["park2"], "enterprise": b_ent, "organization": b_org, "member": b_mem},
    }


RESOURCES = [
    ("place", "places:place_detail", "places:place_list", "/api/places/"),
    ("enterprise", "enterprises:enterprise_detail", "enterprises:enterprise_list", "/api/enterprises/"),
    ("organization", "organizations:organization_detail", "organizations:organization_list", "/api/organizations/"),
    ("member", "members:member_detail", "members:member_list", "/api/members/"),
]


@pytest.mark.parametrize(("kind", "detail", "listing", "api"), RESOURCES)
def test_ui_detail_outside_scope_is_404(client, world, kind, detail, listing, api):
    client.force_login(world["staff_a"])
    assert client.get(reverse(detail, args=[world["mine"][kind].pk])).status_code == 200
    assert client.get(reverse(detail, args=[world["theirs"][kind].pk])).status_code == 404


@pytest.mark.parametrize(("kind", "detail", "listing", "api"), RESOURCES)
def test_api_detail_outside_scope_is_404(world, kind, detail, listing, api):
    client = APIClient()
    client.force_authenticate(world["staff_a"])
    assert client.get(f"{api}{world['mine'][kind].pk}/").status_code == 200
    assert client.get(f"{api}{world['theirs'][kind].pk}/").status_code == 404
    assert client.patch(f"{api}{world['theirs'][kind].pk}/", {"name": "x"}, format="json").status_code == 404


@pytest.mark.parametrize(("kind", "detail", "listing", "api"), RESOURCES)
def test_lists_search_and_export_exclude_other_street(client, world, kind, detail, listing, api):
    client.force_login(world["staff_a"])
    theirs, mine = world["theirs"][kind], world["mine"][kind]
    mine_url, theirs_url = reverse(detail, args=[mine.pk]), reverse(detail, args=[theirs.pk])
    page = client.get(reverse(listing)).content.decode()
    assert f'href="{mine_url}"' in page and f'href="{theirs_url}"' not in page
    search = client.get(reverse(listing), {"q": str(theirs)[:2]}).content.decode()
    assert f'href="{theirs_url}"' not in search
    export = client.get(reverse(listing), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    names = {str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert str(mine) in names and str(theirs) not in names
    assert AuditEvent.objects.filter(user=world["staff_a"], action=AuditEvent.Action.EXPORT).exists()
    api_client = APIClient()
    api_client.force_authenticate(world["staff_a"])
    ids = {row["id"] for row in api_client.get(api, {"page_size": 500}).json()["results"]}
    assert mine.pk in ids and theirs.pk not in ids


def test_anonymous_is_sent_to_login_and_api_refuses(client, world):
    response = client.get(reverse("members:member_list"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert APIClient().get("/api/members/").status_code in (401, 403)


def test_building_worker_sees_only_assigned_park(tree, world):
    worker = f.user("worker", Role.BUILDING_WORKER, tree["park1"])
    api = APIClient()
    api.force_authenticate(worker)
    ids = {row["id"] for row in api.get("/api/enterprises/").json()["results"]}
    assert ids == {world["mine"]["enterprise"].pk}
    assert api.get(f"/api/places/{tree['street1'].pk}/").status_code == 404


def test_org_secretary_sees_own_organization_members_only(world):
    secretary = f.user("sec", Role.ORG_SECRETARY, world["mine"]["organization"])
    api = APIClient()
    api.force_authenticate(secretary)
    ids = {row["id"] for row in api.get("/api/members/").json()["results"]}
    assert ids == {world["mine"]["member"].pk}
    # Covered enterprises are visible to the secretary, others are not.
    assert api.get(f"/api/enterprises/{world['mine']['enterprise'].pk}/").status_code == 200
    assert api.get(f"/api/enterprises/{world['theirs']['enterprise'].pk}/").status_code == 404


def test_member_sees_only_self(world):
    me = world["mine"]["member"]
    u = f.user("self", Role.MEMBER, me)
    api = APIClient()
    api.force_authenticate(u)
    assert [row["id"] for row in api.get("/api/members/").json()["results"]] == [me.pk]
    assert api.post("/api/members/", {}, format="json").status_code == 403


def test_create_outside_scope_is_refused(world, tree):
    api = APIClient()
    api.force_authenticate(world["staff_a"])
    response = api.post("/api/places/", {"name": "越界楼宇", "kind": "commercial_building",
                                          "parent": tree["street2"].pk}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()


def test_coverage_report_outside_scope_is_404(client, world, tree):
    client.force_login(world["staff_a"])
    url = reverse("organizations:coverage")
    assert client.get(url, {"place": tree["street1"].pk}).status_code == 200
    assert client.get(url, {"place": tree["street2"].pk}).status_code == 404
    api = APIClient()
    api.force_authenticate(world["staff_a"])
    assert api.get("/api/coverage/", {"place": tree["street2"].pk}).status_code == 404
    assert api.get("/api/coverage/", {"place": tree["street1"].pk}).json()["enterprises"] == 1
