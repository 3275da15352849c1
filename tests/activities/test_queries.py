"""List pages and list endpoints answer with a bounded number of queries, whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jiceng.activities import services
from jiceng.activities.models import Activity, Club, ClubMembership

from .conftest import api_for, make_activity

pytestmark = pytest.mark.django_db


def grow(world, n: int) -> None:
    club = Club.objects.create(name=f"社团{Club.objects.count()}", place=world["tree"]["park1"],
                               organization=world["branch"])
    ClubMembership.objects.create(club=club, member=world["m1"])
    for i in range(n):
        activity = make_activity(world["branch"], start=timezone.now() + dt.timedelta(days=2, hours=i),
                                 title=f"活动{Activity.objects.count()}")
        services.sign_up(activity, member=world["m1"])
        Activity.objects.create(title=f"社团活动{i}", kind="club_activity", club=club,
                                start=activity.start, end=activity.end)


def count(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx)


@pytest.mark.parametrize("user", ["u1", "secretary", "staff"])
def test_bounded(client, world, user):
    client.force_login(world[user])

    def api():
        # A fresh user object each time: the scope is cached per user object, as it is per request.
        return api_for(type(world[user]).objects.get(pk=world[user].pk))

    pages = [
        lambda: client.get(reverse("activities:activity_list")),
        lambda: client.get(reverse("activities:activity_list"), {"mine": "on", "kind": "theme_day"}),
        lambda: client.get(reverse("activities:calendar")),
        lambda: client.get(reverse("activities:club_list")),
        lambda: client.get(reverse("activities:mine")),
        lambda: client.get(reverse("activities:compliance")),
        lambda: api().get("/api/activities/activities/"),
        lambda: api().get("/api/activities/signups/"),
        lambda: api().get("/api/activities/clubs/"),
        lambda: api().get("/api/activities/compliance/"),
    ]
    grow(world, 2)
    small = [count(page) for page in pages]
    grow(world, 12)
    assert [count(page) for page in pages] == small
