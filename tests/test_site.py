"""Site-wide behaviour: health check, login throttling, tokens, OpenAPI, language, bounded queries."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from tests import factories as f


def test_healthz(client, db):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json()["database"] == "ok"


def test_login_is_throttled_after_repeated_failures(client, db, settings):
    f.user("victim")
    for _ in range(settings.LOGIN_MAX_FAILURES):
        r = client.post(reverse("accounts:login"), {"username": "victim", "password": "wrong"})
        assert r.status_code == 200
    # Even the right password is refused while locked out.
    r = client.post(reverse("accounts:login"), {"username": "victim", "password": "pass-12345"})
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    assert "秒后再试" in r.content.decode()


def test_login_works(client, db):
    f.user("ok_user")
    r = client.post(reverse("accounts:login"), {"username": "ok_user", "password": "pass-12345"})
    assert r.status_code == 302


def test_token_command_prints_token_on_last_line(db, capsys):
    u = f.user("scripter")
    call_command("token", "scripter")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/places/").status_code == 200
    assert u.auth_token.key == key


def test_openapi_schema_and_docs(client, db):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/members/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_english_translation(client, tree):
    client.force_login(f.user("en", Role.DISTRICT_ADMIN, tree["district"]))
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("members:member_list")).content.decode()
    assert "Members" in page and "Export Excel" in page


def make_rows(tree, n):
    org = f.organization(tree["park1"])
    for i in range(n):
        ent = f.enterprise(tree["building1"], f"批量企业{i}")
        f.cover(org, ent)
        f.member(org, f"党员{i}", employer=ent)


@pytest.mark.parametrize("url", ["/api/enterprises/", "/api/members/", "/api/organizations/", "/api/places/"])
def test_list_endpoints_use_bounded_queries(tree, url):
    user = f.user("counter", Role.DISTRICT_ADMIN, tree["district"])
    api = APIClient()
    api.force_authenticate(user)
    make_rows(tree, 3)
    api.get(url)  # warm-up: the user's scope is cached on the user object after the first request
    with CaptureQueriesContext(connection) as small:
        assert api.get(url, {"page_size": 2}).status_code == 200
    make_rows(tree, 12)
    with CaptureQueriesContext(connection) as large:
        assert api.get(url, {"page_size": 30}).status_code == 200
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]


@pytest.mark.parametrize("name", ["enterprises:enterprise_list", "members:member_list",
                                  "organizations:organization_list", "places:place_list"])
def test_list_pages_use_bounded_queries(client, tree, name):
    client.force_login(f.user("counter_ui", Role.DISTRICT_ADMIN, tree["district"]))
    make_rows(tree, 3)
    with CaptureQueriesContext(connection) as small:
        client.get(reverse(name), {"per_page": 10})
    make_rows(tree, 15)
    with CaptureQueriesContext(connection) as large:
        client.get(reverse(name), {"per_page": 50})
    assert len(large) == len(small)


def test_chinese_by_default_even_for_english_browsers(client, tree):
    client.force_login(f.user("zh", Role.DISTRICT_ADMIN, tree["district"]))
    page = client.get(reverse("members:member_list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "导出 Excel" in page


def test_token_command_replaces_a_token(db, capsys):
    f.user("scripter")
    call_command("token", "scripter")
    old = capsys.readouterr().out.strip().splitlines()[-1]
    call_command("token", "scripter")
    assert capsys.readouterr().out.strip().splitlines()[-1] == old  # the same key until replaced
    call_command("token", "scripter", "--replace")
    new = capsys.readouterr().out.strip().splitlines()[-1]
    assert new != old
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert api.get("/api/places/").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert api.get("/api/places/").status_code == 200
