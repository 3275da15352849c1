"""Roles, role assignments (what grants scope), audit events and login throttling."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区委组织部管理员")
    STREET_STAFF = "street_staff", _("街道党工委工作人员")
    BUILDING_WORKER = "building_worker", _("楼宇党群工作者")
    BUILDING_HEAD = "building_head", _("楼长/楼事会成员")
    ORG_SECRETARY = "org_secretary", _("党组织书记")
    UNIT_CONTACT = "unit_contact", _("联席会议成员单位联系人")
    MEMBER = "member", _("党员")
    DEPARTMENT_STAFF = "department_staff", _("职能部门工作人员")


# Which kind of object each role's assignment must point at (one scoping mechanism: see core/scoping.py).
ROLE_TARGET = {
    Role.DISTRICT_ADMIN: "place",
    Role.STREET_STAFF: "place",
    Role.BUILDING_WORKER: "place",
    Role.BUILDING_HEAD: "place",
    Role.ORG_SECRETARY: "organization",
    Role.UNIT_CONTACT: "enterprise",
    Role.MEMBER: "member",
    Role.DEPARTMENT_STAFF: "department",
}
# Roles that may reveal full ID numbers and phones (each reveal is audited).
PERSONAL_DATA_ROLES = {Role.DISTRICT_ADMIN, Role.ORG_SECRETARY}


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments",
        verbose_name=_("用户"),
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    place = models.ForeignKey(
        "places.Place", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("地域")
    )
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.CASCADE,
        verbose_name=_("党组织"),
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("单位")
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("党员")
    )
    department = models.ForeignKey(
        "departments.Department", null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("职能部门")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.target}"

    @property
    def target(self):
        return getattr(self, ROLE_TARGET[Role(self.role)])

    def clean(self) -> None:
        field = ROLE_TARGET[Role(self.role)]
        if getattr(self, f"{field}_id") is None:
            raise ValidationError({field: _("该角色必须指定此项。")})
        for other in ("place", "organization", "enterprise", "member", "department"):
            if other != field and getattr(self, f"{other}_id") is not None:
                raise ValidationError({other: _("该角色不使用此项。")})
        if field == "place":
            from jiceng.places.models import PlaceKind

            expected = {
                Role.DISTRICT_ADMIN: {PlaceKind.DISTRICT},
                Role.STREET_STAFF: {PlaceKind.STREET},
            }.get(Role(self.role))
            if expected and self.place.kind not in expected:
                raise ValidationError({"place": _("该角色的地域层级不正确。")})


class AuditEvent(models.Model):
    """Domain events that matter for accountability: exports, full-value reads, imports."""

    class Action(models.TextChoices):
        EXPORT = "export", _("导出")
        REVEAL = "reveal", _("查看完整个人信息")
        IMPORT = "import", _("导入")
        LOGIN_FAILED = "login_failed", _("登录失败")
        TOKEN = "token", _("签发令牌")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, verbose_name=_("用户")
    )
    action = models.CharField(_("动作"), max_length=32, choices=Action.choices)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象"), max_length=64, blank=True)
    detail = models.TextField(_("说明"), blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    created = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.created:%Y-%m-%d %H:%M} {self.user} {self.action} {self.object_type} {self.object_id}"


class LoginFailure(models.Model):
    """One failed login; counted per username and IP for throttling."""

    username = models.CharField(max_length=150, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username} @ {self.ip_address} {self.created:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """An in-app notification (also sent by e-mail when the user has an address).

    Stored as a message key and its parameters (jiceng.accounts.notifications, decision 048) and rendered in the
    reader's language; ``message`` keeps the sentence in the platform's default language (searching, e-mail, and
    rows made before keys existed, which have no key and show it as written).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications",
                             verbose_name=_("接收人"))
    key = models.CharField(_("消息类型"), max_length=50, blank=True)
    params = models.JSONField(_("消息参数"), default=dict, blank=True)
    message = models.CharField(_("内容"), max_length=300)
    url = models.CharField(_("链接"), max_length=200, blank=True)
    read = models.BooleanField(_("已读"), default=False)
    created = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "read", "-created"], name="notification_inbox")]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The notification in the active language (the stored sentence for rows without a known key)."""
        from .notifications import render

        return render(self.key, self.params, fallback=self.message)
