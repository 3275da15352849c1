"""The screen and its stream: who may open which place, what they show, and that a change reaches the stream."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.signals import request_finished
from django.db import close_old_connections
from django.urls import reverse

from jiceng.accounts.models import Role
from jiceng.demands.models import Category, Demand, DemandStatus
from jiceng.screen import services
from tests.factories import district_tree, organization, user

NOW = dt.datetime(2026, 6, 17, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock):
    tree = district_tree()
    return {**tree,
            "district_admin": user("screen_district", Role.DISTRICT_ADMIN, tree["district"]),
            "street1_staff": user("screen_street1", Role.STREET_STAFF, tree["street1"]),
            "worker": user("screen_worker", Role.BUILDING_WORKER, tree["park1"]),
            "head": user("screen_head", Role.BUILDING_HEAD, tree["building1"]),
            "secretary": user("screen_secretary", Role.ORG_SECRETARY, organization(tree["park1"])),
            "admin": user("screen_admin", superuser=True)}


def screen_data(client, **params) -> tuple[int, dict | None]:
    response = client.get(reverse("screen:screen"), params)
    if response.status_code != 200:
        return response.status_code, None
    return 200, response.context["screen_data"]


@pytest.mark.django_db
def test_the_screen_counts_today_and_this_month_from_the_roll_ups(client, world, clock):
    health = Category.objects.get(code="health")
    Demand.objects.create(text="午间中医咨询", place=world["building1"], category=health)
    clock.shift(dt.timedelta(days=-3))
    Demand.objects.create(text="共享单车乱停", place=world["park1"], status=DemandStatus.CLOSED)
    clock.shift(dt.timedelta(days=3))
    Demand.objects.create(text="另一条街道的需求", place=world["park2"])
    client.force_login(world["street1_staff"])
    status, data = screen_data(client)
    assert status == 200
    assert data["title"] == world["street1"].name
    assert data["demands"]["today"]["total"] == 1
    assert data["demands"]["today"]["by_category"] == [{"key": health.pk, "label": health.label, "value": 1}]
    assert data["demands"]["month"]["total"] == 2
    assert {r["key"]: r["value"] for r in data["demands"]["month"]["by_status"]} == {"submitted": 1, "closed": 1}
    assert sum(r["value"] for r in data["demands"]["month"]["by_day"]) == 2
    assert [r["title"] for r in data["feed"]] == ["午间中医咨询", "共享单车乱停"]
    # The district sees both streets.
    client.force_login(world["district_admin"])
    assert screen_data(client)[1]["demands"]["today"]["total"] == 2
    # The page embeds the data for its script (no inline script: the CSP forbids it).
    page = client.get(reverse("screen:screen")).content.decode()
    assert 'id="screen-data" type="application/json"' in page and "<script>" not in page
    assert "coverage" not in data  # the slow panels come with the stream's first event


@pytest.mark.django_db
@pytest.mark.parametrize("who, place, expected", [
    ("street1_staff", None, 200), ("street1_staff", "street1", 200), ("street1_staff", "park1", 200),
    ("street1_staff", "street2", 404), ("street1_staff", "park2", 404), ("street1_staff", "district", 404),
    ("street1_staff", "building1", 404),  # below the roll-up levels
    ("district_admin", "street2", 200), ("district_admin", "park1", 200),
    ("worker", None, 200), ("worker", "park1", 200), ("worker", "street1", 404),
    ("head", None, 403), ("secretary", None, 403), ("admin", None, 200), ("admin", "park2", 200),
    ("head", "building1", 403), ("secretary", "park1", 403),
])
def test_who_may_open_which_screen(client, world, who, place, expected):
    client.force_login(world[who])
    params = {"place": world[place].pk} if place else {}
    page = client.get(reverse("screen:screen"), params)
    stream = client.get(reverse("screen:stream"), params)
    assert stream.status_code == expected
    if expected == 200:
        stream.close()
        assert page.status_code == 200 and "screen_data" in page.context
    elif place:
        assert page.status_code == expected
    else:
        # The menu's page opens for every role (decision 023) and says why there is no screen; the stream does not.
        assert page.status_code == 200 and "screen_data" not in page.context
        assert "大屏供区、街道工作人员和楼宇工作者使用" in page.content.decode()


@pytest.mark.django_db
def test_bad_place_values_are_not_found(client, world):
    client.force_login(world["admin"])
    for value in ("abc", "99999999", "-1", "1e3"):
        assert client.get(reverse("screen:screen"), {"place": value}).status_code == 404


@pytest.mark.django_db
def test_the_screen_needs_a_login(client, world):
    assert client.get(reverse("screen:screen")).status_code == 302
    assert client.get(reverse("screen:stream")).status_code == 302


def close(response) -> None:
    """Close a stream read only in part, as the test client does for one read to its end: without the request's
    end closing the test's database connection (on PostgreSQL it is inside the test's transaction)."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def read_events(response) -> list[str]:
    """Every chunk the (bounded, SCREEN_STREAM_SECONDS in the test settings) stream sends until it ends."""
    chunks = [chunk.decode() for chunk in response.streaming_content]
    close(response)
    return chunks


