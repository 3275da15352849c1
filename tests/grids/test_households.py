"""Household contacts: assigned once, 50 per member (as data), contact logs, a raised matter as a demand, coverage
per member, grid and street."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jiceng.demands.models import Demand, DemandSource
from jiceng.grids import services
from jiceng.grids.models import ContactLog, ContactWay, GridSettings, HouseholdContact, HouseholdKind
from tests import factories as f

from .conftest import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, 0), tick=False):
        yield


def household(g, name="王记小吃", member=None, **kw):
    h = HouseholdContact(kind=kw.pop("kind", HouseholdKind.BUSINESS), name=name, address=kw.pop("address", "A区12号"),
                         place=kw.pop("place", g["market"]), member=member or g["members"][0], **kw)
    h.full_clean()
    h.save()
    return h


def test_a_household_assigned_twice_is_refused(g):
    household(g)
    with pytest.raises(ValidationError) as exc:
        household(g, member=g["members"][1])
    assert "党员00" in exc.value.message_dict["name"][0]
    assert HouseholdContact.objects.count() == 1


def test_the_same_enterprise_twice_is_refused(g):
    shop = f.enterprise(g["market"], "个体户李记")
    household(g, "李记", enterprise=shop)
    with pytest.raises(ValidationError) as exc:
        household(g, "李记水果", address="B区3号", enterprise=shop, member=g["members"][1])
    assert "enterprise" in exc.value.message_dict


def test_same_name_elsewhere_is_another_household(g):
    household(g)
    household(g, address="B区7号")
    household(g, kind=HouseholdKind.RESIDENTIAL)
    assert HouseholdContact.objects.count() == 3


def test_a_member_holds_at_most_the_quota(g):
    GridSettings.objects.create(households_per_member=3)
    for i in range(3):
        household(g, f"户{i}")
    with pytest.raises(ValidationError) as exc:
        household(g, "户3")
    assert "3 户" in exc.value.message_dict["member"][0]


def test_fifty_per_member_by_default(g):
    HouseholdContact.objects.bulk_create([
        HouseholdContact(kind=HouseholdKind.BUSINESS, name=f"户{i}", address="A区", place=g["market"],
                         street=g["street"], district=g["tree"]["district"], member=g["members"][0])
        for i in range(50)])
    with pytest.raises(ValidationError) as exc:
        household(g, "第五十一户")
    assert "50" in exc.value.message_dict["member"][0]


def test_log_contact_and_turn_the_matter_into_a_demand(g):
    h = household(g)
    log = services.log_contact(h, date=DAY, way=ContactWay.VISIT, raised="门口路灯坏了一个月,晚上收摊看不清",
                               by=g["worker"])
    h.refresh_from_db()
    assert h.last_contact == DAY and log.demand is None
    demand = services.raise_demand(log, by=g["worker"])
    assert demand.source == DemandSource.VISIT and demand.place == g["market"]
    assert "路灯" in demand.text and demand.requester_name == "王记小吃"
    log.refresh_from_db()
    assert log.demand == demand
    with pytest.raises(ValidationError) as exc:
        services.raise_demand(log, by=g["worker"])
    assert "demand" in exc.value.message_dict
    assert Demand.objects.count() == 1


def test_one_step_logging_with_a_demand(g):
    h = household(g)
    log = services.log_contact(h, date=DAY, way=ContactWay.PHONE, raised="希望市场增加垃圾分类点位", to_demand=True,
                               by=g["worker"])
    assert log.demand is not None and log.demand.requester_kind == "resident"


def test_nothing_raised_nothing_to_turn(g):
    log = services.log_contact(household(g), date=DAY, way=ContactWay.WECHAT, by=g["worker"])
    with pytest.raises(ValidationError) as exc:
        services.raise_demand(log)
    assert "raised" in exc.value.message_dict


def test_a_contact_in_the_future_is_refused(g):
    with pytest.raises(ValidationError) as exc:
        services.log_contact(household(g), date=DAY + dt.timedelta(days=1), way=ContactWay.VISIT)
    assert "date" in exc.value.message_dict
    assert ContactLog.objects.count() == 0


def test_coverage_per_member_grid_and_street(g):
    a, b = g["members"][0], g["members"][1]
    hs = [household(g, f"A{i}", member=a, grid=g["grid"]) for i in range(4)]
    hs += [household(g, f"B{i}", member=b) for i in range(2)]
    services.log_contact(hs[0], date=DAY, way=ContactWay.VISIT)
    services.log_contact(hs[0], date=DAY - dt.timedelta(days=1), way=ContactWay.PHONE)  # the same household
    services.log_contact(hs[1], date=DAY - dt.timedelta(days=40), way=ContactWay.VISIT)  # before the period
    services.log_contact(hs[4], date=DAY - dt.timedelta(days=3), way=ContactWay.VISIT)
    start = DAY - dt.timedelta(days=30)
    rows = {r.name: r for r in services.coverage(HouseholdContact.objects.all(), start=start, end=DAY, by="member")}
    assert (rows["党员00"].households, rows["党员00"].contacted, rows["党员00"].rate) == (4, 1, 0.25)
    assert (rows["党员01"].households, rows["党员01"].contacted, rows["党员01"].target) == (2, 1, 50)
    grids = {r.name: r for r in services.coverage(HouseholdContact.objects.all(), start=start, end=DAY, by="grid")}
    assert (grids["第一网格"].households, grids["第一网格"].contacted) == (4, 1)
    assert grids["(未编入网格)"].households == 2
    streets = services.coverage(HouseholdContact.objects.all(), start=start, end=DAY, by="street")
    assert [(r.name, r.households, r.contacted) for r in streets] == [("五角场街道", 6, 2)]


def test_coverage_refuses_a_reversed_period(g):
    with pytest.raises(ValidationError) as exc:
        services.coverage(HouseholdContact.objects.all(), start=DAY, end=DAY - dt.timedelta(days=1))
    assert "from" in exc.value.message_dict
