"""Protection of the public (no-login) form: throttling per client and spam checks that work offline.

No third-party captcha can be reached from closed government networks, so the form carries a hidden
honeypot field and a signed timestamp: a submission must come at least a few seconds after the form was
served and within two hours, with the honeypot empty.

The timestamp counts from the form's FIRST render. A page that comes back with a validation error keeps the
token it was posted with (`token_for_retry`), so a person who fixes a field and resubmits at once is never
told "too fast": the seconds they spent on the first page count. Re-issuing a fresh token with every error
page (as before) restarted the clock and punished exactly the people who had made a mistake. The check stays
meaningful: a script that posts the form straight after fetching it (OWASP Automated Threats to Web
Applications, OAT-017 Spamming; a minimum time between serving and submitting is a cheap behavioural check)
still has to wait the minimum from its own first fetch, a token cannot be forged or made younger (it is
signed), and the per-client throttle bounds the volume whatever the timing.
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


def form_token(issued: float | None = None) -> str:
    return signing.dumps(timezone.now().timestamp() if issued is None else issued, salt=SALT)


def _issued(token: str, *, max_age: int | None = MAX_SECONDS) -> float | None:
    """When a genuine token was issued; None when it is forged, malformed or (with max_age) expired."""
    try:
        return float(signing.loads(token or "", salt=SALT, max_age=max_age))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def spam_reason(token: str, honeypot: str, *, now: dt.datetime | None = None) -> str | None:
    """Why a submission looks automated: "honeypot", "token" (forged, missing or expired), "too_fast"; or None."""
    if honeypot:
        return "honeypot"
    issued = _issued(token)
    if issued is None:
        return "token"
    if (now or timezone.now()).timestamp() - issued < MIN_SECONDS:
        return "too_fast"
    return None


def looks_like_spam(token: str, honeypot: str, *, now: dt.datetime | None = None) -> bool:
    return spam_reason(token, honeypot, now=now) is not None


def token_for_retry(token: str, *, now: dt.datetime | None = None) -> str:
    """The token to put back into a form shown again with errors.

    A genuine, unexpired token is kept as it is: the clock runs from the first render, so fixing a field
    never restarts it. A genuine but expired one (the page stayed open for hours) is replaced by one dated
    MIN_SECONDS back: the person has waited long enough, only the two-hour window is renewed. A forged or
    missing token gets a fresh one, whose minimum time then runs from this page.
    """
    moment = (now or timezone.now()).timestamp()
    if _issued(token) is not None:
        return token
    if _issued(token, max_age=None) is not None:
        return form_token(moment - MIN_SECONDS)
    return form_token(moment)


def _client_hash(ip: str | None) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip or '-'}".encode()).hexdigest()


def throttled(ip: str | None) -> bool:
    since = timezone.now() - WINDOW
    PublicSubmission.objects.filter(created__lt=since).delete()
    return PublicSubmission.objects.filter(client_hash=_client_hash(ip), created__gte=since).count() >= MAX_PER_WINDOW


def record_submission(ip: str | None) -> None:
    PublicSubmission.objects.create(client_hash=_client_hash(ip))