# Committing tests: a stream's end closes the request's database connection, which on PostgreSQL would end the
# transaction a plain test runs in.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_stream_sends_the_data_at_once_and_then_only_on_a_change_in_its_places(client, world):
    client.force_login(world["street1_staff"])
    response = client.get(reverse("screen:stream"))
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["X-Accel-Buffering"] == "no" and "no-cache" in response["Cache-Control"]
    chunks = iter(response.streaming_content)
    assert next(chunks).decode() == "retry: 1000\n\n"
    first = next(chunks).decode()  # no Last-Event-ID: the current data at once
    assert first.startswith("id: ") and "\ndata: " in first
    version = int(first.split("\n")[0][4:])
    close(response)

    # Another street's demand: nothing for street 1 (its version did not move), until the stream ends.
    Demand.objects.create(text="另一条街道的需求", place=world["park2"])
    quiet = read_events(client.get(reverse("screen:stream"), HTTP_LAST_EVENT_ID=str(version)))
    assert quiet[0].startswith("retry:") and not any("data:" in c for c in quiet)

    # A demand in street 1: an event with the new counts.
    Demand.objects.create(text="路灯坏了", place=world["building1"])
    events = [c for c in read_events(client.get(reverse("screen:stream"), HTTP_LAST_EVENT_ID=str(version)))
              if "data:" in c]
    assert len(events) == 1
    data = json.loads(events[0].split("data: ", 1)[1])
    assert data["version"] > version and data["demands"]["today"]["total"] == 1
    assert data["feed"][0]["title"] == "路灯坏了"


@pytest.mark.django_db
def test_a_change_reaches_an_open_stream(client, world):
    """Within the same stream: the poll sees the new version and sends it."""
    client.force_login(world["street1_staff"])
    target = services.target_for(world["street1_staff"])
    response = client.get(reverse("screen:stream"), HTTP_LAST_EVENT_ID=str(services.version(target)))
    chunks = iter(response.streaming_content)
    next(chunks)  # retry
    Demand.objects.create(text="路灯坏了", place=world["park1"])
    event = next(chunks).decode()
    close(response)
    assert "data: " in event and json.loads(event.split("data: ", 1)[1])["demands"]["today"]["total"] == 1


@pytest.mark.django_db
def test_the_panels_count_the_places_enterprises_and_party(world):
    from tests.factories import cover, enterprise, member

    org = organization(world["park1"])
    ent = enterprise(world["building1"])
    cover(org, ent)
    enterprise(world["park1"])
    enterprise(world["park2"])
    member(org)
    data = services.screen_data(services.target_for(world["street1_staff"]))
    assert data["coverage"]["enterprises"] == 2 and data["coverage"]["org_covered"] == 1
    assert data["coverage"]["org_rate"] == 0.5
    # The secretary's branch (the fixture) and this one.
    assert data["party"]["organizations"] == 2 and data["party"]["members"] == 1
    assert sum(data["colours"]["totals"]) == 2
    assert [a["name"] for a in data["colours"]["areas"]] == [world["park1"].name]
