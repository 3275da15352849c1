"""Demand roll-ups kept current on every write, in the write's own transaction (decision 057).

Every save and delete of a demand goes through `Demand.save()` / `delete()` (the workflow, the forms, the API,
Open311, the admin), so the roll-ups follow model signals: `pre_save` reads what the row holds in the database
(the counts it was in), `post_save` adds what it holds now; `post_delete` takes it out. Both run inside the
transaction `Demand.save()` opens, so a roll-up never counts a write that was rolled back. A place moved to
another street or district (`subtree_moved`) has the places it left and joined recounted.

What sends no signal — the seed's bulk inserts, a queryset `update()` — is caught up by `rebuild()`
(`jiceng rollups --rebuild`), which `jiceng seed` runs at the end.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.db.models.signals import post_delete, post_save, pre_save
from django.utils import timezone

from jiceng.demands.models import OPEN_STATUSES, Demand, DemandStatus
from jiceng.places.models import Place

from .models import NO_CATEGORY, DemandRollup, FeedEntry, FeedKind, RollupStamp

Key = tuple[int, dt.date, int, str]  # (place, day, category, status)
LEVELS = 3  # district, street, area: the places a screen is asked for (depth 0–2 of the tree)
ROLLUP_FIELDS = frozenset({"place", "place_id", "category", "category_id", "status", "created"})
CLOSED_STATUSES = (DemandStatus.RESOLVED, DemandStatus.CLOSED)
FEED_DAYS = 30  # the feed keeps a month: a rebuild refills it from the demands of the last 30 days
BATCH = 500


def levels(path: str) -> list[int]:
    """The roll-up places of a demand at a place with this path: its district, street and area."""
    return [int(part) for part in path.strip("/").split("/")[:LEVELS] if part]


def keys_of(path: str, created: dt.datetime, category_id: int | None, status: str) -> list[Key]:
    day = timezone.localdate(created)
    return [(place, day, category_id or NO_CATEGORY, status) for place in levels(path)]


# --- writing ------------------------------------------------------------------------------------------------------

def apply(deltas: Counter[Key]) -> None:
    """Add the deltas to the roll-up rows (created when missing) and raise the stamps of the places touched.

    One statement each: `INSERT … ON CONFLICT DO UPDATE SET count = count + excluded.count` (SQLite ≥ 3.24 and
    PostgreSQL). Rows are written in key order, so two transactions touching the same rows lock them in the same
    order (PostgreSQL would otherwise be free to deadlock them).
    """
    changes = sorted((key, n) for key, n in deltas.items() if n)
    if not changes:
        return
    table, qn = DemandRollup._meta.db_table, connection.ops.quote_name
    day = connection.ops.adapt_datefield_value
    for start in range(0, len(changes), BATCH):
        chunk = changes[start:start + BATCH]
        values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        params = [v for (place, d, category, status), n in chunk for v in (place, day(d), category, status, n)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {qn(table)} (place_id, day, category_id, status, {qn('count')}) VALUES {values} "  # noqa: S608
                f"ON CONFLICT (place_id, day, category_id, status) DO UPDATE "
                f"SET {qn('count')} = {qn(table)}.{qn('count')} + excluded.{qn('count')}", params)
    bump({place for (place, _d, _c, _s), _n in changes})


def bump(places: Iterable[int]) -> None:
    """Raise the version of these places (the stream's cheap question: has anything changed here?)."""
    places = sorted(set(places))
    if not places:
        return
    table = connection.ops.quote_name(RollupStamp._meta.db_table)
    values = ", ".join(["(%s, 1)"] * len(places))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (place_id, version) VALUES {values} "  # noqa: S608 - names, no input
                       f"ON CONFLICT (place_id) DO UPDATE SET version = {table}.version + 1", places)


def _snapshot(sender, instance: Demand, raw: bool = False, update_fields=None, **kwargs) -> None:
    """Before a save: the counts the row is in now (read from the database, not the possibly stale instance)."""
    instance._rollup_before = None
    if raw or instance._state.adding or instance.pk is None:
        return
    if update_fields is not None and not ROLLUP_FIELDS & set(update_fields):
        instance._rollup_before = "unchanged"
        return
    instance._rollup_before = (Demand.objects.filter(pk=instance.pk)
                               .values_list("place__path", "created", "category_id", "status").first())


