"""Delivering: rows of the delivery log are made inside the transaction that caused them, and handed to a runner
after it commits (a rolled-back change sends nothing; a failing robot never fails the request, decision 071).

Runners (settings.JICENG_DELIVERY_MODE):
- "queue": the Huey task ``tasks.deliver`` (a `jiceng run_huey` consumer; production);
- "thread": a daemon thread in the web process (`jiceng serve` and the demo, where HUEY is immediate and no
  consumer runs: immediate Huey would send inside the request, and drops delayed retries);
- "inline": right after commit, in the request (the tests: deterministic, retries without waiting);
- "auto": "queue" when HUEY is not immediate, else "thread".

Each attempt claims the row (attempts + 1 where attempts is still what was read), sends outside any transaction,
and records the answer. A failure is retried JICENG_DELIVERY_RETRIES times, waiting BACKOFF × 4ⁿ seconds.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Iterable

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F
from django.utils import timezone

from .models import Delivery, Status
from .senders import SendError, sender_for

logger = logging.getLogger(__name__)
PENDING = (Status.QUEUED, Status.RETRYING)


def backoff(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt: 30 s, 2 min, 8 min with the default base."""
    return settings.JICENG_DELIVERY_BACKOFF * (4 ** max(0, attempts - 1))


def queue_deliveries(rows: Iterable[Delivery]) -> list[Delivery]:
    """Save these deliveries (queued) and run them once the current transaction commits."""
    rows = list(rows)
    if not rows:
        return []
    created = Delivery.objects.bulk_create(rows)
    ids = [row.pk for row in created]
    transaction.on_commit(lambda: dispatch(ids))
    return created


def mode() -> str:
    chosen = settings.JICENG_DELIVERY_MODE
    if chosen == "auto":
        from huey.contrib.djhuey import HUEY

        return "thread" if HUEY.immediate else "queue"
    return chosen


def dispatch(ids: list[int]) -> None:
    """Hand the deliveries to the runner. Never raises: the request that caused them has already committed."""
    try:
        how = mode()
        if how == "queue":
            from .tasks import deliver

            for pk in ids:
                deliver(pk)
        elif how == "thread":
            for pk in ids:
                THREAD.put(pk)
        else:
            for pk in ids:
                run_inline(pk)
    except Exception:  # noqa: BLE001 - the rows stay queued; the periodic sweep (tasks.py) takes them up again
        logger.exception("dispatching deliveries %s failed", ids)


def attempt(pk: int) -> float | None:
    """One attempt of a pending delivery. Returns the seconds to wait before the next attempt, or None when it is
    done (sent, failed for good, or not pending)."""
    delivery = Delivery.objects.select_related("robot").filter(pk=pk, status__in=PENDING).first()
    if delivery is None:
        return None
    claimed = Delivery.objects.filter(pk=pk, status__in=PENDING, attempts=delivery.attempts).update(
        attempts=F("attempts") + 1, updated=timezone.now())
    if not claimed:  # another runner took it
        return None
    delivery.attempts += 1
    try:
        answer = sender_for(delivery.channel).send(delivery)
    except SendError as exc:
        return _failed(delivery, str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug in a sender is logged on the row, like a refusal
        logger.exception("delivery %s", pk)
        return _failed(delivery, f"{type(exc).__name__}: {exc}")
    payload = _scrubbed(delivery)
    Delivery.objects.filter(pk=pk).update(status=Status.SENT, answer=answer[:2000], sent=timezone.now(),
                                          next_attempt=None, payload=payload, updated=timezone.now())
    return None


def _scrubbed(delivery: Delivery) -> dict:
    """A one-time code leaves the payload once a real gateway has it (console SMS keep it: that is their point)."""
    payload = dict(delivery.payload)
    if payload.get("secret") and settings.JICENG_SMS_URL:
        payload["params"] = {k: "******" for k in payload.get("params", {})}
        payload["text"] = delivery.summary
    return payload


def _failed(delivery: Delivery, error: str) -> float | None:
    now = timezone.now()
    if delivery.attempts > settings.JICENG_DELIVERY_RETRIES:
        Delivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, answer=error[:2000], next_attempt=None,
                                                       updated=now)
        logger.warning("delivery %s failed for good: %s", delivery.pk, error)
        return None
    wait = backoff(delivery.attempts)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.RETRYING, answer=error[:2000], next_attempt=now + timezone.timedelta(seconds=wait),
        updated=now)
    return wait


def run_inline(pk: int) -> None:
    """Every attempt now (the tests set no back-off)."""
    import time

    while (wait := attempt(pk)) is not None:
        if wait > 0:
            time.sleep(wait)


class DeliveryThread:
    """The in-process runner: one daemon thread per process takes delivery ids from a queue; a retry comes back
    after its back-off through a timer. Deliveries left pending when the process stops are taken up by
    ``retry_due`` (the periodic task, or `jiceng deliveries --retry`)."""

    def __init__(self) -> None:
        self.queue: queue.Queue[int] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.lock = threading.Lock()

    def put(self, pk: int) -> None:
        with self.lock:
            if self.thread is None or not self.thread.is_alive():
                self.thread = threading.Thread(target=self.run, name="jiceng-deliveries", daemon=True)
                self.thread.start()
        self.queue.put(pk)

    def run(self) -> None:
        while True:
            pk = self.queue.get()
            try:
                wait = attempt(pk)
                if wait is not None:
                    timer = threading.Timer(wait, self.queue.put, args=(pk,))
                    timer.daemon = True
                    timer.start()
            except Exception:  # noqa: BLE001 - keep the thread alive for the next delivery
                logger.exception("delivery %s", pk)
            finally:
                # Deliveries are few: the thread gives its connection back after each one rather than hold it
                # (with CONN_MAX_AGE a kept connection would outlive the database it was opened on, e.g. in tests).
                connections.close_all()
                self.queue.task_done()

    def join(self) -> None:
        """Wait until every queued delivery had its attempt (tests)."""
        self.queue.join()


THREAD = DeliveryThread()


def retry_due(now=None) -> int:
    """Run again the pending deliveries whose retry is five minutes overdue (its timer or task was lost) and the
    ones queued over ten minutes ago that no runner took (e.g. the web process restarted)."""
    now = now or timezone.now()
    stale = now - timezone.timedelta(minutes=10)
    ids = list(Delivery.objects.filter(status__in=PENDING)
               .filter(next_attempt__lte=now - timezone.timedelta(minutes=5)).values_list("pk", flat=True)[:500])
    ids += list(Delivery.objects.filter(status=Status.QUEUED, next_attempt__isnull=True, updated__lt=stale)
                .values_list("pk", flat=True)[:500])
    dispatch(ids)
    return len(ids)
