import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.places.models import PlaceKind
from jiceng.venues.models import Room
from tests import factories as f


def next_weekday(weekday: int = 2, weeks: int = 1) -> dt.date:
    """A date `weeks` weeks ahead on ISO `weekday` (default Tuesday), never a public holiday in these tests."""
    today = timezone.localdate()
    day = today + dt.timedelta(days=7 * weeks)
    return day + dt.timedelta(days=(weekday - day.isoweekday()) % 7)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


@pytest.fixture
def world(tree):
    """A station in each street with a room; managers, readers and borrowers in both streets."""
    station1 = f.place("创智天地党群服务站", PlaceKind.STATION, tree["park1"])
    station2 = f.place("殷行党群服务站", PlaceKind.STATION, tree["street2"])
    room = Room.objects.create(place=station1, name="多功能厅", capacity=40, equipment=["projector", "microphone"],
                               closed_on_holidays=False)
    other_room = Room.objects.create(place=station2, name="会议室", capacity=12, closed_on_holidays=False)
    ent = f.enterprise(tree["building1"], "攀达科技")
    other_ent = f.enterprise(tree["building2"], "殷行贸易")
    org = f.organization(tree["park1"], "攀达科技党支部")
    member = f.member(org, "张三")
    return {
        "tree": tree, "station1": station1, "station2": station2, "room": room, "other_room": other_room,
        "ent": ent, "other_ent": other_ent, "org": org,
        "staff": f.user("staff1", Role.STREET_STAFF, tree["street1"]),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
        "worker": f.user("worker1", Role.BUILDING_WORKER, tree["park1"]),
        "head": f.user("head1", Role.BUILDING_HEAD, tree["building1"]),
        "admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
        "contact": f.user("contact", Role.UNIT_CONTACT, ent),
        "contact2": f.user("contact2", Role.UNIT_CONTACT, other_ent),
        "secretary": f.user("secretary", Role.ORG_SECRETARY, org),
        "member": f.user("member", Role.MEMBER, member),
        "nobody": f.user("nobody"),
    }


def api_for(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api
