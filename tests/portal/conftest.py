import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.activities.models import Activity, ActivityKind
from jiceng.demands import workflow
from jiceng.demands.models import Category, RequesterKind, Service
from jiceng.governance.models import Council, CouncilMember, Seat
from jiceng.stations import services as station_services
from jiceng.stations.models import Duty, StationLevel
from tests import factories as f

NOW = dt.datetime(2026, 5, 12, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def portal(tree, clock):
    return build_portal(tree)


def build_portal(tree):
    """Building 1 in park 1 with a head, a station in the park (with a duty phone), a service, a member, an
    enterprise with its contact, a demand, a public and an internal activity."""
    park, building = tree["park1"], tree["building1"]
    for place, (lat, lng) in ((park, ("31.301200", "121.514100")), (building, ("31.302000", "121.514500"))):
        place.lat, place.lng = Decimal(lat), Decimal(lng)
        place.save()
    station = station_services.save_station(None, name="创智天地党群服务站", located_in=park, lat=Decimal("31.303000"),
                                            lng=Decimal("121.515000"), level=StationLevel.STATION,
                                            phone="021-65550000")
    Duty.objects.create(station=station, weekday="1", name="值班员钱多多", phone="13912345678")
    service = Service.objects.create(station=station.place, code="law-advice", name="法律咨询",
                                     category=Category.objects.first())
    council = Council.objects.create(place=building, name="创智天地1号楼楼事会")
    head = CouncilMember.objects.create(council=council, seat=Seat.objects.order_by("order").first(), name="楼长李明",
                                        title="物业经理", term_start=dt.date(2026, 1, 1))
    Council.objects.filter(pk=council.pk).update(head=head)
    org = f.organization(building, name="创智天地1号楼联合党支部")
    member = f.member(org, name="党员王秘密", phone="13800001111")
    enterprise = f.enterprise(building, name="云启科技", employees=40, contact_name="联系人赵私密",
                              contact_phone="13700002222")
    demand = workflow.submit(text="隐私需求:空调坏了", place=building, requester_name="需求人孙隐",
                             requester_phone="13600003333", requester_kind=RequesterKind.RESIDENT)
    start = timezone.now() + dt.timedelta(days=2)
    public = Activity.objects.create(title="午间微课堂:个税汇算", kind=ActivityKind.MICRO_LECTURE, start=start,
                                     end=start + dt.timedelta(hours=1), station=station.place, place=building,
                                     public=True, capacity=30)
    internal = Activity.objects.create(title="支部内部会议", kind=ActivityKind.OTHER, start=start,
                                       end=start + dt.timedelta(hours=1), organization=org, place=building)
    contact = f.user("contact1", Role.UNIT_CONTACT, enterprise)
    return {
        "tree": tree, "park": park, "building": building, "station": station, "service": service,
        "council": council, "head": head, "member": member, "enterprise": enterprise, "demand": demand,
        "public": public, "internal": internal, "contact": contact,
        "worker": f.user("worker1", Role.BUILDING_WORKER, park),
        "staff2": f.user("staff2", Role.STREET_STAFF, tree["street2"]),
    }
