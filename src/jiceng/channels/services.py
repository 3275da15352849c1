"""Registering a resident or white-collar worker with their mobile number (``register``)."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import UserContact
from .verification import CodeRefused, check_code


class MobileTaken(CodeRefused):
    pass


def register(mobile: str, code: str, name: str, password: str):
    """Check the code, then make the account: username = the mobile number (or a generated one when that
    username exists), no role (a resident), the mobile verified. Raises CodeRefused / MobileTaken."""
    User = get_user_model()
    check_code(mobile, "register", code)  # the code's use and wrong answers are saved before the account
    username = mobile if not User.objects.filter(username=mobile).exists() else f"u{secrets.token_hex(5)}"
    try:
        with transaction.atomic():
            if UserContact.objects.filter(mobile=mobile).exists():
                raise MobileTaken(_("该手机号已注册,请直接登录。"), "mobile_used")
            user = User.objects.create_user(username=username, password=password, first_name=name[:150])
            UserContact.objects.create(user=user, mobile=mobile, verified_at=timezone.now())
    except IntegrityError as exc:  # two registrations of one number at the same moment
        raise MobileTaken(_("该手机号已注册,请直接登录。"), "mobile_used") from exc
    return user


def set_mobile(user, mobile: str | None, verified: bool = False) -> UserContact:
    contact, _created = UserContact.objects.get_or_create(user=user)
    contact.mobile = mobile or None
    contact.verified_at = timezone.now() if verified and mobile else None
    contact.save()
    return contact
