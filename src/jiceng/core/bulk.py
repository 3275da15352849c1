"""Multi-row INSERT of plain values: one prepared statement (`executemany`) on SQLite, COPY on PostgreSQL.

For the writes that produce hundreds of thousands of rows — the city-scale seed, the risk batch's history and
follow-ups. `bulk_create` builds a model instance per row and compiles the SQL per batch, which costs 50–100 µs
of Python a row (1,000,000 demands: about eight minutes); here a row is a tuple or a dict and a value goes
through a converter chosen once per column, a few µs a row.

What is skipped, and so must not matter for the models written this way: `save()`, signals, change history,
`auto_now` stamps (pass `created`/`updated` yourself) and any per-row default that is not the field's own
`default` (those are honoured, callables called per row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.db import connection, models

# Field types whose Python values the database drivers take as they are.
PLAIN_TYPES = frozenset({
    "AutoField", "BigAutoField", "SmallAutoField", "BooleanField", "CharField", "EmailField", "FloatField",
    "IntegerField", "BigIntegerField", "SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField",
    "PositiveSmallIntegerField", "SlugField", "TextField", "URLField",
})
Converter = Callable[[Any], Any]


def batches(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of up to `size` items from any iterable (a generator of rows is never held whole)."""
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def converter(field: models.Field) -> Converter | None:
    """How a Python value of `field` becomes what the driver stores; None when it takes the value as it is."""
    kind = field.get_internal_type()
    if field.is_relation:
        kind = field.target_field.get_internal_type()
    if kind in PLAIN_TYPES or kind == "ForeignKey":
        return None
    if connection.vendor == "sqlite" and kind == "DateTimeField":
        # What Django's SQLite backend stores: naive, in the connection's time zone (UTC), as text.
        zone = connection.timezone

        def sqlite_datetime(value: Any) -> Any:
            if isinstance(value, dt.datetime):
                if value.tzinfo is not None:
                    value = value.astimezone(zone).replace(tzinfo=None)
                return str(value)
            return value
        return sqlite_datetime
    if connection.vendor == "sqlite" and kind == "DateField":
        return lambda value: value.isoformat() if isinstance(value, dt.date) else value
    if connection.vendor != "sqlite" and kind in ("DateField", "DateTimeField"):
        return None
    return lambda value: field.get_db_prep_save(value, connection)


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]], *,
                batch_size: int = 5_000, prepared: bool = False,
                on_batch: Callable[[int], None] | None = None) -> int:
    """INSERT `rows` (tuples of values of `fields`, by name or attname) into `model`'s table; returns the count.

    Values are Python values of the fields, converted here; `prepared=True` says they already are what the
    database stores (the caller converted them, e.g. cached per distinct value). `on_batch(n)` is called after
    each batch (a progress bar).
    """
    opts, quote = model._meta, connection.ops.quote_name
    model_fields = [opts.get_field(name) for name in fields]
    columns = ", ".join(quote(field.column) for field in model_fields)
    sql = (f"INSERT INTO {quote(opts.db_table)} ({columns}) "  # noqa: S608 - names from model metadata
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    copy_sql = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN" if connection.vendor == "postgresql" else ""
    conversions = [] if prepared else [(i, c) for i, f in enumerate(model_fields) if (c := converter(f))]
    written = 0
    with connection.cursor() as cursor:
        for chunk in batches(rows, batch_size):
            if conversions:
                converted = []
                for row in chunk:
                    values = list(row)
                    for index, convert in conversions:
                        if values[index] is not None:
                            values[index] = convert(values[index])
                    converted.append(values)
                chunk = converted
            if copy_sql:
                # PostgreSQL: COPY streams the rows in one command; executemany still paid a round trip per row
                # (the city seed's 1,000,000 demands: 277 s).
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in chunk:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, chunk)
            written += len(chunk)
            if on_batch is not None:
                on_batch(len(chunk))
    return written


class RowShape:
    """Turns dicts of field values (keyed by attname: `place_id`, `name`) into full rows of `model`'s columns.

    A missing key takes the field's default (a callable default is called per row; `""` or None otherwise),
    so a generator writes only what it decides, as it would with the model's constructor. An unknown key is
    an error, not a silently dropped value.
    """

    def __init__(self, model: type[models.Model]):
        self.model = model
        fields = list(model._meta.concrete_fields)
        self.names = [f.attname for f in fields]
        self._known = set(self.names)
        self._required = {f.attname for f in fields if f.primary_key}  # ids are allocated by the caller
        self._defaults: list[tuple[str, Any, bool]] = []
        for field in fields:
            if field.has_default() and callable(field.default):
                self._defaults.append((field.attname, field.default, True))
            else:
                self._defaults.append((field.attname, None if field.primary_key else field.get_default(), False))
        self._checked = False

    def row(self, values: dict[str, Any]) -> tuple:
        if not self._checked:
            unknown, missing = set(values) - self._known, self._required - set(values)
            if unknown or missing:
                raise ValueError(f"{self.model.__name__}: unknown {sorted(unknown)}, missing {sorted(missing)}")
            self._checked = True
        return tuple(values[name] if name in values else default() if is_callable else default
                     for name, default, is_callable in self._defaults)


def insert_dicts(model: type[models.Model], rows: Iterable[dict[str, Any]], *, batch_size: int = 5_000,
                 on_batch: Callable[[int], None] | None = None) -> int:
    """`insert_rows` for dicts of field values (see RowShape)."""
    shape = RowShape(model)
    return insert_rows(model, shape.names, (shape.row(r) for r in rows), batch_size=batch_size, on_batch=on_batch)


@contextmanager
def indexes_deferred(model: type[models.Model]) -> Iterator[None]:
    """Drop `model`'s plain (non-unique) indexes for the block and build them again after it.

    Loading a million rows into a table with twenty indexes updates each index in random order row by row;
    building an index afterwards sorts once, several times faster. Use it inside a transaction (SQLite and
    PostgreSQL both roll back the DDL with the data) and only where the block does not query the table by
    those indexes. Unique indexes and those behind constraints stay, so duplicates are still refused.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_deferred needs a transaction: a failure would leave the table without them")
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                           "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'", [table])
        elif connection.vendor == "postgresql":
            cursor.execute("SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                           "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
                           "AND NOT i.indisunique AND NOT i.indisprimary", [table])
        else:
            yield
            return
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # PostgreSQL builds no index on a table with pending deferred foreign-key checks: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, sql in indexes:
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's foreign keys are deferred until commit
