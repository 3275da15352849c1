"""Login back-off and API tokens."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import LoginFailure

# Login back-off (OWASP Authentication Cheat Sheet, "Protect against automated attacks"; NIST SP 800-63B 5.2.2
# "rate limiting"). Failures are counted per username *and* client address, so a stranger's wrong passwords
# never lock the real user out from their own address; a second, higher limit per address alone slows one
# machine trying many usernames (credential stuffing). A lock grows with each further failure.


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int  # per username and address before the first lock
    address_max_failures: int  # per address, over all usernames, before the first lock
    backoff_seconds: int  # the first lock
    backoff_max_seconds: int  # locks double up to this
    window_seconds: int  # failures older than this are forgotten

    @classmethod
    def from_settings(cls) -> LoginPolicy:
        return cls(max_failures=settings.LOGIN_MAX_FAILURES,
                   address_max_failures=settings.LOGIN_ADDRESS_MAX_FAILURES,
                   backoff_seconds=settings.LOGIN_BACKOFF_SECONDS,
                   backoff_max_seconds=settings.LOGIN_BACKOFF_MAX_SECONDS,
                   window_seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)

    def lock_seconds(self, failures: int, threshold: int) -> int:
        """How long ``failures`` recent failures lock: none below ``threshold``, then the first lock, doubled for
        each failure after it, at most the cap."""
        if failures < threshold:
            return 0
        doublings = min(failures - threshold, 32)
        return min(self.backoff_seconds * 2 ** doublings, self.backoff_max_seconds)


def _normalize(username: str) -> str:
    return username.strip().lower()[:150]


def _remaining(failures: QuerySet[LoginFailure], threshold: int, policy: LoginPolicy, now: dt.datetime) -> float:
    summary = failures.aggregate(count=Count("pk"), last=Max("created"))
    lock = policy.lock_seconds(summary["count"], threshold)
    if not lock or summary["last"] is None:
        return 0.0
    return lock - (now - summary["last"]).total_seconds()


def login_wait(username: str, address: str | None) -> int:
    """Seconds before ``username`` may try to log in again from ``address``; 0 when it may try now."""
    policy = LoginPolicy.from_settings()
    now = timezone.now()
    recent = LoginFailure.objects.filter(created__gt=now - dt.timedelta(seconds=policy.window_seconds))
    wait = _remaining(recent.filter(username=_normalize(username), ip_address=address), policy.max_failures,
                      policy, now)
    if address is not None:
        wait = max(wait, _remaining(recent.filter(ip_address=address), policy.address_max_failures, policy, now))
    return max(0, math.ceil(wait))


def record_login_failure(username: str, address: str | None) -> None:
    policy = LoginPolicy.from_settings()
    LoginFailure.objects.filter(created__lte=timezone.now() - dt.timedelta(seconds=policy.window_seconds)).delete()
    LoginFailure.objects.create(username=_normalize(username), ip_address=address)


def record_login_success(username: str, address: str | None) -> None:
    """A correct password from this address clears this username's failures from it (and only from it: a
    success must not wipe out what another address's failures earned)."""
    LoginFailure.objects.filter(username=_normalize(username), ip_address=address).delete()


def token_for(username: str, *, replace: bool = False) -> str:
    """The user's API token, created if missing (a new one when ``replace``: the old key stops working at once).
    Raises User.DoesNotExist for an unknown user."""
    user = get_user_model().objects.get(username=username)
    if replace:
        Token.objects.filter(user=user).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