def _saved(sender, instance: Demand, created: bool, raw: bool = False, **kwargs) -> None:
    before = getattr(instance, "_rollup_before", None)
    instance._rollup_before = None
    if raw or before == "unchanged":
        return
    # The place's path as stored now, not as the instance's cached place says: a place object loaded before its
    # subtree moved still holds the old path.
    path = Place.objects.filter(pk=instance.place_id).values_list("path", flat=True).first() or ""
    deltas: Counter[Key] = Counter(keys_of(path, instance.created, instance.category_id, instance.status))
    if before is not None:
        deltas.subtract(keys_of(*before))
    apply(deltas)
    old_status = before[3] if before is not None else None
    kind = None
    if created or before is None:
        kind = FeedKind.NEW
    elif instance.status in CLOSED_STATUSES and old_status in OPEN_STATUSES:
        kind = FeedKind.CLOSED
    if before is not None and before[0] != path:
        _move_feed(instance.pk, path)
    if kind is not None:
        places = levels(path) + [None] * LEVELS
        FeedEntry.objects.create(demand=instance, kind=kind, at=timezone.now() if kind == FeedKind.CLOSED
                                 else instance.created, district_id=places[0], street_id=places[1],
                                 area_id=places[2])


def _move_feed(demand_id: int, path: str) -> None:
    places = levels(path) + [None] * LEVELS
    FeedEntry.objects.filter(demand_id=demand_id).update(district_id=places[0], street_id=places[1],
                                                         area_id=places[2])


def _deleted(sender, instance: Demand, **kwargs) -> None:
    path = Place.objects.filter(pk=instance.place_id).values_list("path", flat=True).first()
    if path is None:
        return
    deltas: Counter[Key] = Counter()
    deltas.subtract(keys_of(path, instance.created, instance.category_id, instance.status))
    apply(deltas)


def _subtree_moved(sender, places: list[Place], old_path: str = "", **kwargs) -> None:
    """A place moved (with what is under it): the places it left and joined are recounted."""
    if not places:
        return
    moved = places[0]
    shift = moved.depth - old_path.strip("/").count("/")  # how many levels the subtree went down (or up)
    affected = set(levels(old_path)) | set(levels(moved.path))
    # Moved places that were or are now a roll-up place themselves (a depth change): their rows are recounted too.
    affected |= {p.pk for p in places if p.depth < LEVELS or p.depth - shift < LEVELS}
    recount(affected)


def connect() -> None:
    from jiceng.places.models import subtree_moved

    pre_save.connect(_snapshot, sender=Demand, dispatch_uid="screen-rollup-snapshot")
    post_save.connect(_saved, sender=Demand, dispatch_uid="screen-rollup-saved")
    post_delete.connect(_deleted, sender=Demand, dispatch_uid="screen-rollup-deleted")
    subtree_moved.connect(_subtree_moved, dispatch_uid="screen-rollup-moved", weak=False)


# --- recounting ---------------------------------------------------------------------------------------------------

def _grouped(demands) -> Iterable[tuple[int, dt.date, int | None, str, int]]:
    """(place, local day, category, status, count) over `demands`, grouped in the database."""
    return (demands.order_by()
            .annotate(day=TruncDate("created", tzinfo=timezone.get_current_timezone()))
            .values_list("place_id", "day", "category_id", "status").annotate(n=Count("*"))
            .iterator(chunk_size=20_000))


def count_demands(demands, paths: dict[int, str], only: set[int] | None = None,
                  progress: Callable[[int], None] | None = None) -> Counter[Key]:
    """What the roll-ups should hold for `demands` (restricted to the roll-up places `only`, if given)."""
    counts: Counter[Key] = Counter()
    seen = 0
    for place_id, day, category_id, status, n in _grouped(demands):
        for place in levels(paths[place_id]):
            if only is None or place in only:
                counts[(place, day, category_id or NO_CATEGORY, status)] += n
        seen += n
        if progress is not None and seen >= 50_000:
            progress(seen)
            seen = 0
    if progress is not None and seen:
        progress(seen)
    return counts


