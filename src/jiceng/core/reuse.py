"""Expensive read-only results kept for a while in each process, never handed out after a recorded change.

A district's pioneer board or the city's 三会一课 report reads hundreds of thousands of rows (0.4–2 s), and the
people who open one page through it, export it and come back to it. `Reused` keeps the last few results per
process for a number of seconds. Its key holds a version stamp kept in the shared file cache (so every worker
process sees it) that any save or delete of a watched model renews; callers add to the key what else must
change it (the highest ids of tables that bulk inserts fill, which send no signal). What no signal reports — a
queryset `update()` — shows when the result's time is up (decision 041).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save


class Reused:
    def __init__(self, name: str, size: int = 16) -> None:
        self.name, self.size = name, size
        self.version_key = f"reuse:{name}:version"
        self.entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def watch(self, *senders: str) -> None:
        """Renew the version on every save or delete of these models ("app_label.Model")."""
        for sender in senders:
            for signal in (post_save, post_delete):
                signal.connect(self.changed, sender=sender, weak=False,
                               dispatch_uid=f"reuse-{self.name}-{signal is post_save}-{sender}")

    def changed(self, **_kwargs) -> None:
        caches["shared"].set(self.version_key, time.time_ns(), None)

    def key(self, *parts: Any) -> str:
        version = caches["shared"].get(self.version_key)
        if version is None:
            # Never written, or dropped (a full cache, `forget_kept`): a new version, so that no result kept
            # in a process under an earlier missing version is handed out again.
            caches["shared"].add(self.version_key, secrets.token_hex(8), None)
            version = caches["shared"].get(self.version_key)
        text = repr((version, parts))
        return hashlib.sha256(text.encode()).hexdigest()

    def get_or_compute(self, parts: tuple, compute: Callable[[], Any], seconds: float) -> Any:
        """The result kept under `parts` (and the current version), or `compute()` kept for `seconds`."""
        if not seconds:
            return compute()
        key = self.key(*parts)
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and entry[0] >= time.monotonic():
                self.entries.move_to_end(key)
                return entry[1]
        value = compute()
        with self.lock:
            self.entries[key] = (time.monotonic() + seconds, value)
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def forget_kept(**_kwargs) -> None:
    """Clear what is kept across processes: stamps, kept results, cached sessions (the database still holds every
    session). Run after the database's rows were replaced, where ids come again: a kept identity or session of
    user 5 must not outlive the user 5 it was read from."""
    from django.conf import settings

    for alias in ("sessions", "shared", "kept"):
        if alias in settings.CACHES:
            caches[alias].clear()


def queryset_key(queryset) -> tuple[str, tuple]:
    """A queryset's SQL and parameters, to tell results over different sets of rows apart."""
    try:
        return queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a queryset that can match nothing (`none()`, `pk__in=[]`) has no SQL
        return ("", ())


class KeptByPart:
    """Results every worker process shares (the file cache `kept`), kept under the change stamps of the parts of
    the data they read (a street), and retired when a write to one of those parts commits (decision 082).

    `Reused` above retires a result on any change anywhere, which suits a city's figures; a street's workbench
    would then be retired by every write in the city. Here a write renews only the stamps of the parts it touched
    (`touch`, run after the commit, so a result computed from the rows before the write is never stored under
    the stamps after it). Results are kept for at most `seconds`: what sends no signal (a queryset `update()`,
    a bulk insert) shows when that time is up, as with `Reused`.
    """

    def __init__(self, name: str) -> None:
        self.name = name

    def watch(self, parts_of: Callable[[Any], list[str]], *senders: str) -> None:
        """On every save or delete of these models ("app_label.Model"), renew the stamps of the parts
        `parts_of(instance)` names (as `Reused.watch` renews its one version). A saved row that was stored before
        also renews the parts it lay in then: a demand moved to another street, a role given to another user."""
        before = f"_kept_{self.name}_before"

        def saving(sender, instance, raw: bool = False, **_kwargs) -> None:
            if not raw and not instance._state.adding and instance.pk is not None:
                stored = sender._default_manager.filter(pk=instance.pk).first()
                instance.__dict__[before] = parts_of(stored) if stored is not None else []

        def touched(sender, instance, raw: bool = False, **_kwargs) -> None:
            if not raw:  # fixtures loading rows as they are
                self.touch([*instance.__dict__.pop(before, []), *parts_of(instance)])

        for sender in senders:
            pre_save.connect(saving, sender=sender, weak=False, dispatch_uid=f"kept-{self.name}-before-{sender}")
            for signal in (post_save, post_delete):
                signal.connect(touched, sender=sender, weak=False,
                               dispatch_uid=f"kept-{self.name}-{signal is post_save}-{sender}")

    def _stamp_keys(self, parts: list[str]) -> list[str]:
        return [f"kept:{self.name}:{part}" for part in parts]

    def stamps(self, parts: list[str]) -> list[Any]:
        """The parts' current stamps. A part without one (never written, or its stamp dropped when the cache
        was full) gets a new random one first: a result is never kept under "no stamp", which a dropped stamp
        would bring back after a write had renewed it."""
        keys = self._stamp_keys(parts)
        found = caches["shared"].get_many(keys)
        for key in keys:
            if key not in found:
                caches["shared"].add(key, secrets.token_hex(8), None)
                found[key] = caches["shared"].get(key)
        return [found.get(key) for key in keys]

    def touch(self, parts: list[str]) -> None:
        """Renew these parts' stamps once the current transaction commits (at once outside one)."""
        keys = self._stamp_keys(sorted(set(parts)))
        if keys:
            # A random stamp, not the time: two writes in one tick (or under a frozen test clock) must differ.
            transaction.on_commit(lambda: caches["shared"].set_many(dict.fromkeys(keys, secrets.token_hex(8)), None))

    def get_or_compute(self, parts: list[str], extra: tuple, compute: Callable[[], Any], seconds: float) -> Any:
        """The result kept for these parts' current stamps and `extra` (what else it depends on: the day, the
        language), or `compute()` kept for `seconds`."""
        stamps = self.stamps(parts) if seconds else None
        if not seconds or None in stamps:  # a stamp dropped as soon as made (a full cache): not kept
            return compute()
        text = repr((self.name, parts, stamps, extra))
        key = f"kept:{self.name}:" + hashlib.sha256(text.encode()).hexdigest()
        value = caches["kept"].get(key)
        if value is None:
            value = compute()
            caches["kept"].set(key, value, seconds)
        return value
