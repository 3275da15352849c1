"""Who may write in the three lists, per role, through the pages and the API (docs/permissions.md).

Unit A (an enterprise in building 1 of street 1) belongs to the street-1 conference. Allowed to act for it: the
district admin and street-1 staff (they run the conference), the building worker of building 1, the secretary of
unit A's organization and unit A's contact. Refused: street-2 staff, the building head of building 1 (read-only,
although the building holds unit A), another unit's contact, a member, and a unit contact of another conference.
"""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.matching import services
from jiceng.matching.models import ListStatus, Need, Project, ProjectStatus, Resource
from tests import factories as f
from tests.matching.conftest import LAT, LNG, make_need, make_resource

pytestmark = pytest.mark.django_db

ALLOWED = ["admin", "staff", "worker", "secretary", "contact_a"]
REFUSED = ["staff2", "head", "contact_b", "contact_c", "member"]
ROLES = [(who, True) for who in ALLOWED] + [(who, False) for who in REFUSED]


@pytest.fixture
def world(lists):
    tree = lists["tree"]
    org = f.organization(tree["building1"], "攀达科技党支部")
    lists["unit_a"].organization = org
    lists["unit_a"].save()
    need = make_need(lists["conf"], lists["staff"], quantity=20)
    resource = make_resource(lists["conf"], lists["unit_a"], lists["contact_a"], capacity=40)
    project = services.claim_need(need, unit=lists["unit_a"], quantity=2, by=lists["contact_a"], resource=resource)
    services.advance(project, "agree", by=lists["staff"])
    return {
        **lists, "need": need, "resource": resource, "project": project,
        "worker": f.user("worker", Role.BUILDING_WORKER, tree["building1"]),
        "head": f.user("head", Role.BUILDING_HEAD, tree["building1"]),
        "secretary": f.user("secretary", Role.ORG_SECRETARY, org),
        "member": f.user("member", Role.MEMBER, f.member(org)),
    }


def _window() -> tuple[dt.datetime, dt.datetime]:
    start = timezone.localtime().replace(microsecond=0, second=0) + dt.timedelta(days=1)
    return start, start + dt.timedelta(days=30)


