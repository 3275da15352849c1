"""List filters choose places, organizations, enterprises and members by name: the search endpoint and the
chosen option's label stay inside the user's scope; yes/no and choice filters start at "全部"; ids still work."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.core import choosers
from jiceng.places.models import PlaceKind
from tests import factories as f


@pytest.fixture
def world(tree):
    a_org = f.organization(tree["park1"], "甲支部")
    b_org = f.organization(tree["park2"], "乙支部")
    a_ent = f.enterprise(tree["building1"], "攀达科技")
    b_ent = f.enterprise(tree["building2"], "攀峰贸易")
    return {
        "tree": tree, "a_org": a_org, "b_org": b_org, "a_ent": a_ent, "b_ent": b_ent,
        "a_mem": f.member(a_org, "张三", employer=a_ent), "b_mem": f.member(b_org, "张珊", employer=b_ent),
        "staff_a": f.user("staff_a", Role.STREET_STAFF, tree["street1"]),
        "admin": f.user("district", Role.DISTRICT_ADMIN, tree["district"]),
        "member_user": None,
    }


def names(client, kind, **params):
    r = client.get(reverse("choices", args=[kind]), params)
    assert r.status_code == 200, r.content
    assert r["Content-Type"] == "application/json" and "no-store" in r["Cache-Control"]
    return [row["label"] for row in r.json()["results"]]


# --- the endpoint: only names in scope --------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_street_officer_never_gets_another_streets_names(client, world):
    tree = world["tree"]
    client.force_login(world["staff_a"])
    assert names(client, "place", kinds="street") == [f"{tree['street1'].name} · {tree['district'].name}"]
    assert names(client, "place", q="殷行") == []  # street 2, its park and building: not theirs
    assert names(client, "enterprise", q="攀") == ["攀达科技"]
    assert names(client, "organization") == ["甲支部 · 五角场街道"]
    assert names(client, "member", q="张") == ["张三 · 甲支部"]
    # The district sees both streets.
    client.force_login(world["admin"])
    assert len(names(client, "place", kinds="street")) == 2
    assert names(client, "enterprise", q="攀") == ["攀峰贸易", "攀达科技"]


@pytest.mark.django_db
def test_search_matches_names_codes_and_pinyin(client, world):
    client.force_login(world["admin"])
    assert names(client, "enterprise", q="pd") == ["攀达科技"]  # initials anywhere in a company name
    assert names(client, "enterprise", q=world["b_ent"].credit_code) == ["攀峰贸易"]
    assert names(client, "member", q="zs") == ["张三 · 甲支部", "张珊 · 乙支部"]
    assert names(client, "place", q="1号楼") == [f"{world['tree']['building1'].name} · 创智天地"]
    assert names(client, "place", kinds="district") == ["杨浦区"]


@pytest.mark.django_db
def test_results_are_bounded(client, world):
    for n in range(choosers.RESULTS + 5):
        f.place(f"楼{n:02d}", PlaceKind.BUILDING, world["tree"]["park1"])
    client.force_login(world["staff_a"])
    assert len(names(client, "place", q="楼")) == choosers.RESULTS


@pytest.mark.django_db
def test_a_member_sees_no_enterprise_names_beyond_their_scope(client, world):
    member_user = f.user("zs", Role.MEMBER, world["a_mem"])
    client.force_login(member_user)
    from jiceng.enterprises.models import Enterprise

    visible = {e.name for e in Enterprise.objects.restrict(member_user)}
    assert set(names(client, "enterprise")) == visible and "攀峰贸易" not in visible


@pytest.mark.django_db
def test_endpoint_refuses_strangers_unknown_kinds_and_bad_input(client, world):
    url = reverse("choices", args=["place"])
    assert client.get(url, {"q": "殷行"}).status_code == 403  # not signed in: no names at all
    client.force_login(world["staff_a"])
    assert client.get(reverse("choices", args=["user"])).status_code == 404
    r = client.get(url, {"kinds": "street,castle"})
    assert r.status_code == 400 and "kinds" in r.json()["error"]
    assert client.get(url, {"q": "x" * 5000}).status_code == 200  # long input is cut, not an error


# --- the filters on the list pages ------------------------------------------------------------------------------
def select_html(page: str, name: str) -> str:
    return re.search(rf'<select name="{name}"[^>]*>.*?</select>', page, re.S).group(0)


@pytest.mark.django_db
def test_the_chosen_street_is_shown_by_name_and_still_filters_by_id(client, world):
    tree = world["tree"]
    client.force_login(world["admin"])
    page = client.get(reverse("enterprises:enterprise_list"), {"street": tree["street1"].pk}).content.decode()
    street = select_html(page, "street")
    assert 'data-chooser="/choices/place/?kinds=street"' in street
    assert f'<option value="{tree["street1"].pk}" selected>五角场街道 · 杨浦区</option>' in street
    assert "攀达科技" in page and "攀峰贸易" not in page
    assert "街道 ID" not in page and "区 ID" not in page


@pytest.mark.django_db
def test_an_id_outside_the_scope_is_never_named(client, world):
    tree = world["tree"]
    client.force_login(world["staff_a"])
    page = client.get(reverse("enterprises:enterprise_list"), {"street": tree["street2"].pk}).content.decode()
    pk = tree["street2"].pk
    assert f'<option value="{pk}" selected>#{pk}</option>' in select_html(page, "street")
    assert "殷行" not in page
    page = client.get(reverse("members:member_list"), {"employer": world["b_ent"].pk}).content.decode()
    assert "攀峰贸易" not in page and "张珊" not in page


LIST_FILTERS = [
    ("places:place_list", ("parent", "street", "district")),
    ("organizations:organization_list", ("parent", "street", "district")),
    ("enterprises:enterprise_list", ("street", "district", "place")),
    ("members:member_list", ("organization", "employer", "street")),
    ("members:application_list", ("organization",)),
    ("members:transfer_list", ("member",)),
    ("members:work_list", ("member", "organization")),
    ("demands:demand_list", ("place", "street", "department")),
    ("demands:visit_list", ("enterprise",)),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "fields"), LIST_FILTERS)
def test_every_list_filter_chooses_by_name(client, world, url_name, fields):
    client.force_login(world["admin"])
    page = client.get(reverse(url_name)).content.decode()
    assert " ID</label>" not in page and "ID(" not in page
    for name in fields:
        assert "data-chooser=" in select_html(page, name), name


@pytest.mark.django_db
def test_yes_no_and_choice_filters_start_at_all(client, world):
    client.force_login(world["admin"])
    page = client.get(reverse("members:member_list")).content.decode()
    for name in ("is_mobile", "left", "status", "gender"):
        first = re.search(r"<option[^>]*>([^<]*)</option>", select_html(page, name)).group(0)
        assert first == '<option value="" selected>全部</option>', name
    assert "未知" not in page and "---------" not in page
    assert re.findall(r"<option[^>]*>([^<]*)</option>", select_html(page, "is_mobile")) == ["全部", "是", "否"]


@pytest.mark.django_db
def test_yes_no_values_in_links_still_filter(client, world):
    f.member(world["a_org"], "李四", is_mobile=True)
    client.force_login(world["admin"])
    page = client.get(reverse("members:member_list"), {"is_mobile": "true"}).content.decode()
    assert "李四" in page and "张三" not in page
    assert '<option value="true" selected>是</option>' in select_html(page, "is_mobile")


@pytest.mark.django_db
def test_the_api_takes_the_same_ids(world):
    api = APIClient()
    api.force_authenticate(world["admin"])
    r = api.get("/api/enterprises/", {"street": world["tree"]["street2"].pk})
    assert r.status_code == 200 and [row["name"] for row in r.json()["results"]] == ["攀峰贸易"]
    r = api.get("/api/members/", {"organization": world["a_org"].pk})
    assert [row["name"] for row in r.json()["results"]] == ["张三"]
    assert api.get("/api/enterprises/", {"street": "abc"}).status_code == 400
