"""PostgreSQL: concurrent approvals of overlapping bookings (exactly one wins) and the exclusion constraint."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from jiceng.venues import services
from jiceng.venues.models import NO_OVERLAP_CONSTRAINT, Booking
from tests.venues.conftest import at, next_weekday

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

THREADS = 6
# Every pair of these overlaps (all contain 11:00–11:30).
SLOTS = [((10, 0), (12, 0)), ((10, 30), (11, 30)), ((11, 0), (13, 0)), ((9, 0), (11, 30)), ((11, 0), (11, 30)),
         ((10, 45), (14, 0))]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks and the exclusion constraint are PostgreSQL's")


def run_at_once(work) -> list[str]:
    """Run `work(i)` in THREADS threads released together; each thread uses (and closes) its own connection."""
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []

    def attempt(i):
        barrier.wait()
        try:
            work(i)
            outcomes.append("ok")
        except ValidationError as exc:
            message = exc.message_dict.get("start", [""])[0]
            outcomes.append("refused" if "已有已批准的预约" in message else f"other: {exc.message_dict}")
        except Exception as exc:  # noqa: BLE001 - a crash must show up in the assertion, not kill the thread
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_concurrent_approvals_exactly_one_wins(world):
    day = next_weekday()
    requests = [services.request_booking(room=world["room"], start=at(day, *s), end=at(day, *e),
                                         requested_by=world["contact"], purpose=f"申请{i}")
                for i, (s, e) in enumerate(SLOTS)]
    approvers = [world["staff"], world["worker"], world["admin"]]

    def approve(i):
        services.approve_booking(Booking.objects.get(pk=requests[i].pk), by=approvers[i % len(approvers)])

    assert run_at_once(approve) == ["ok"] + ["refused"] * (THREADS - 1)
    assert Booking.objects.filter(status="approved").count() == 1
    assert Booking.objects.filter(status="requested").count() == THREADS - 1


def test_concurrent_auto_approved_requests_exactly_one_wins(world):
    day = next_weekday()
    managers = [world["staff"], world["worker"], world["admin"]]

    def request(i):
        start, end = SLOTS[i]
        services.request_booking(room=world["room"], start=at(day, *start), end=at(day, *end),
                                 requested_by=managers[i % len(managers)], purpose=f"活动{i}", auto_approve=True)

    assert run_at_once(request) == ["ok"] + ["refused"] * (THREADS - 1)
    assert Booking.objects.filter(status="approved").count() == 1
    assert Booking.objects.count() == 1  # the losers left nothing half-written


def test_constraint_rejects_a_raw_overlapping_approved_insert(world):
    day = next_weekday()
    booking = services.request_booking(room=world["room"], start=at(day, 10), end=at(day, 12),
                                       requested_by=world["staff"], purpose="已批准", auto_approve=True)
    now = timezone.now()
    sql = ('INSERT INTO venues_booking (room_id, start, "end", requested_by_id, purpose, attendees, status, reason,'
           ' created) VALUES (%s, %s, %s, %s, %s, 0, %s, \'\', %s)')
    with pytest.raises(IntegrityError) as exc, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [booking.room_id, at(day, 11), at(day, 13), world["staff"].pk, "raw", "approved", now])
    assert NO_OVERLAP_CONSTRAINT in str(exc.value)
    # Touching ranges, other statuses and other rooms are allowed by the constraint.
    with connection.cursor() as cursor:
        cursor.execute(sql, [booking.room_id, at(day, 12), at(day, 13), world["staff"].pk, "touching", "approved",
                             now])
        cursor.execute(sql, [booking.room_id, at(day, 11), at(day, 13), world["staff"].pk, "pending", "requested",
                             now])
        cursor.execute(sql, [world["other_room"].pk, at(day, 11), at(day, 13), world["staff2"].pk, "other",
                             "approved", now])
    assert Booking.objects.count() == 4


def test_constraint_error_becomes_the_clear_message(world, monkeypatch):
    """If the locked check were ever bypassed, the database still refuses, and the user gets a field error."""
    day = next_weekday()
    services.request_booking(room=world["room"], start=at(day, 10), end=at(day, 12), requested_by=world["staff"],
                             purpose="先到", auto_approve=True)
    pending = services.request_booking(room=world["room"], start=at(day, 12), end=at(day, 13),
                                       requested_by=world["contact"], purpose="后到")
    Booking.objects.filter(pk=pending.pk).update(start=at(day, 11))  # as if it had been written around the rules
    monkeypatch.setattr(Booking, "clashes", lambda self: Booking.objects.none())
    with pytest.raises(ValidationError) as exc:
        services.approve_booking(Booking.objects.get(pk=pending.pk), by=world["staff"])
    assert exc.value.message_dict == {"start": ["该房间在此时段已有已批准的预约,请换一个时段或房间。"]}
    assert Booking.objects.get(pk=pending.pk).status == "requested"
