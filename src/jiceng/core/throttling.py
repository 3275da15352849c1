"""Rate limits on writes: per user, or per client address for a client that is not logged in.

One implementation for the REST API (``WriteThrottle``, DRF's DEFAULT_THROTTLE_CLASSES) and Open311 POST
(``check_write``). Rates are the REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] entries ``user_write`` and
``anon_write`` ("<count>/<second|minute|hour|day>"), counted in a sliding window in the ``throttle`` cache (a
file cache under JICENG_DATA_DIR, so every gunicorn worker on the machine shares the counts). Reads are not
limited here. A refused write is a 429 with a Retry-After header (RFC 6585 section 4; RFC 9110 section 10.2.3).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

from django.core.cache import caches
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from jiceng.core.network import client_ip as client_address

USER_SCOPE = "user_write"
ANON_SCOPE = "anon_write"
CACHE_ALIAS = "throttle"
PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_lock = threading.Lock()  # read-modify-write of one history at a time within a process


def clock() -> float:
    """Seconds since the epoch (a function, so tests can move time)."""
    return time.time()


def parse_rate(rate: str) -> tuple[int, int]:
    """("60/min") -> (60, 60): the number of writes allowed and the window in seconds."""
    count, _sep, period = rate.partition("/")
    return int(count), PERIODS[period.strip()[0].lower()]


def hit(scope: str, ident: str) -> int | None:
    """Count one write for ``ident`` under ``scope``; None when allowed, else the seconds to wait (nothing counted)."""
    rate = api_settings.DEFAULT_THROTTLE_RATES.get(scope)
    if not rate:
        return None
    allowed, window = parse_rate(rate)
    cache = caches[CACHE_ALIAS]
    key = f"throttle:{scope}:{ident}"
    with _lock:
        now = clock()
        history = [t for t in cache.get(key, []) if t > now - window]
        if len(history) >= allowed:
            return max(1, math.ceil(history[len(history) - allowed] + window - now))
        history.append(now)
        cache.set(key, history, window)
    return None


def check_write(user: Any, address: str | None) -> int | None:
    """One write by ``user`` (or, when not logged in, from ``address``): None, or the seconds to wait."""
    if user is not None and user.is_authenticated:
        return hit(USER_SCOPE, f"user:{user.pk}")
    return hit(ANON_SCOPE, f"address:{address or 'unknown'}")


class WriteThrottle(BaseThrottle):
    """DRF: POST, PUT, PATCH and DELETE are limited per user (or per client address); GET, HEAD and OPTIONS are not."""

    def __init__(self) -> None:
        self.wait_seconds: int | None = None

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        self.wait_seconds = check_write(request.user, client_address(request))
        return self.wait_seconds is None

    def wait(self) -> int | None:
        return self.wait_seconds


THROTTLED_RESPONSE = {
    "description": "Too many writes: try again after the number of seconds in the Retry-After header.",
    "headers": {"Retry-After": {"description": "Seconds to wait before the next write.",
                                "schema": {"type": "integer", "minimum": 1}}},
    "content": {"application/json": {"schema": {
        "type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}}},
}


def document_throttled_writes(result: dict, generator, request, public) -> dict:
    """drf-spectacular post-processing hook: every write operation may answer 429 (WriteThrottle)."""
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method.upper() in {"POST", "PUT", "PATCH", "DELETE"}:
                operation.setdefault("responses", {}).setdefault("429", THROTTLED_RESPONSE)
    return result
