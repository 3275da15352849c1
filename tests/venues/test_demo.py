"""Demo venues: rooms in the demo park's station and a few bookings; loading twice changes nothing."""

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.places.models import PlaceKind
from jiceng.venues import demo
from jiceng.venues.models import Booking, Room
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_demo_load_is_idempotent(tree):
    f.place("五角场青年社区党群服务站", PlaceKind.STATION, tree["street1"])
    panda = f.enterprise(tree["building1"], "上海攀达信息科技有限公司")
    branch = f.organization(tree["park1"], "攀达科技党支部")
    users = {
        "unit_contact": f.user("unit_contact", Role.UNIT_CONTACT, panda),
        "org_secretary": f.user("org_secretary", Role.ORG_SECRETARY, branch),
        "building_worker": f.user("building_worker", Role.BUILDING_WORKER, tree["park1"]),
        "street_staff": f.user("street_staff", Role.STREET_STAFF, tree["street1"]),
    }
    said: list[str] = []
    demo.load(users, timezone.localdate(), said.append)
    rooms = set(Room.objects.values_list("place__name", "name"))
    assert rooms == {("创智天地党群服务站", "多功能厅"), ("创智天地党群服务站", "党员活动室"),
                     ("创智天地党群服务站", "洽谈室"), ("五角场青年社区党群服务站", "青年学堂")}
    statuses = sorted(Booking.objects.values_list("status", flat=True))
    assert statuses == ["approved"] * 4 + ["requested"]
    assert Booking.objects.get(status="requested").enterprise == panda
    assert any("阵地共享" in line for line in said)

    demo.load(users, timezone.localdate(), said.append)
    assert Room.objects.count() == 4 and Booking.objects.count() == 5


def test_demo_without_the_demo_park_does_nothing(db):
    demo.load({}, timezone.localdate())
    assert not Room.objects.exists()
