"""The signed-in user's row, scope and unread count kept across requests (decision 083): read once, retired by
every write they are made of as soon as it commits, never handed out under a dropped stamp."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.cache import caches
from django.db import connection
from django.db.models.signals import post_migrate
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token

from jiceng.accounts.identity import load_identity
from jiceng.accounts.models import Role, RoleAssignment
from jiceng.accounts.notify import notify
from jiceng.core.reuse import KeptByPart, Reused
from jiceng.organizations.models import OrgKind
from tests import factories as f

KEPT = ("sessions", "shared", "kept")


@pytest.fixture
def kept(settings):
    """Identities kept as in production, in caches emptied before and after."""
    settings.JICENG = {**settings.JICENG, "IDENTITY_SECONDS": 300}
    for alias in KEPT:
        caches[alias].clear()
    yield
    for alias in KEPT:
        caches[alias].clear()


@pytest.fixture
def world(db):
    tree = f.district_tree()
    e1 = f.enterprise(tree["building1"], "攀达科技")
    e2 = f.enterprise(tree["building2"], "殷行贸易")
    staff = f.user("staff", Role.STREET_STAFF, tree["street1"])
    return {"tree": tree, "e1": e1, "e2": e2, "staff": staff}


def tables_read(queries) -> set[str]:
    return {table for q in queries for table in ("django_session", "auth_user", "accounts_roleassignment",
                                                 "accounts_notification") if f'FROM "{table}"' in q["sql"]}


def test_a_second_page_reads_no_session_user_roles_or_notifications(client, world, kept):
    client.force_login(world["staff"])
    url = world["e1"].get_absolute_url()
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    caches["kept"].clear()  # as after a restart of the cache: read again, from the database
    with CaptureQueriesContext(connection) as again:
        assert client.get(url).status_code == 200
    assert tables_read(first) == set()
    assert tables_read(again) == {"auth_user", "accounts_roleassignment", "accounts_notification"}
    # The session is in the database too: without its cached copy the user is still signed in.
    caches["sessions"].clear()
    assert client.get(url).status_code == 200


def test_a_role_taken_away_or_given_counts_from_the_next_request(client, world, kept,
                                                                 django_capture_on_commit_callbacks):
    staff = world["staff"]
    client.force_login(staff)
    mine, other = world["e1"].get_absolute_url(), world["e2"].get_absolute_url()
    assert client.get(mine).status_code == 200 and client.get(other).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        RoleAssignment.objects.create(user=staff, role=Role.BUILDING_WORKER, place=world["tree"]["building2"])
    assert client.get(other).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        RoleAssignment.objects.filter(user=staff, role=Role.STREET_STAFF).delete()
    assert client.get(mine).status_code == 404 and client.get(other).status_code == 200


def test_a_role_handed_to_another_user_leaves_the_first_at_once(client, world, kept,
                                                               django_capture_on_commit_callbacks):
    staff, other = world["staff"], f.user("other")
    client.force_login(staff)
    url = world["e1"].get_absolute_url()
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assignment = RoleAssignment.objects.get(user=staff)
        assignment.user = other  # as the admin site allows
        assignment.save()
    assert client.get(url).status_code == 404
    client.force_login(other)
    assert client.get(url).status_code == 200


def test_a_deactivated_user_or_a_changed_password_signs_out(client, world, kept, django_capture_on_commit_callbacks):
    staff = world["staff"]
    client.force_login(staff)
    url = world["e1"].get_absolute_url()
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        staff.set_password("another-pass-678")
        staff.save()
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(staff)
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        staff.is_active = False
        staff.save()
    assert client.get(url).status_code == 302


def test_the_unread_count_follows_notifications_made_and_read(client, world, kept,
                                                              django_capture_on_commit_callbacks):
    staff = world["staff"]
    client.force_login(staff)
    assert client.get("/").context["unread_notifications"] == 0
    with django_capture_on_commit_callbacks(execute=True):
        notify([staff], "demand.resolved", {"t": "电梯维修"})  # made in bulk: no signal of its own
    assert client.get("/").context["unread_notifications"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/demands/notifications/")  # all read, in one update
    assert client.get("/").context["unread_notifications"] == 0


def test_a_moved_subtree_moves_the_scopes_granted_on_it(client, world, kept, django_capture_on_commit_callbacks):
    tree = world["tree"]
    worker = f.user("worker", Role.BUILDING_WORKER, tree["building1"])
    client.force_login(worker)
    url = world["e1"].get_absolute_url()
    assert client.get(url).status_code == 200
    # The building moves to the other street: its path (the worker's grant) changes.
    with django_capture_on_commit_callbacks(execute=True):
        building = tree["building1"]
        building.parent = tree["street2"]
        building.save()
    assert load_identity(worker.pk).scope.place_paths == {type(building).objects.get(pk=building.pk).path}
    assert client.get(url).status_code == 200
    # An organization moved under another: its secretary's grant follows its new path.
    committee = f.organization(tree["street1"], "街道综合党委", kind=OrgKind.COMMITTEE)
    branch = f.organization(tree["building2"], "殷行贸易党支部")
    member = f.member(branch, "李四")
    secretary = f.user("secretary", Role.ORG_SECRETARY, branch)
    client.force_login(secretary)
    assert client.get(member.get_absolute_url()).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        branch.parent = committee
        branch.save()
    branch.refresh_from_db()
    assert load_identity(secretary.pk).scope.org_paths == {branch.path}
    assert client.get(member.get_absolute_url()).status_code == 200


def test_the_api_reads_the_kept_scope_and_follows_role_changes(client, world, kept,
                                                              django_capture_on_commit_callbacks):
    staff = world["staff"]
    token = Token.objects.create(user=staff)
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    client.get("/api/enterprises/", **headers)
    with CaptureQueriesContext(connection) as queries:
        names = [row["name"] for row in client.get("/api/enterprises/", **headers).json()["results"]]
    assert names == ["攀达科技"] and "accounts_roleassignment" not in tables_read(queries)
    with django_capture_on_commit_callbacks(execute=True):
        RoleAssignment.objects.filter(user=staff).delete()
    assert client.get("/api/enterprises/", **headers).json()["results"] == []


def test_a_dropped_stamp_never_brings_an_older_result_back(db, kept, django_capture_on_commit_callbacks):
    kept_results = KeptByPart("probe")
    assert kept_results.get_or_compute(["part"], (), lambda: "first", 60) == "first"
    assert kept_results.get_or_compute(["part"], (), lambda: "again", 60) == "first"
    with django_capture_on_commit_callbacks(execute=True):
        kept_results.touch(["part"])
    assert kept_results.get_or_compute(["part"], (), lambda: "second", 60) == "second"
    # The full cache drops the stamp: the part gets a new one, and neither result is handed out again.
    caches["shared"].delete("kept:probe:part")
    assert kept_results.get_or_compute(["part"], (), lambda: "third", 60) == "third"


def test_a_migrate_or_flush_forgets_what_was_kept(db, kept):
    for alias in KEPT:
        caches[alias].set("probe", 1)
    post_migrate.send(sender=apps.get_app_config("contenttypes"), app_config=apps.get_app_config("contenttypes"),
                      verbosity=0, interactive=False, using="default", apps=apps, plan=[])
    assert all(caches[alias].get("probe") is None for alias in KEPT)


def test_a_dropped_version_never_brings_a_result_kept_in_a_process_back(db, kept):
    reused = Reused("probe")
    assert reused.get_or_compute(("part",), lambda: "first", 60) == "first"
    assert reused.get_or_compute(("part",), lambda: "again", 60) == "first"
    caches["shared"].clear()  # a full cache or forget_kept: the version is gone
    assert reused.get_or_compute(("part",), lambda: "second", 60) == "second"
