"""Login throttling and API tokens."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import LoginFailure


def is_locked_out(username: str, ip: str | None) -> bool:
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    failures = LoginFailure.objects.filter(username=username.lower(), created__gte=since)
    return failures.count() >= settings.LOGIN_MAX_FAILURES


def record_login_failure(username: str, ip: str | None) -> None:
    LoginFailure.objects.create(username=username.lower(), ip_address=ip)


def clear_login_failures(username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()


def token_for(username: str) -> str:
    """The user's API token, created if missing. Raises User.DoesNotExist for an unknown user."""
    user = get_user_model().objects.get(username=username)
    token, _created = Token.objects.get_or_create(user=user)
    return token.key
