"""The channels: a small registry of senders, each ``send(delivery) -> answer`` or raising ``SendError``.

In-app notifications are the ``Notification`` rows themselves (accounts/notify.py): they have no sender. The
others go through the delivery log (delivery.py). A new channel is a class here registered with ``register``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Channel, Delivery

ANSWER_LIMIT = 500  # characters of a server's answer kept in the log


class SendError(Exception):
    """A failed attempt: the message goes into the log; the attempt is retried while retries remain."""


class Sender(Protocol):
    code: str
    label: Any

    def send(self, delivery: Delivery) -> str: ...


@dataclass(frozen=True)
class Registered:
    code: str
    label: Any
    sender: Sender


REGISTRY: dict[str, Registered] = {}


def register(sender: Sender) -> Sender:
    REGISTRY[sender.code] = Registered(sender.code, sender.label, sender)
    return sender


def sender_for(code: str) -> Sender:
    return REGISTRY[code].sender


def post_json(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, str]:
    """POST ``body`` as JSON; (status, answer text). A refused connection or a timeout is a SendError. The timeout
    is short (JICENG_DELIVERY_TIMEOUT, 5 s): a slow robot must not hold a worker."""
    if not url.lower().startswith(("http://", "https://")):  # no file: or other schemes from configured data
        raise SendError(f"not an http(s) URL: {url[:40]}")
    request = urllib.request.Request(url, data=body, method="POST",  # noqa: S310 - scheme checked above
                                     headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=settings.JICENG_DELIVERY_TIMEOUT) as response:  # noqa: S310 - checked
            return response.status, response.read(64 * 1024).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        text = exc.read(64 * 1024).decode("utf-8", "replace") if exc.fp else ""
        raise SendError(f"HTTP {exc.code}: {text[:ANSWER_LIMIT]}") from exc
    except TimeoutError as exc:
        raise SendError(f"timeout after {settings.JICENG_DELIVERY_TIMEOUT:g} s") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError | socket.timeout):
            raise SendError(f"timeout after {settings.JICENG_DELIVERY_TIMEOUT:g} s") from exc
        raise SendError(f"connection failed: {reason}") from exc


class EmailSender:
    code, label = Channel.EMAIL, _("电子邮件")

    def send(self, delivery: Delivery) -> str:
        payload = delivery.payload
        try:
            send_mail(subject=payload.get("subject", ""), message=payload.get("body", ""),
                      from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=[delivery.recipient],
                      fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - SMTP errors of every kind are a failed attempt, logged
            raise SendError(f"{type(exc).__name__}: {exc}") from exc
        return "ok"


class WecomSender:
    """企业微信群机器人: POST {"msgtype": "text"|"markdown", ...} to the robot's webhook URL. WeCom answers HTTP 200
    with {"errcode": 0, "errmsg": "ok"}; any other errcode (e.g. 93000 invalid webhook, 45009 too many messages:
    20 per minute per robot) is a failure."""

    code, label = Channel.WECOM, _("企业微信群机器人")

    def send(self, delivery: Delivery) -> str:
        body = json.dumps(delivery.payload, ensure_ascii=False).encode("utf-8")
        status, text = post_json(delivery.recipient, body)
        try:
            answer = json.loads(text)
        except ValueError as exc:
            raise SendError(f"HTTP {status}: not JSON: {text[:ANSWER_LIMIT]}") from exc
        if not isinstance(answer, dict) or answer.get("errcode") != 0:
            raise SendError(f"HTTP {status}: {text[:ANSWER_LIMIT]}")
        return text[:ANSWER_LIMIT]


def sign(key: str, timestamp: str, body: bytes) -> str:
    """The SMS request's signature: hex HMAC-SHA256 over "<timestamp>.<body>" with the shared key (docs/deploy.md).
    The timestamp is inside the signed text so a captured request cannot be replayed later with a new one."""
    return hmac.new(key.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def sms_request(delivery: Delivery, now: float | None = None) -> tuple[bytes, dict[str, str]]:
    """The gateway request: the JSON body and its headers (documented in docs/deploy.md)."""
    payload = delivery.payload
    purpose = payload.get("purpose", "notice")
    body = json.dumps({
        "mobile": delivery.recipient,
        "template": settings.JICENG_SMS_TEMPLATES.get(purpose) or settings.JICENG_SMS_TEMPLATE,
        "purpose": purpose,
        "params": payload.get("params", {}),
        "text": payload.get("text", ""),
        "id": delivery.pk,
    }, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    timestamp = str(int(now if now is not None else time.time()))
    headers = {"X-Jiceng-Timestamp": timestamp}
    if settings.JICENG_SMS_KEY:
        headers["X-Jiceng-Signature"] = "sha256=" + sign(settings.JICENG_SMS_KEY, timestamp, body)
    return body, headers


class SmsSender:
    """A generic HTTP gateway (JICENG_SMS_URL): any 2xx is sent. Without a URL, "console": the text is written
    to DATA_DIR/sms/outbox.log and kept in the log (the demo has no gateway)."""

    code, label = Channel.SMS, _("短信")

    def send(self, delivery: Delivery) -> str:
        if not settings.JICENG_SMS_URL:
            folder = Path(settings.DATA_DIR) / "sms"
            folder.mkdir(parents=True, exist_ok=True)
            with (folder / "outbox.log").open("a", encoding="utf-8") as out:
                out.write(f"{timezone.now().isoformat()} {delivery.recipient} {delivery.payload.get('text', '')}\n")
            return "console"
        body, headers = sms_request(delivery)
        status, text = post_json(settings.JICENG_SMS_URL, body, headers)
        return f"HTTP {status}: {text[:ANSWER_LIMIT]}"


def console_sms() -> bool:
    return not settings.JICENG_SMS_URL


register(EmailSender())
register(WecomSender())
register(SmsSender())
