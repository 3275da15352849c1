"""The message wall (留言墙) of an activity: leaving a message, the moderators' queue, approving and rejecting.

Rules (docs/decisions/078):
- Who may write: a signed-in user, or, without login, someone who signed up for the activity (the mobile number
  must match an active sign-up; the public activity page has no other way to know them).
- Nothing shows until a moderator approves it: the activity's organizers, building workers and street staff whose
  scope covers it (`services.can_manage`). Pre-moderation is what the Provisions on the Governance of the Online
  Information Content Ecosystem (网络信息内容生态治理规定, art. 9) expect of a platform that publishes users' posts.
- Text is plain: control characters stripped (core/sanitize.py) and always escaped by the templates, never marked
  safe (OWASP XSS Prevention Cheat Sheet, rule 1).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from jiceng.core.sanitize import strip_control_chars
from jiceng.core.scoping import scope_for
from jiceng.core.validators import normalize_cn_mobile

from . import services
from .models import (
    ACTIVE_SIGNUP_STATUSES,
    WALL_MESSAGE_MAX,
    Activity,
    ActivityMessage,
    MessageStatus,
    managed_activities,
)

WALL_SHOWN = 50


def approved_messages(activity: Activity, limit: int = WALL_SHOWN) -> list[ActivityMessage]:
    """What the public page shows: approved messages only, newest first (name and text, nothing else)."""
    return list(activity.messages.filter(status=MessageStatus.APPROVED).only(
        "author_name", "text", "created", "activity_id").order_by("-created", "-pk")[:limit])


def post_message(activity: Activity, *, text: str, name: str = "", phone: str = "", user=None,
                 now=None) -> ActivityMessage:
    """Leave a message (pending). A ValidationError names the field: `text`, `name`, `phone` or `activity`."""
    signed_in = getattr(user, "is_authenticated", False)
    text = " ".join(strip_control_chars(text or "").split())
    name = " ".join(strip_control_chars(name or "").split())
    errors: dict[str, list[str]] = {}
    if not activity.public and not (signed_in and Activity.objects.restrict(user).filter(pk=activity.pk).exists()):
        raise ValidationError({"activity": [_("该活动不接受留言。")]})
    if not text:
        errors["text"] = [_("请填写留言内容。")]
    elif len(text) > WALL_MESSAGE_MAX:
        errors["text"] = [_("留言不能超过 %(n)d 个字。") % {"n": WALL_MESSAGE_MAX}]
    signup = None
    if signed_in:
        name = name or user.get_full_name() or user.get_username()
        signup = activity.signups.filter(user=user, status__in=ACTIVE_SIGNUP_STATUSES).first()
    else:
        phone = normalize_cn_mobile(phone or "")
        signup = activity.signups.filter(phone=phone, status__in=ACTIVE_SIGNUP_STATUSES).first() if phone else None
        if signup is None:
            errors["phone"] = [_("请填写报名时使用的手机号码:报名后才能留言。")]
        name = name or (signup.name if signup else "")
    if not name and "phone" not in errors:
        errors["name"] = [_("请填写署名。")]
    if errors:
        raise ValidationError(errors)
    message = ActivityMessage(activity=activity, text=text, author_name=name[:50], phone=phone if not signed_in else "",
                              signup=signup, user=user if signed_in else None, created=now or timezone.now())
    message.save()
    return message


@transaction.atomic
def moderate(message: ActivityMessage, *, approve: bool, user, now=None) -> ActivityMessage:
    """Approve or reject a message; only its activity's moderators may (PermissionDenied otherwise)."""
    if not services.can_manage(user, message.activity):
        raise PermissionDenied(_("只有活动的组织者、楼宇党群工作者或街道工作人员可以审核留言。"))
    message.status = MessageStatus.APPROVED if approve else MessageStatus.REJECTED
    message.moderated_by, message.moderated_at = user, now or timezone.now()
    message.save(update_fields=["status", "moderated_by", "moderated_at"])
    return message


def moderation_queue(user) -> QuerySet[ActivityMessage]:
    """Pending messages on the activities the user may manage, oldest first."""
    if not getattr(user, "is_authenticated", False):
        return ActivityMessage.objects.none()
    qs = ActivityMessage.objects.filter(status=MessageStatus.PENDING)
    if not user.is_superuser:
        if not services.can_write(user, Activity):
            return ActivityMessage.objects.none()
        qs = qs.filter(activity__in=managed_activities(scope_for(user)))
    return qs.select_related("activity").order_by("created", "pk")


class MessageForm(forms.Form):
    text = forms.CharField(label=_lazy("留言"), max_length=WALL_MESSAGE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
    name = forms.CharField(label=_lazy("署名"), required=False, max_length=50,
                           widget=forms.TextInput(attrs={"class": "form-control"}))
    phone = forms.CharField(label=_lazy("报名手机号"), required=False, max_length=20,
                            widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "tel"}))


def message_form(request, data=None) -> MessageForm:
    form = MessageForm(data)
    if request.user.is_authenticated:
        del form.fields["phone"]
    return form