def _api(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def _counts() -> tuple[int, int, int]:
    return Resource.objects.count(), Need.objects.count(), Project.objects.count()


# --- publish a resource -------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_publish_resource_page(client, world, who, allowed):
    start, end = _window()
    client.force_login(world[who])
    before = _counts()
    response = client.post(reverse("matching:resource_add"), {
        "conference": world["conf"].pk, "unit": world["unit_a"].pk, "title": "会议室", "category": "venue",
        "capacity": 2, "start": f"{start:%Y-%m-%dT%H:%M}", "end": f"{end:%Y-%m-%dT%H:%M}", "lat": LAT, "lng": LNG,
        "radius_m": 3000})
    if allowed:
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Resource.objects.filter(title="会议室", unit=world["unit_a"]).exists()
    else:
        assert response.status_code in (200, 403) and _counts() == before
        if response.status_code == 200:  # acts for another unit: the form refuses unit A
            assert "unit" in response.context["form"].errors


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_publish_resource_api(world, who, allowed):
    start, end = _window()
    response = _api(world[who]).post("/api/lists/resources/", {
        "conference": world["conf"].pk, "unit": world["unit_a"].pk, "title": "会议室", "category": "venue",
        "capacity": 2, "start": start.isoformat(), "end": end.isoformat(), "lat": LAT, "lng": LNG}, format="json")
    if allowed:
        assert response.status_code == 201, response.json()
    else:
        # Out of scope the conference does not exist (400 naming it); in scope the service refuses (403).
        assert response.status_code in (400, 403), response.json()
        assert not Resource.objects.filter(title="会议室").exists()


# --- post a need for the unit -------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_post_need_for_unit_api(world, who, allowed):
    start, end = _window()
    response = _api(world[who]).post("/api/lists/needs/", {
        "conference": world["conf"].pk, "requester_kind": "unit", "requester_unit": world["unit_a"].pk,
        "requester_name": "攀达科技", "title": "志愿者", "category": "volunteers", "quantity": 3,
        "start": start.isoformat(), "end": end.isoformat(), "lat": LAT, "lng": LNG}, format="json")
    if allowed:
        assert response.status_code == 201, response.json()
    else:
        assert response.status_code in (400, 403), response.json()
        assert not Need.objects.filter(title="志愿者").exists()


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_post_need_page(client, world, who, allowed):
    start, end = _window()
    client.force_login(world[who])
    response = client.post(reverse("matching:need_add"), {
        "conference": world["conf"].pk, "requester_kind": "unit", "requester_unit": world["unit_a"].pk,
        "requester_name": "攀达科技", "title": "志愿者", "category": "volunteers", "quantity": 3,
        "start": f"{start:%Y-%m-%dT%H:%M}", "end": f"{end:%Y-%m-%dT%H:%M}", "lat": LAT, "lng": LNG})
    created = Need.objects.filter(title="志愿者").exists()
    if allowed:
        assert response.status_code == 302 and created, response.content.decode()[:2000]
    else:
        assert response.status_code in (200, 403) and not created


def test_head_may_not_open_the_forms_nor_sees_the_buttons(client, world):
    client.force_login(world["head"])
    for name in ("matching:resource_add", "matching:need_add"):
        assert client.get(reverse(name)).status_code == 403
    for name in ("matching:resource_list", "matching:need_list"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and response.context["can_add"] is False
    # They still read the lists of the units in their building (read-only, as documented).
    assert client.get(reverse("matching:need_detail", args=[world["need"].pk])).status_code == 200
    page = client.get(reverse("matching:resource_detail", args=[world["resource"].pk]))
    assert page.status_code == 200 and page.context["can_close"] is False and page.context["claim_form"] is None
    page = client.get(reverse("matching:need_detail", args=[world["need"].pk]))
    assert page.context["claim_form"] is None and page.context["can_close"] is False
    page = client.get(reverse("matching:project_detail", args=[world["project"].pk]))
    assert page.status_code == 200 and page.context["actions"] == []


# --- claim a need -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_claim_need_page(client, world, who, allowed):
    client.force_login(world[who])
    before = Project.objects.count()
    response = client.post(reverse("matching:need_detail", args=[world["need"].pk]),
                           {"unit": world["unit_a"].pk, "quantity": 1})
    if allowed:
        assert response.status_code == 302 and Project.objects.count() == before + 1
    else:
        assert response.status_code in (200, 403, 404) and Project.objects.count() == before


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_claim_need_api(world, who, allowed):
    before = Project.objects.count()
    response = _api(world[who]).post(f"/api/lists/needs/{world['need'].pk}/claim/",
                                     {"unit": world["unit_a"].pk, "quantity": 1}, format="json")
    if allowed:
        assert response.status_code == 201 and Project.objects.count() == before + 1
    else:
        assert response.status_code in (403, 404) and Project.objects.count() == before


# --- close a resource ---------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_close_resource_page(client, world, who, allowed):
    client.force_login(world[who])
    response = client.post(reverse("matching:resource_close", args=[world["resource"].pk]))
    world["resource"].refresh_from_db()
    if allowed:
        assert response.status_code == 302 and world["resource"].status == ListStatus.CLOSED
    else:
        assert response.status_code in (403, 404) and world["resource"].status != ListStatus.CLOSED


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_close_resource_api(world, who, allowed):
    response = _api(world[who]).post(f"/api/lists/resources/{world['resource'].pk}/close/")
    world["resource"].refresh_from_db()
    if allowed:
        assert response.status_code == 200 and world["resource"].status == ListStatus.CLOSED
    else:
        assert response.status_code in (403, 404) and world["resource"].status != ListStatus.CLOSED


# --- move a project on (the provider's step) ----------------------------------------------------------

@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_start_project_page(client, world, who, allowed):
    client.force_login(world[who])
    client.post(reverse("matching:project_detail", args=[world["project"].pk]), {"action": "start"})
    world["project"].refresh_from_db()
    assert (world["project"].status == ProjectStatus.IN_PROGRESS) is allowed


@pytest.mark.parametrize(("who", "allowed"), ROLES)
def test_start_project_api(world, who, allowed):
    response = _api(world[who]).post(f"/api/lists/projects/{world['project'].pk}/transition/", {"action": "start"},
                                     format="json")
    world["project"].refresh_from_db()
    if allowed:
        assert response.status_code == 200 and world["project"].status == ProjectStatus.IN_PROGRESS
    else:
        assert response.status_code in (403, 404) and world["project"].status == ProjectStatus.AGREED


def test_a_user_with_both_building_roles_acts_only_where_a_worker(world):
    """Scope keeps which buildings were granted by a worker's role: a head's building adds reading only."""
    tree = world["tree"]
    both = f.user("both", Role.BUILDING_HEAD, tree["building1"])
    from jiceng.accounts.models import RoleAssignment

    RoleAssignment.objects.create(user=both, role=Role.BUILDING_WORKER, place=tree["building2"])
    assert set(services.acting_units(both)) == {world["unit_c"]}
    assert not services.acting_units(both, world["conf"]).exists()