def _write(counts: Counter[Key], model=DemandRollup) -> int:
    """Insert the non-empty counts as new rows (one prepared statement, or COPY on PostgreSQL: jiceng.core.bulk)."""
    from jiceng.core import bulk

    rows = ((p, d, c, s, n) for (p, d, c, s), n in sorted(counts.items()) if n)
    return bulk.insert_rows(model, ["place_id", "day", "category_id", "status", "count"], rows)


@transaction.atomic
def recount(place_ids: Iterable[int]) -> None:
    """Recount the roll-ups of these places from the demands (after a place moved)."""
    place_ids = set(place_ids)
    if not place_ids:
        return
    DemandRollup.objects.filter(place_id__in=place_ids).delete()
    current = {p.pk: p.path for p in Place.objects.filter(pk__in=place_ids, depth__lt=LEVELS)}
    if current:
        from django.db.models import Q

        under = Q(pk__in=[])
        for path in current.values():
            under |= Q(path__startswith=path)
        paths = dict(Place.objects.filter(under).values_list("pk", "path"))
        demands = Demand.objects.filter(place_id__in=list(paths)) if len(paths) < 30_000 else \
            Demand.objects.filter(place__in=Place.objects.filter(under))
        _write(count_demands(demands, paths, only=set(current)))
    bump(place_ids)


def rebuild_feed(now: dt.datetime | None = None, *, models=None) -> int:
    """The feed of the last FEED_DAYS days from the demands (after a bulk load)."""
    demand_model, place_model, feed_model = models or (Demand, Place, FeedEntry)
    now = now or timezone.now()
    since = now - dt.timedelta(days=FEED_DAYS)
    feed_model.objects.all().delete()
    paths = dict(place_model.objects.values_list("pk", "path"))
    entries = []

    def add(demand_id: int, place_id: int, kind: str, at: dt.datetime) -> None:
        places = levels(paths[place_id]) + [None] * LEVELS
        entries.append(feed_model(demand_id=demand_id, kind=kind, at=at, district_id=places[0],
                                  street_id=places[1], area_id=places[2]))

    demands = demand_model.objects.order_by()
    for pk, place_id, created in (demands.filter(created__gte=since).values_list("pk", "place_id", "created")
                                  .iterator(chunk_size=10_000)):
        add(pk, place_id, FeedKind.NEW, created)
    for pk, place_id, resolved in (demands.filter(resolved_at__gte=since, status__in=CLOSED_STATUSES)
                                   .values_list("pk", "place_id", "resolved_at").iterator(chunk_size=10_000)):
        add(pk, place_id, FeedKind.CLOSED, resolved)
    feed_model.objects.bulk_create(entries, batch_size=5_000)
    return len(entries)


def rebuild(*, progress: Callable[[int], None] | None = None, apps=None) -> int:
    """Recount every roll-up from the demands table and refill the feed; returns the number of roll-up rows.

    `apps`: a migration's historical models (the migration that creates the tables fills them)."""
    get = apps.get_model if apps is not None else None
    demand_model = get("demands", "Demand") if get else Demand
    place_model = get("places", "Place") if get else Place
    rollup_model = get("screen", "DemandRollup") if get else DemandRollup
    feed_model = get("screen", "FeedEntry") if get else FeedEntry
    with transaction.atomic():
        rollup_model.objects.all().delete()
        paths = dict(place_model.objects.values_list("pk", "path"))
        counts = count_demands(demand_model.objects.all(), paths, progress=progress)
        written = _write(counts, rollup_model)
        rebuild_feed(models=(demand_model, place_model, feed_model))
        places = list(place_model.objects.filter(depth__lt=LEVELS).values_list("pk", flat=True))
        for start in range(0, len(places), BATCH):
            bump(places[start:start + BATCH])
        # Statistics for the planner: without them SQLite guessed badly at joining the feed to the demands.
        with connection.cursor() as cursor:
            for model in (rollup_model, feed_model):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return written


def table_rows() -> list[tuple[int, dt.date, int, str, int]]:
    """Every non-empty roll-up row, in key order (for comparing with a recount)."""
    return list(DemandRollup.objects.exclude(count=0).order_by("place_id", "day", "category_id", "status")
                .values_list("place_id", "day", "category_id", "status", "count"))
