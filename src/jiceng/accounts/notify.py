"""Sending notifications: in-app rows now, e-mail after the transaction commits.

Every notification is made here, from a key of the registry in jiceng.accounts.notifications and its parameters,
so each reader sees it in their own language (decision 048).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification
from .notifications import check, encode_params, source_text


def notify(users: Iterable, key: str, params: dict[str, Any] | None = None, url: str = "") -> list[Notification]:
    """Tell these users (inactive and repeated ones skipped) the message ``key`` with ``params``, linking to ``url``.

    Parameter values may be plain text and numbers, dates, lazy labels (translated when read), ``later(...)`` and
    ``bilingual(...)`` (see jiceng.accounts.notifications).
    """
    stored = encode_params(params or {})
    check(key, stored)
    message = source_text(key, stored)[:300]
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    rows = Notification.objects.bulk_create(
        [Notification(user=u, key=key, params=stored, message=message, url=url) for u in recipients.values()])
    emails = [u.email for u in recipients.values() if u.email]
    if emails:
        # Users choose their language per browser (a cookie), not in their account: e-mail speaks the platform's
        # default language.
        transaction.on_commit(lambda: send_mail(
            subject=f"[Jiceng] {message[:60]}", message=f"{message}\n{url}", from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=emails, fail_silently=True))
    return rows
