"""Notification channels: the delivery log, WeCom group robots, per-user preferences, mobile numbers and
one-time SMS codes (issue 19).

- ``Delivery``: one message to one recipient on one channel (e-mail, SMS, WeCom robot), queued after the
  transaction that caused it commits and attempted by the task queue with retries (delivery.py, decision 071).
- ``Robot``: a WeCom (企业微信) group robot: its webhook URL, the street it serves (none: a group such as the
  区投资办's that hears every street) and the event kinds it is told of (events.py, decision 072).
- ``Preference``: which event kinds a user wants on which channel; a missing row means the defaults.
- ``UserContact``: a user's mobile number (unique; verified when registered with an SMS code).
- ``VerificationCode`` / ``MobileLock``: one-time SMS codes, stored hashed, and the lock after five wrong ones.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager
from jiceng.core.validators import mask_phone


class Channel(models.TextChoices):
    INAPP = "inapp", _("站内")
    EMAIL = "email", _("电子邮件")
    SMS = "sms", _("短信")
    WECOM = "wecom", _("企业微信群机器人")


class EventKind(models.TextChoices):
    """The notification keys (accounts/notifications.py) grouped into the kinds a user chooses channels for."""

    DEMANDS = "demands", _("需求派单、督办与办结")
    RISK = "risk", _("稳商风险预警")
    ACTIVITIES = "activities", _("活动取消、候补与提醒")
    VENUES = "venues", _("场地预约")
    LISTS = "lists", _("三张清单认领与项目")
    GOVERNANCE = "governance", _("楼宇治理与系统提醒")
    ACCOUNT = "account", _("账户与验证码")


class Status(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RETRYING = "retrying", _("重试中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("失败")


class Robot(models.Model):
    """A WeCom group robot (企业微信群机器人). Its webhook URL holds the robot's key: it is a secret, shown masked."""

    name = models.CharField(_("名称"), max_length=100)
    webhook_url = models.URLField(_("Webhook 地址"), max_length=500)
    place = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("所属街道"),
                              help_text=_("留空:不分街道的群(如区投资办),收到各街道的事件。"))
    district = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                 verbose_name=_("所属区"))
    kinds = models.JSONField(_("推送的事件"), default=list, blank=True,
                             help_text=_("事件类型代码列表,如 [\"demands\", \"risk\"]。"))
    markdown = models.BooleanField(_("Markdown 格式"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    created = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedManager()
    edit_roles = ("district_admin",)

    class Meta:
        verbose_name = _("企业微信群机器人")
        verbose_name_plural = _("企业微信群机器人")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # District admins manage their district's robots; street staff see their street's.
        q = Q(pk__in=[])
        if scope.district_ids:
            q |= Q(district__in=scope.district_ids)
        if scope.street_ids:
            q |= Q(place__in=scope.street_ids)
        return q

    def save(self, *args, **kwargs):
        if self.place_id:
            self.district_id = self.place.district_id or self.district_id
        super().save(*args, **kwargs)

    @property
    def masked_url(self) -> str:
        return mask_webhook(self.webhook_url)


def mask_webhook(url: str) -> str:
    """The robot URL with its key hidden (the key alone lets anyone post to the group)."""
    head, sep, key = (url or "").partition("key=")
    if not sep:
        return url[:30] + ("…" if len(url) > 30 else "")
    return f"{head}key={key[:4]}****"


class Delivery(models.Model):
    """One message on one channel to one recipient, with its attempts (the delivery log)."""

    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+", verbose_name=_("接收用户"))
    robot = models.ForeignKey(Robot, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries",
                              verbose_name=_("群机器人"))
    recipient = models.CharField(_("接收方"), max_length=254)
    event = models.CharField(_("事件"), max_length=60, db_index=True)
    summary = models.CharField(_("内容摘要"), max_length=200)
    payload = models.JSONField(_("内容"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.QUEUED,
                              db_index=True)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    answer = models.TextField(_("回应或错误"), blank=True)
    next_attempt = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    district = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    street = models.ForeignKey("places.Place", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated = models.DateTimeField(_("更新时间"), auto_now=True)
    sent = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        verbose_name = _("通知投递")
        verbose_name_plural = _("通知投递记录")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.masked_recipient}: {self.summary[:40]}"

    def get_absolute_url(self) -> str:
        return pk_url("channels:delivery_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> Q:
        # Everyone sees what was sent to them; a district's admins and a street's staff see their place's log.
        q = Q(user_id=scope.user_id) if scope.user_id else Q(pk__in=[])
        if scope.district_ids:
            q |= Q(district__in=scope.district_ids)
        if scope.street_ids:
            q |= Q(street__in=scope.street_ids)
        return q

    @property
    def masked_recipient(self) -> str:
        """Phones masked (OWASP ASVS V8.3.4, as everywhere: core/validators.mask_phone), robot keys hidden."""
        if self.channel == Channel.SMS:
            return mask_phone(self.recipient)
        if self.channel == Channel.WECOM:
            return self.robot.name if self.robot_id and self.robot else mask_webhook(self.recipient)
        if self.channel == Channel.EMAIL:
            name, _at, domain = self.recipient.partition("@")
            return f"{name[:2]}***@{domain}" if domain else self.recipient
        return self.recipient


class Preference(models.Model):
    """A user's choice of channels for one event kind (in-app is always on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences")
    kind = models.CharField(_("事件类型"), max_length=20, choices=EventKind.choices)
    email = models.BooleanField(_("电子邮件"), default=True)
    sms = models.BooleanField(_("短信"), default=False)
    wecom = models.BooleanField(_("企业微信群"), default=False)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="channel_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"


class UserContact(models.Model):
    """A user's mobile number (one account per number), kept here rather than on the accounts app's tables."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact")
    mobile = models.CharField(_("手机号码"), max_length=11, unique=True, null=True, blank=True)
    verified_at = models.DateTimeField(_("验证时间"), null=True, blank=True)

    personal_fields = {"mobile": mask_phone}

    class Meta:
        verbose_name = _("联系方式")
        verbose_name_plural = _("联系方式")

    def __str__(self) -> str:
        return mask_phone(self.mobile)


class VerificationCode(models.Model):
    """A one-time code sent by SMS: only its hash is kept (verification.py)."""

    mobile = models.CharField(_("手机号码"), max_length=11, db_index=True)
    purpose = models.CharField(_("用途"), max_length=30)
    code_hash = models.CharField(max_length=128)
    address = models.GenericIPAddressField(null=True, blank=True)
    created = models.DateTimeField(db_index=True)
    expires = models.DateTimeField()
    used = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        indexes = [models.Index(fields=["mobile", "purpose", "-created"], name="code_latest")]

    def __str__(self) -> str:
        return f"{mask_phone(self.mobile)} {self.purpose} {self.created:%Y-%m-%d %H:%M}"


class MobileLock(models.Model):
    """Too many wrong codes for a mobile: no code is accepted until ``until``."""

    mobile = models.CharField(_("手机号码"), max_length=11, unique=True)
    until = models.DateTimeField(_("锁定至"))

    class Meta:
        verbose_name = _("手机号锁定")
        verbose_name_plural = _("手机号锁定")

    def __str__(self) -> str:
        return f"{mask_phone(self.mobile)} → {self.until:%Y-%m-%d %H:%M}"
