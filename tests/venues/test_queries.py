"""List pages and endpoints answer with a number of SQL queries that does not grow with the rows shown."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jiceng.venues import services
from jiceng.venues.models import Room
from tests.venues.conftest import api_for, at, next_weekday

pytestmark = pytest.mark.django_db


def add_rows(world, n: int, offset: int) -> None:
    """n rooms and, in the main room, n bookings (every other one approved) on the weekdays of one week."""
    for i in range(n):
        Room.objects.create(place=world["station1"], name=f"房间{offset + i}", capacity=20, equipment=["wifi"])
    monday = next_weekday(1)
    for i in range(n):
        day = monday + dt.timedelta(days=(offset + i) % 5)
        hour = 9 + (offset + i) // 5
        booking = services.request_booking(room=world["room"], start=at(day, hour), end=at(day, hour, 50),
                                           requested_by=world["contact"], purpose=f"活动{offset + i}",
                                           enterprise=world["ent"])
        if i % 2:
            services.approve_booking(booking, by=world["staff"])


def count(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = call()
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["venues:room_list", "venues:booking_list", "venues:my_bookings",
                                  "venues:approvals", "room_detail"])
def test_pages_use_bounded_queries(world, client, name):
    client.force_login(world["staff"])
    url = (reverse("venues:room_detail", args=[world["room"].pk]) if name == "room_detail" else reverse(name))
    params = {"week": next_weekday(1).isoformat()} if name == "room_detail" else {"per_page": 50}
    add_rows(world, 3, 0)
    small = count(lambda: client.get(url, params))
    add_rows(world, 12, 3)
    assert count(lambda: client.get(url, params)) == small


@pytest.mark.parametrize("url", ["/api/venues/rooms/", "/api/venues/bookings/"])
def test_endpoints_use_bounded_queries(world, url):
    api = api_for(world["staff"])
    add_rows(world, 3, 0)
    api.get(url)
    small = count(lambda: api.get(url, {"page_size": 2}))
    add_rows(world, 12, 3)
    assert count(lambda: api.get(url, {"page_size": 30})) == small
