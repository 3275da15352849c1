"""Who sees and manages which rooms and bookings: out of scope is 404 on detail and absent from lists."""

import pytest
from django.urls import reverse

from jiceng.venues import services
from jiceng.venues.models import Booking, Room
from tests.venues.conftest import api_for, at, next_weekday

pytestmark = pytest.mark.django_db

# Rooms readable per user: the street of their place, enterprise, organization or member record.
ROOMS_SEEN = {
    "admin": {"多功能厅", "会议室"},
    "staff": {"多功能厅"},
    "staff2": {"会议室"},
    "worker": {"多功能厅"},
    "head": {"多功能厅"},
    "contact": {"多功能厅"},
    "contact2": {"会议室"},
    "secretary": {"多功能厅"},
    "member": {"多功能厅"},
    "nobody": set(),
}
ROOMS_MANAGED = {"admin": {"多功能厅", "会议室"}, "staff": {"多功能厅"}, "staff2": {"会议室"}, "worker": {"多功能厅"}}


@pytest.mark.parametrize("user", sorted(ROOMS_SEEN))
def test_room_visibility_and_management(world, user, client):
    u = world[user]
    assert set(Room.objects.restrict(u).values_list("name", flat=True)) == ROOMS_SEEN[user]
    assert set(Room.objects.managed_by(u).values_list("name", flat=True)) == ROOMS_MANAGED.get(user, set())
    client.force_login(u)
    for room in (world["room"], world["other_room"]):
        expected = 200 if room.name in ROOMS_SEEN[user] else 404
        assert client.get(reverse("venues:room_detail", args=[room.pk])).status_code == expected
        assert api_for(u).get(f"/api/venues/rooms/{room.pk}/").status_code == expected
        assert client.get(reverse("venues:booking_create", args=[room.pk])).status_code == expected
    listed = {r["name"] for r in api_for(u).get("/api/venues/rooms/").json()["results"]}
    assert listed == ROOMS_SEEN[user]
    page = client.get(reverse("venues:room_list")).content.decode()
    assert ("会议室" in page) == ("会议室" in ROOMS_SEEN[user])


def test_superuser_sees_and_manages_all(world):
    from tests import factories as f

    root = f.user("root", superuser=True)
    assert Room.objects.restrict(root).count() == 2 == Room.objects.managed_by(root).count()


def test_street_of_a_unit_located_at_district_level(world):
    """An organization placed at the district itself (no street) reads rooms across its district."""
    from jiceng.accounts.models import Role
    from tests import factories as f

    org = f.organization(world["tree"]["district"], "区级机关党委")
    secretary = f.user("district_secretary", Role.ORG_SECRETARY, org)
    assert Room.objects.restrict(secretary).count() == 2


@pytest.fixture
def bookings(world):
    day = next_weekday()
    made = {
        "contact": services.request_booking(room=world["room"], start=at(day, 10), end=at(day, 11),
                                            requested_by=world["contact"], purpose="单位活动",
                                            enterprise=world["ent"]),
        "secretary": services.request_booking(room=world["room"], start=at(day, 12), end=at(day, 13),
                                              requested_by=world["secretary"], purpose="支部活动",
                                              organization=world["org"]),
        "member": services.request_booking(room=world["room"], start=at(day, 14), end=at(day, 15),
                                           requested_by=world["member"], purpose="党员自荐活动"),
        "contact2": services.request_booking(room=world["other_room"], start=at(day, 10), end=at(day, 11),
                                             requested_by=world["contact2"], purpose="殷行活动"),
    }
    return made


BOOKINGS_SEEN = {
    "admin": {"contact", "secretary", "member", "contact2"},
    "staff": {"contact", "secretary", "member"},
    "worker": {"contact", "secretary", "member"},
    "staff2": {"contact2"},
    "head": set(),  # the station is in the park, not in the head's building
    "contact": {"contact"},
    "contact2": {"contact2"},
    "secretary": {"secretary"},
    "member": {"member"},
    "nobody": set(),
}


@pytest.mark.parametrize("user", sorted(BOOKINGS_SEEN))
def test_booking_visibility(world, bookings, user, client):
    u = world[user]
    seen = {key for key, b in bookings.items() if Booking.objects.restrict(u).filter(pk=b.pk).exists()}
    assert seen == BOOKINGS_SEEN[user]
    client.force_login(u)
    api = api_for(u)
    listed = {b["id"] for b in api.get("/api/venues/bookings/").json()["results"]}
    assert listed == {bookings[k].pk for k in BOOKINGS_SEEN[user]}
    page = client.get(reverse("venues:booking_list")).content.decode()
    for key, booking in bookings.items():
        expected = 200 if key in BOOKINGS_SEEN[user] else 404
        assert client.get(booking.get_absolute_url()).status_code == expected
        assert api.get(f"/api/venues/bookings/{booking.pk}/").status_code == expected
        assert (f'data-booking="{booking.pk}"' in page) == (key in BOOKINGS_SEEN[user])
        if expected == 404:
            assert api.post(f"/api/venues/bookings/{booking.pk}/approve/").status_code == 404
            assert client.post(reverse("venues:booking_action", args=[booking.pk, "cancel"])).status_code == 404


def test_anonymous_gets_nothing(world, bookings, client):
    assert client.get(reverse("venues:room_list")).status_code == 302
    assert client.get(reverse("venues:room_detail", args=[world["room"].pk])).status_code == 302
    assert client.get("/api/venues/rooms/").status_code in (401, 403)
    assert client.get("/api/venues/bookings/").status_code in (401, 403)
