"""One-time SMS codes: ``send_code(mobile, purpose)`` and ``check_code(mobile, purpose, code)``.

The rules, with their sources:
- 6 random digits from ``secrets`` (NIST SP 800-63B §5.1.3.1: an out-of-band secret of at least 6 digits from an
  approved random generator), valid 5 minutes (ASVS V2.7.2: out-of-band codes expire after 10 minutes at most)
  and usable once (ASVS V2.7.3); a new code replaces the previous one.
- Stored only as a keyed hash (HMAC with the SECRET_KEY, ASVS V2.7.6 / V2.4): a copy of the database does not
  give away codes in their five minutes.
- Sending is rate-limited: one code per mobile per SMS_CODE_INTERVAL (60 s) and SMS_CODES_PER_ADDRESS (10) per
  client address per hour (ASVS V2.2.1 anti-automation; SMS cost "pumping"). Counted on the codes' own rows
  rather than the write-throttle cache (core/throttling.py), so every process sees the same counts and a code's
  row is the record of why it was refused.
- Five wrong codes for a mobile lock it for SMS_LOCK_MINUTES (30) (NIST SP 800-63B §5.2.2 rate limiting:
  guessing 6 digits must stay impractical; ASVS V2.2.1), with a message saying until when.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from jiceng.core.validators import normalize_cn_mobile, validate_cn_mobile

from .delivery import queue_deliveries
from .models import Channel, Delivery, MobileLock, VerificationCode

CODE_DIGITS = 6
VALID_MINUTES = 5
MAX_FAILURES = 5
PURPOSES = {"register": "注册", "login": "登录", "verify": "验证手机号"}


class CodeRefused(ValidationError):
    """A code not sent or not accepted, with a message for the person (and the seconds to wait, when known)."""

    def __init__(self, message: str, code: str, wait: int | None = None) -> None:
        super().__init__(message, code=code)
        self.wait = wait


@dataclass
class SentCode:
    delivery: Delivery
    code: str  # only for the console channel's development message (DEBUG); never shown otherwise


def _hash(mobile: str, purpose: str, code: str) -> str:
    return salted_hmac("jiceng.channels.verification", f"{mobile}:{purpose}:{code}", algorithm="sha256").hexdigest()


def clean_mobile(mobile: str) -> str:
    validate_cn_mobile(mobile)
    return normalize_cn_mobile(mobile)


def locked_until(mobile: str):
    lock = MobileLock.objects.filter(mobile=mobile, until__gt=timezone.now()).first()
    return lock.until if lock else None


def _refuse_locked(mobile: str) -> None:
    until = locked_until(mobile)
    if until:
        raise CodeRefused(_("验证码错误次数过多,该手机号已锁定至 %(time)s,请稍后再试。")
                          % {"time": timezone.localtime(until).strftime("%H:%M")}, "locked",
                          wait=int((until - timezone.now()).total_seconds()) + 1)


def send_code(mobile: str, purpose: str, address: str | None = None) -> SentCode:
    """Send a new code to ``mobile`` for ``purpose`` (queued on the SMS channel after commit)."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    mobile = clean_mobile(mobile)
    now = timezone.now()
    _refuse_locked(mobile)
    last = VerificationCode.objects.filter(mobile=mobile).order_by("-created").first()
    if last and (now - last.created).total_seconds() < settings.SMS_CODE_INTERVAL:
        wait = settings.SMS_CODE_INTERVAL - int((now - last.created).total_seconds())
        raise CodeRefused(_("验证码发送太频繁,请 %(seconds)s 秒后再试。") % {"seconds": wait}, "too_soon", wait=wait)
    if address and VerificationCode.objects.filter(
            address=address, created__gt=now - timezone.timedelta(hours=1)).count() >= settings.SMS_CODES_PER_ADDRESS:
        raise CodeRefused(_("本网络一小时内获取验证码次数过多,请稍后再试。"), "address_limit", wait=3600)
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    with transaction.atomic():
        VerificationCode.objects.filter(mobile=mobile, purpose=purpose, used__isnull=True).update(used=now)
        VerificationCode.objects.create(mobile=mobile, purpose=purpose, code_hash=_hash(mobile, purpose, code),
                                        address=address, created=now,
                                        expires=now + timezone.timedelta(minutes=VALID_MINUTES))
        text = _("【基层】您的%(purpose)s验证码是 %(code)s,%(minutes)s 分钟内有效。请勿告诉他人。") % {
            "purpose": _(PURPOSES[purpose]), "code": code, "minutes": VALID_MINUTES}
        (delivery,) = queue_deliveries([Delivery(
            channel=Channel.SMS, recipient=mobile, event=f"account.code.{purpose}",
            summary=_("验证码短信(%(purpose)s)") % {"purpose": _(PURPOSES[purpose])},
            payload={"purpose": "code", "params": {"code": code}, "text": text, "secret": True})])
    return SentCode(delivery, code)


def check_code(mobile: str, purpose: str, code: str) -> None:
    """Accept ``code`` (and use it up) or raise CodeRefused. Wrong answers count even when the caller's
    transaction rolls back (they are saved on their own)."""
    mobile = clean_mobile(mobile)
    _refuse_locked(mobile)
    now = timezone.now()
    current = (VerificationCode.objects.filter(mobile=mobile, purpose=purpose, used__isnull=True, expires__gt=now)
               .order_by("-created").first())
    if current is None:
        raise CodeRefused(_("验证码已过期或未获取,请重新获取验证码。"), "expired")
    given = (code or "").strip()
    if not hmac.compare_digest(current.code_hash, _hash(mobile, purpose, given)):
        current.failures += 1
        current.save(update_fields=["failures"])
        window = now - timezone.timedelta(minutes=settings.SMS_LOCK_MINUTES)
        wrong = sum(VerificationCode.objects.filter(mobile=mobile, created__gt=window)
                    .values_list("failures", flat=True))
        if wrong >= MAX_FAILURES:
            until = now + timezone.timedelta(minutes=settings.SMS_LOCK_MINUTES)
            MobileLock.objects.update_or_create(mobile=mobile, defaults={"until": until})
            VerificationCode.objects.filter(mobile=mobile, used__isnull=True).update(used=now)
            _refuse_locked(mobile)
        raise CodeRefused(_("验证码不正确,还可以再试 %(n)s 次。") % {"n": MAX_FAILURES - wrong}, "wrong")
    current.used = now
    current.save(update_fields=["used"])
