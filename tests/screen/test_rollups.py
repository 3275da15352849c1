"""The demand roll-ups stay equal to a recount from the demands table after any sequence of writes."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.demands import workflow
from jiceng.demands.models import Category, Demand, DemandStatus
from jiceng.places.models import Place, PlaceKind
from jiceng.screen import rollups
from jiceng.screen.models import DemandRollup, FeedEntry, RollupStamp
from tests.factories import place, user

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 5, 31, 23, 30, tzinfo=SHANGHAI)  # half an hour before a new day and a new month
STATUSES = list(DemandStatus.values)


def recount() -> list[tuple]:
    """The roll-ups recounted from scratch, independently of jiceng.screen.rollups: every demand counts for each
    place above it (itself included) at depth 0–2, found by walking the parents."""
    counts: Counter = Counter()
    for demand in Demand.objects.select_related("place"):
        day = timezone.localdate(demand.created)
        node = demand.place
        while node is not None:
            if node.depth <= 2:
                counts[(node.pk, day, demand.category_id or 0, demand.status)] += 1
            node = node.parent
    return sorted((*key, n) for key, n in counts.items())


@pytest.fixture
def world(db):
    d1 = place("杨浦区", PlaceKind.DISTRICT)
    d2 = place("黄浦区", PlaceKind.DISTRICT)
    s1 = place("五角场街道", PlaceKind.STREET, d1)
    s2 = place("殷行街道", PlaceKind.STREET, d1)
    s3 = place("豫园街道", PlaceKind.STREET, d2)
    p1 = place("创智天地", PlaceKind.PARK, s1)
    p2 = place("殷行园区", PlaceKind.PARK, s2)
    b1 = place("创智天地1号楼", PlaceKind.BUILDING, p1)
    u1 = place("创智天地1号楼3层", PlaceKind.UNIT, b1)
    places = [d1, s1, s2, s3, p1, p2, b1, u1]
    return {"places": places, "streets": [s1, s2, s3], "districts": [d1, d2], "parks": [p1, p2],
            "categories": list(Category.objects.all()[:3]), "staff": user("rollup_staff", superuser=True)}


operations = st.lists(st.one_of(
    st.tuples(st.just("create"), st.integers(0, 7), st.integers(0, 3), st.integers(0, 100)),
    st.tuples(st.just("status"), st.integers(0, 50), st.sampled_from(STATUSES)),
    st.tuples(st.just("category"), st.integers(0, 50), st.integers(0, 3)),
    st.tuples(st.just("move"), st.integers(0, 50), st.integers(0, 7)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("workflow"), st.integers(0, 50)),
    st.tuples(st.just("move_park"), st.integers(0, 1), st.integers(0, 2)),
    st.tuples(st.just("move_street"), st.integers(0, 1)),
), max_size=25)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=operations)
def test_rollups_equal_a_recount_after_random_writes(world, ops):
    Demand.objects.all().delete()
    DemandRollup.objects.all().delete()
    categories = [None, *world["categories"]]
    with time_machine.travel(START, tick=False) as clock:
        for op in ops:
            demands = list(Demand.objects.order_by("pk"))
            pick = demands[op[1] % len(demands)] if demands and op[0] not in ("create", "move_park",
                                                                                   "move_street") else None
            if op[0] == "create":
                _, where, category, minutes = op
                clock.shift(dt.timedelta(minutes=minutes))  # some land on the next day (and month)
                # The place objects are the fixture's, loaded before any move: their cached paths may be stale.
                Demand.objects.create(text="路灯坏了", place=world["places"][where], category=categories[category])
            elif pick is None:
                if op[0] == "move_park":
                    # Loaded afresh, as a request would: the subtree move itself reads the stored path.
                    park = Place.objects.get(pk=world["parks"][op[1]].pk)
                    park.parent = Place.objects.get(pk=world["streets"][op[2]].pk)
                    park.full_clean()
                    park.save()
                elif op[0] == "move_street":
                    street = Place.objects.get(pk=world["streets"][1].pk)
                    street.parent = world["districts"][op[1]]
                    street.save()
            elif op[0] == "status":
                pick.status = op[2]
                pick.save()
            elif op[0] == "category":
                # A save naming its fields, as the workflow's do.
                pick.category = categories[op[2]]
                pick.save(update_fields=["category", "updated"])
            elif op[0] == "move":
                pick.place = world["places"][op[2]]
                pick.save()
            elif op[0] == "delete":
                pick.delete()
            elif op[0] == "workflow":
                staff = world["staff"]
                if pick.status == DemandStatus.SUBMITTED:
                    workflow.accept(pick, user=staff, category=world["categories"][0])
                elif pick.status in (DemandStatus.ACCEPTED, DemandStatus.ASSIGNED) and pick.status == "assigned":
                    workflow.resolve(pick, user=staff, note="已修复")
                elif pick.status == DemandStatus.ACCEPTED:
                    workflow.assign(pick, user=staff, department="物业")
                elif pick.status == DemandStatus.RESOLVED:
                    workflow.close(pick, user=staff)
    assert rollups.table_rows() == recount()


@pytest.mark.django_db
def test_a_stale_instance_still_moves_the_right_counts(world):
    """The counts a save leaves are read from the database, not from what an old copy of the row says."""
    demand = Demand.objects.create(text="路灯坏了", place=world["places"][4])
    stale = Demand.objects.get(pk=demand.pk)
    demand.status = DemandStatus.REJECTED
    demand.save()
    stale.status = DemandStatus.ACCEPTED
    stale.save()
    assert rollups.table_rows() == recount()


@pytest.mark.django_db
def test_a_rolled_back_write_leaves_no_count(world):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        Demand.objects.create(text="路灯坏了", place=world["places"][4])
        raise RuntimeError
    assert not DemandRollup.objects.exclude(count=0).exists()


@pytest.mark.django_db
def test_rebuild_and_check_after_a_bulk_insert(world):
    park = world["places"][4]
    with time_machine.travel(START, tick=False):
        Demand.objects.create(text="路灯坏了", place=park)
        # A bulk insert sends no signals: the roll-ups miss these until rebuilt.
        Demand.objects.bulk_create([Demand(text=f"需求{i}", place=park, district_id=park.district_id,
                                           street_id=park.street_id, tracking_code=f"BULK{i}") for i in range(3)])
        with pytest.raises(CommandError, match="rollups --rebuild"):
            call_command("rollups", "--check", "--no-progress", verbosity=0)
        call_command("rollups", "--rebuild", "--no-progress", verbosity=0)
        call_command("rollups", "--check", "--no-progress", verbosity=0)
    assert rollups.table_rows() == recount()
    assert FeedEntry.objects.filter(kind="new").count() == 4
    assert RollupStamp.objects.filter(place_id=park.pk, version__gt=0).exists()


@pytest.mark.django_db
def test_every_write_raises_the_stamp_of_its_places_only(world):
    p1, p2 = world["parks"]
    demand = Demand.objects.create(text="路灯坏了", place=p1)

    def versions():
        return dict(RollupStamp.objects.values_list("place_id", "version"))

    before = versions()
    demand.status = DemandStatus.ACCEPTED
    demand.save()
    after = versions()
    changed = {pk for pk in after if after[pk] != before.get(pk)}
    assert changed == {p1.pk, p1.parent_id, p1.district_id}
    assert p2.pk not in after and p2.parent_id not in after


@pytest.mark.django_db
def test_the_demo_story_is_counted_and_shows_on_the_street_screen():
    """The demo writes its demands through the workflow at their moments in the story: the roll-ups follow."""
    from jiceng.operations.demo import load_demo
    from jiceng.screen import services

    load_demo()
    assert rollups.table_rows() == recount()
    call_command("rollups", "--check", "--no-progress", verbosity=0)
    staff = get_user_model().objects.get(username="street_staff")
    data = services.screen_data(services.target_for(staff))
    month = timezone.localdate().replace(day=1)
    expected = Demand.objects.filter(street__in=services.target_for(staff).ids, created__gte=timezone.make_aware(
        dt.datetime.combine(month, dt.time.min))).count()
    assert data["demands"]["month"]["total"] == expected
    assert data["feed"] and data["party"]["members"] > 0 and data["coverage"]["enterprises"] > 0
