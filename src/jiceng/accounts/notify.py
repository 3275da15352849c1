"""Sending notifications: in-app rows now; e-mail, SMS and WeCom robots through the delivery log after the
transaction commits (jiceng.channels, per each recipient's preferences).

Every notification is made here, from a key of the registry in jiceng.accounts.notifications and its parameters,
so each reader sees it in their own language (decision 048).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps

from .identity import identity_changed
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
    identity_changed(recipients)  # bulk_create sends no signal: the unread counts kept with them
    if apps.is_installed("jiceng.channels"):
        from jiceng.channels.events import queue_for_notification

        queue_for_notification(list(recipients.values()), key, message, url)
    return rows
