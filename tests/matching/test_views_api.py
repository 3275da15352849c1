"""Pages and API of the three lists: scoping, claims through HTTP, statistics, suggestions, proposals."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from jiceng.matching import services
from jiceng.matching.models import ChairTerm, ListStatus, Need, Project
from tests.matching.conftest import make_need, make_resource

pytestmark = pytest.mark.django_db
NIGHT = (dt.time(19, 0), dt.time(7, 0))


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


@pytest.fixture
def items(lists):
    need = make_need(lists["conf"], lists["staff"], quantity=20, daily=NIGHT)
    resource = make_resource(lists["conf"], lists["unit_a"], lists["contact_a"], capacity=40, daily=NIGHT)
    other_need = make_need(lists["conf2"], lists["staff2"], quantity=3, title="殷行需求")
    return {**lists, "need": need, "resource": resource, "other_need": other_need}


def test_scoping_of_lists_and_details(client, items):
    # Street 2's staff do not see street 1's conference or its lists; 404 on the details.
    client.force_login(items["staff2"])
    assert client.get(reverse("matching:need_detail", args=[items["need"].pk])).status_code == 404
    assert client.get(reverse("matching:resource_detail", args=[items["resource"].pk])).status_code == 404
    assert client.get(reverse("matching:conference_detail", args=[items["conf"].pk])).status_code == 404
    page = client.get(reverse("matching:need_list")).content.decode()
    assert "殷行需求" in page and "居民夜间停车" not in page
    # A unit contact sees the lists of their own conference, not of others.
    client.force_login(items["contact_c"])
    assert client.get(reverse("matching:need_detail", args=[items["need"].pk])).status_code == 404
    client.force_login(items["contact_a"])
    assert client.get(reverse("matching:need_detail", args=[items["need"].pk])).status_code == 200
    assert client.get(reverse("matching:need_detail", args=[items["other_need"].pk])).status_code == 404
    api = api_for(items["contact_a"])
    ids = {row["id"] for row in api.get("/api/lists/needs/").json()["results"]}
    assert ids == {items["need"].pk}
    assert api.get(f"/api/lists/needs/{items['other_need'].pk}/").status_code == 404


def test_projects_of_a_unit_are_seen_by_that_unit_only(items):
    project = services.claim_need(items["need"], unit=items["unit_a"], quantity=5, by=items["contact_a"])
    assert api_for(items["contact_a"]).get(f"/api/lists/projects/{project.pk}/").status_code == 200
    assert api_for(items["contact_b"]).get(f"/api/lists/projects/{project.pk}/").status_code == 404
    assert api_for(items["staff"]).get(f"/api/lists/projects/{project.pk}/").status_code == 200
    assert api_for(items["staff2"]).get(f"/api/lists/projects/{project.pk}/").status_code == 404
    assert api_for(items["admin"]).get("/api/lists/projects/").json()["count"] == 1


def test_unit_contact_sees_suggestion_and_claims_through_the_page(client, items):
    client.force_login(items["contact_a"])
    page = client.get(reverse("matching:need_list")).content.decode()
    assert 'data-testid="suggestions"' in page and "居民夜间停车" in page
    response = client.post(reverse("matching:need_detail", args=[items["need"].pk]),
                           {"unit": items["unit_a"].pk, "quantity": 20, "resource": items["resource"].pk})
    project = Project.objects.get()
    assert response.status_code == 302 and response.url == project.get_absolute_url()
    # Claiming more than remains: the form shows the field error, nothing is written.
    response = client.post(reverse("matching:need_detail", args=[items["need"].pk]),
                           {"unit": items["unit_a"].pk, "quantity": 1})
    assert response.status_code == 200 and Project.objects.count() == 1
    assert "已关闭或已认领满" in response.content.decode()


def test_need_detail_shows_ranked_suggestions_with_reasons(client, items):
    make_resource(items["conf"], items["unit_b"], items["contact_b"], capacity=5, title="白天车位",
                  daily=(dt.time(8), dt.time(18)))
    client.force_login(items["staff"])
    page = client.get(reverse("matching:need_detail", args=[items["need"].pk])).content.decode()
    section = page.split('data-testid="resource-suggestions"')[1].split('data-testid="projects"')[0]
    assert "夜间错时停车" in section and "白天车位" not in section  # a daytime slot cannot serve a night need
    assert 'data-testid="reasons"' in page
    rows = api_for(items["staff"]).get(f"/api/lists/needs/{items['need'].pk}/suggestions/").json()
    assert rows[0]["resource"] == items["resource"].pk and 0 < rows[0]["score"] <= 1
    assert {"distance_m", "overlap", "capacity", "text"} <= set(rows[0]["reasons"])


def test_api_claim_and_transitions_with_field_errors(items):
    api = api_for(items["contact_a"])
    url = f"/api/lists/needs/{items['need'].pk}/claim/"
    assert api.post(url, {"unit": items["unit_a"].pk, "quantity": 0}, format="json").json().keys() >= {"quantity"}
    assert "unit" in api.post(url, {"unit": items["unit_c"].pk, "quantity": 1}, format="json").json()
    response = api.post(url, {"unit": items["unit_a"].pk, "quantity": 25}, format="json")
    assert response.status_code == 400 and "quantity" in response.json()
    response = api.post(url, {"unit": items["unit_b"].pk, "quantity": 1}, format="json")
    assert response.status_code == 403
    response = api.post(url, {"unit": items["unit_a"].pk, "quantity": 20, "resource": items["resource"].pk},
                        format="json")
    assert response.status_code == 201
    project_id = response.json()["id"]
    staff = api_for(items["staff"])
    t = f"/api/lists/projects/{project_id}/transition/"
    assert staff.post(t, {"action": "start"}, format="json").status_code == 400  # not agreed yet
    assert api.post(t, {"action": "agree"}, format="json").status_code == 403  # the provider cannot agree for both
    assert staff.post(t, {"action": "agree"}, format="json").json()["status"] == "agreed"
    assert api_for(items["contact_b"]).post(t, {"action": "start"}, format="json").status_code == 404
    assert api.post(t, {"action": "start"}, format="json").json()["status"] == "in_progress"
    assert api.post(t, {"action": "complete"}, format="json").json()["status"] == "completed"
    assert "rating" in staff.post(t, {"action": "evaluate", "rating": 9}, format="json").json()
    body = staff.post(t, {"action": "evaluate", "rating": 4, "outcome": "很好"}, format="json").json()
    assert body["status"] == "evaluated" and body["rating"] == 4
    assert staff.post(t, {"action": "agree"}, format="json").status_code == 400


def test_api_create_need_validates_fields(items):
    api = api_for(items["staff"])
    response = api.post("/api/lists/needs/", {
        "conference": items["conf"].pk, "requester_name": "居民区", "title": "x", "category": "parking",
        "quantity": 0, "start": "2026-12-02T10:00:00+08:00", "end": "2026-12-01T10:00:00+08:00", "lat": "95",
        "lng": "121.5"}, format="json")
    assert response.status_code == 400
    assert {"quantity", "lat"} <= set(response.json()) or {"quantity", "end", "lat"} & set(response.json())
    response = api.post("/api/lists/needs/", {
        "conference": items["conf"].pk, "requester_name": "居民区", "title": "青年活动场地", "category": "venue",
        "quantity": 2, "start": "2026-12-01T10:00:00+08:00", "end": "2026-12-31T10:00:00+08:00", "lat": "31.3",
        "lng": "121.5"}, format="json")
    assert response.status_code == 201, response.json()
    # Another street's conference is not found for this user.
    response = api.post("/api/lists/needs/", {
        "conference": items["conf2"].pk, "requester_name": "x", "title": "x", "category": "venue", "quantity": 1,
        "start": "2026-12-01T10:00:00+08:00", "end": "2026-12-31T10:00:00+08:00", "lat": "31.3", "lng": "121.5"},
        format="json")
    assert response.status_code == 400 and "conference" in response.json()


def test_statistics_count_the_year(client, items):
    project = services.claim_need(items["need"], unit=items["unit_a"], quantity=20, by=items["contact_a"])
    for action in ("agree", "start", "complete"):
        project = services.advance(project, action, by=items["staff"] if action == "agree" else items["contact_a"])
    year = timezone.localdate().year
    body = api_for(items["staff"]).get(f"/api/lists/statistics/?year={year}").json()
    assert body["completed_total"] == 1 and body["claimed_total"] == 1
    assert body["needs_total"] == 1 and body["needs_matched"] == 1 and body["matched_share"] == 1.0
    assert body["by_category"][0]["category"] == "parking" and body["by_category"][0]["quantity"] == 20
    assert api_for(items["staff2"]).get(f"/api/lists/statistics/?year={year}").json()["completed_total"] == 0
    assert api_for(items["staff"]).get("/api/lists/statistics/?year=abc").status_code == 400
    client.force_login(items["staff"])
    page = client.get(reverse("matching:statistics") + f"?year={year}").content.decode()
    assert f"{year} 年全年完成项目 1 个" in page
    export = client.get(reverse("matching:statistics") + f"?year={year}&export=xlsx")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_conference_page_shows_current_and_next_chair(client, items):
    today = timezone.localdate()
    ChairTerm.objects.create(conference=items["conf"], unit=items["unit_a"], start=today - dt.timedelta(days=10),
                             end=today + dt.timedelta(days=20))
    ChairTerm.objects.create(conference=items["conf"], unit=items["unit_b"], start=today + dt.timedelta(days=21),
                             end=today + dt.timedelta(days=200))
    current, upcoming = items["conf"].chair_terms_around()
    assert (current.unit, upcoming.unit) == (items["unit_a"], items["unit_b"])
    client.force_login(items["staff"])
    page = client.get(reverse("matching:conference_detail", args=[items["conf"].pk])).content.decode()
    assert "攀达科技" in page and "居民夜间停车" in page  # chair and agenda material
    response = client.post(reverse("matching:rotation", args=[items["conf"].pk]), {
        "start": (today + dt.timedelta(days=30)).isoformat(), "months": 3, "rounds": 1,
        "units": [items["unit_a"].pk, items["unit_street"].pk]})
    assert response.status_code == 302
    terms = list(items["conf"].chair_terms.order_by("start"))
    assert terms[-1].end > terms[-2].end and all(a.end < b.start for a, b in zip(terms, terms[1:], strict=False))
    # Only managers generate rotations.
    client.force_login(items["contact_a"])
    assert client.post(reverse("matching:rotation", args=[items["conf"].pk]), {}).status_code == 403


def test_whole_list_proposals_become_projects(client, items):
    client.force_login(items["staff"])
    page = client.get(reverse("matching:proposals", args=[items["conf"].pk])).content.decode()
    assert "居民夜间停车" in page
    response = client.post(reverse("matching:proposals", args=[items["conf"].pk]),
                           {"pair": [f"{items['need'].pk}:{items['resource'].pk}:20"]})
    assert response.status_code == 302
    project = Project.objects.get()
    assert project.claim_kind == "proposal" and project.resource == items["resource"]
    assert Need.objects.get(pk=items["need"].pk).status == ListStatus.FULL
    client.force_login(items["contact_a"])
    assert client.get(reverse("matching:proposals", args=[items["conf"].pk])).status_code == 403


def test_list_pages_render_and_export(client, items):
    client.force_login(items["admin"])
    for name in ("need_list", "resource_list", "project_list", "conference_list", "statistics"):
        assert client.get(reverse(f"matching:{name}")).status_code == 200, name
    export = client.get(reverse("matching:need_list") + "?export=xlsx")
    assert export.status_code == 200
    for name in ("need_add", "resource_add"):
        assert client.get(reverse(f"matching:{name}")).status_code == 200


def _grow(items, n):
    for i in range(n):
        need = make_need(items["conf"], items["staff"], quantity=3, title=f"批量需求{i}")
        resource = make_resource(items["conf"], items["unit_b"], items["contact_b"], title=f"批量资源{i}")
        services.claim_need(need, unit=items["unit_b"], quantity=1, by=items["contact_b"], resource=resource)


@pytest.mark.parametrize("url", ["/api/lists/needs/", "/api/lists/resources/", "/api/lists/projects/",
                                 "/lists/needs/", "/lists/resources/", "/lists/projects/"])
def test_lists_use_bounded_queries(client, items, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(items["admin"])  # no units of their own: the need list shows no suggestion panel
    _grow(items, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"per_page": 10, "page_size": 10}).status_code == 200
    _grow(items, 12)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url, {"per_page": 50, "page_size": 50}).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


def test_demand_page_moves_the_demand_to_the_needs_list(client, lists):
    from jiceng.demands.models import Category, Demand

    demand = Demand.objects.create(text="希望周边单位夜间开放停车位", place=lists["tree"]["building1"],
                                   requester_name="刘女士", category=Category.objects.get(code="parking_traffic"))
    client.force_login(lists["staff"])
    page = client.get(demand.get_absolute_url()).content.decode()
    assert 'data-testid="to-need"' in page
    form = client.get(reverse("matching:need_from_demand", args=[demand.pk]))
    assert form.status_code == 200 and "希望周边单位夜间开放停车位" in form.content.decode()
    start = timezone.localtime().replace(microsecond=0)
    response = client.post(reverse("matching:need_from_demand", args=[demand.pk]), {
        "conference": lists["conf"].pk, "requester_kind": "residents", "requester_name": "刘女士",
        "title": "夜间停车", "category": "parking", "quantity": 5, "start": start.strftime("%Y-%m-%dT%H:%M"),
        "end": (start + dt.timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"), "lat": "31.3", "lng": "121.5"})
    need = Need.objects.get(demand=demand)
    assert response.status_code == 302 and response.url == need.get_absolute_url()
    assert "已转入需求清单" in client.get(demand.get_absolute_url()).content.decode()


def test_pages_link_only_to_projects_the_reader_may_open(client, items):
    project = services.claim_need(items["need"], unit=items["unit_a"], quantity=5, by=items["contact_a"])
    services.advance(project, "agree", by=items["staff"])
    client.force_login(items["contact_b"])  # same conference, another unit: sees the need, not A's project
    page = client.get(reverse("matching:need_detail", args=[items["need"].pk])).content.decode()
    assert project.get_absolute_url() not in page
    client.force_login(items["staff"])
    page = client.get(project.get_absolute_url()).content.decode()
    assert project.get_absolute_url() in client.get(
        reverse("matching:need_detail", args=[items["need"].pk])).content.decode()
    assert "创建" in page and "确认" in page  # history: the creation and the step, in the reader's language
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(project.get_absolute_url()).content.decode()
    assert "<strong>Confirm</strong>" in page and "<strong>Created</strong>" in page
