"""The fast INSERT path stores what the ORM would have stored, and refuses rows it cannot place."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Max

from jiceng.core import bulk
from jiceng.demands.models import Demand, DemandStatus
from jiceng.enterprises.models import Enterprise
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def test_dicts_round_trip_through_the_orm():
    tree = f.district_tree()
    ent = f.enterprise(tree["building1"])
    first = (Demand.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    created = dt.datetime(2026, 3, 1, 9, 30, 15, 123456, tzinfo=SHANGHAI)
    rows = [
        {"id": first, "tracking_code": "SBULK0000001", "text": "电梯坏了", "status": DemandStatus.ACCEPTED,
         "place_id": tree["building1"].pk, "street_id": tree["street1"].pk, "district_id": tree["district"].pk,
         "requester_enterprise_id": ent.pk, "accepted_on": dt.date(2026, 3, 2), "due_date": dt.date(2026, 3, 9),
         "lat": Decimal("31.230416"), "created": created, "updated": created},
        {"id": first + 1, "text": "门禁", "place_id": tree["building1"].pk, "created": created, "updated": created},
    ]
    assert bulk.insert_dicts(Demand, rows) == 2
    one, two = Demand.objects.get(pk=first), Demand.objects.get(pk=first + 1)
    assert one.created == created and one.created.utcoffset() is not None
    assert (one.accepted_on, one.due_date, one.lat) == (dt.date(2026, 3, 2), dt.date(2026, 3, 9), Decimal("31.230416"))
    assert one.status == DemandStatus.ACCEPTED and one.requester_enterprise == ent
    # Missing keys take the field's default; a callable default is called for the row.
    assert two.status == DemandStatus.SUBMITTED and two.rating_comment == "" and two.due_date is None
    assert len(two.tracking_code) >= 8 and two.tracking_code != one.tracking_code
    # The rows are found by the ORM's date lookups (the stored text has the ORM's format).
    assert Demand.objects.filter(created__date=dt.date(2026, 3, 1), due_date__lte=dt.date(2026, 3, 9)).count() == 1


def test_an_unknown_field_or_a_missing_id_is_an_error_not_a_dropped_value():
    with pytest.raises(ValueError, match="unknown.*'colour'"):
        bulk.RowShape(Enterprise).row({"id": 1, "name": "x", "colour": "red"})
    with pytest.raises(ValueError, match="missing.*'id'"):
        bulk.RowShape(Enterprise).row({"name": "x"})


def test_tuples_are_converted_unless_prepared():
    tree = f.district_tree()
    first = (Enterprise.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    when = dt.datetime(2025, 12, 31, 23, 59, tzinfo=SHANGHAI)
    batches: list[int] = []
    shape = bulk.RowShape(Enterprise)
    row = shape.row({"id": first, "name": "甲公司", "credit_code": f.uscc(901), "place_id": tree["building1"].pk,
                     "lease_end": dt.date(2027, 1, 31), "created": when})
    written = bulk.insert_rows(Enterprise, shape.names, [row], batch_size=1, on_batch=batches.append)
    assert written == 1 and batches == [1]
    saved = Enterprise.objects.get(pk=first)
    assert (saved.lease_end, saved.created) == (dt.date(2027, 1, 31), when)

    # Prepared rows go to the driver as they are: the caller has converted them already.
    stored = shape.row({"id": first + 1, "name": "乙公司", "credit_code": f.uscc(902), "place_id": tree["building1"].pk,
                        "lease_end": "2027-02-28", "created": "2026-01-01 00:00:00"})
    bulk.insert_rows(Enterprise, shape.names, [stored], prepared=True)
    assert Enterprise.objects.get(pk=first + 1).lease_end == dt.date(2027, 2, 28)


def test_indexes_are_dropped_for_the_load_and_built_again_after_it():
    from django.db import connection

    def plain_indexes() -> set[str]:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, Demand._meta.db_table)
        return {name for name, info in found.items()
                if info["index"] and not info["unique"] and not info["primary_key"]}

    before = plain_indexes()
    assert "demand_status_created" in before
    tree = f.district_tree()
    first = (Demand.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    when = dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
    with bulk.indexes_deferred(Demand):
        assert "demand_status_created" not in plain_indexes()
        # Rows with foreign keys: on PostgreSQL their deferred checks are pending when the indexes are rebuilt.
        bulk.insert_dicts(Demand, [{"id": first + i, "text": "路灯不亮", "place_id": tree["building1"].pk,
                                    "street_id": tree["street1"].pk, "created": when, "updated": when}
                                   for i in range(3)])
    assert plain_indexes() == before
    assert Demand.objects.filter(street=tree["street1"], status="submitted").count() == 3


def test_indexes_are_not_dropped_outside_a_transaction(monkeypatch):
    from django.db import connection

    monkeypatch.setattr(connection, "in_atomic_block", False)
    with pytest.raises(RuntimeError, match="transaction"), bulk.indexes_deferred(Demand):
        pass
