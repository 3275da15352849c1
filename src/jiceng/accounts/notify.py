"""Sending notifications: in-app rows now, e-mail after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from .models import Notification


def notify(users: Iterable, message: str, url: str = "") -> list[Notification]:
    recipients = {u.pk: u for u in users if u is not None and u.is_active}
    rows = Notification.objects.bulk_create(
        [Notification(user=u, message=message[:300], url=url) for u in recipients.values()])
    emails = [u.email for u in recipients.values() if u.email]
    if emails:
        transaction.on_commit(lambda: send_mail(
            subject=f"[Jiceng] {message[:60]}", message=f"{message}\n{url}", from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=emails, fail_silently=True))
    return rows
