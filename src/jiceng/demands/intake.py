"""Protection of the public (no-login) form: throttling per client and spam checks that work offline.

No third-party captcha can be reached from closed government networks, so the form carries a hidden
honeypot field and a signed timestamp: a submission must come at least a few seconds after the form was
served and within two hours, with the honeypot empty.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core import signing
from django.utils import timezone

from .models import PublicSubmission

SALT = "jiceng.demands.public-form"
MIN_SECONDS = 3
MAX_SECONDS = 2 * 3600
MAX_PER_WINDOW = 5
WINDOW = dt.timedelta(minutes=10)


def form_token() -> str:
    return signing.dumps(timezone.now().timestamp(), salt=SALT)


def looks_like_spam(token: str, honeypot: str, *, now: dt.datetime | None = None) -> bool:
    if honeypot:
        return True
    try:
        issued = float(signing.loads(token or "", salt=SALT, max_age=MAX_SECONDS))
    except (signing.BadSignature, TypeError, ValueError):
        return True
    age = (now or timezone.now()).timestamp() - issued
    return age < MIN_SECONDS


def _client_hash(ip: str | None) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip or '-'}".encode()).hexdigest()


def throttled(ip: str | None) -> bool:
    since = timezone.now() - WINDOW
    PublicSubmission.objects.filter(created__lt=since).delete()
    return PublicSubmission.objects.filter(client_hash=_client_hash(ip), created__gte=since).count() >= MAX_PER_WINDOW


def record_submission(ip: str | None) -> None:
    PublicSubmission.objects.create(client_hash=_client_hash(ip))
