"""Enterprises and social organizations (两新组织)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields
from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager
from jiceng.core.text import pinyin_keys
from jiceng.core.validators import mask_phone, validate_uscc
from jiceng.places.models import ENTERPRISE_PLACE_KINDS, Located


class EnterpriseKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    SOCIAL_ORG = "social_org", _("社会组织")


class Ownership(models.TextChoices):
    PRIVATE = "private", _("民营")
    FOREIGN = "foreign", _("外资")
    HMT = "hmt", _("港澳台资")
    STATE_OWNED = "state_owned", _("国有")
    COLLECTIVE = "collective", _("集体")
    NONPROFIT = "nonprofit", _("非营利")


# Non-public (非公) ownership kinds: the coverage rule for 50+ employees applies to these.
NON_PUBLIC = (Ownership.PRIVATE, Ownership.FOREIGN, Ownership.HMT)


class Industry(models.TextChoices):
    """GB/T 4754-2017 sections."""

    A = "A", _("A 农、林、牧、渔业")
    B = "B", _("B 采矿业")
    C = "C", _("C 制造业")
    D = "D", _("D 电力、热力、燃气及水生产和供应业")
    E = "E", _("E 建筑业")
    F = "F", _("F 批发和零售业")
    G = "G", _("G 交通运输、仓储和邮政业")
    H = "H", _("H 住宿和餐饮业")
    I = "I", _("I 信息传输、软件和信息技术服务业")  # noqa: E741
    J = "J", _("J 金融业")
    K = "K", _("K 房地产业")
    L = "L", _("L 租赁和商务服务业")
    M = "M", _("M 科学研究和技术服务业")
    N = "N", _("N 水利、环境和公共设施管理业")
    O = "O", _("O 居民服务、修理和其他服务业")  # noqa: E741
    P = "P", _("P 教育")
    Q = "Q", _("Q 卫生和社会工作")
    R = "R", _("R 文化、体育和娱乐业")
    S = "S", _("S 公共管理、社会保障和社会组织")
    T = "T", _("T 国际组织")


class Enterprise(Located):
    name = models.CharField(_("名称"), max_length=200, db_index=True)
    name_pinyin = models.CharField(max_length=400, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(max_length=100, blank=True, editable=False, db_index=True)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc]
    )
    kind = models.CharField(_("类别"), max_length=16, choices=EnterpriseKind.choices,
                            default=EnterpriseKind.ENTERPRISE)
    ownership = models.CharField(_("经济类型"), max_length=16, choices=Ownership.choices,
                                 default=Ownership.PRIVATE)
    industry = models.CharField(_("行业门类"), max_length=1, choices=Industry.choices, blank=True)
    employees = models.PositiveIntegerField(_("从业人员数"), default=0, validators=[MinValueValidator(0)])
    unit_no = models.CharField(_("房号"), max_length=50, blank=True)
    lease_end = fields.DateField(_("租约到期日"), null=True, blank=True)
    registered_address = models.CharField(_("注册地址"), max_length=200, blank=True)
    actual_address = models.CharField(_("实际办公地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    # Work coverage (工作覆盖): a party-building instructor assigned where there is no organization yet.
    instructor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="instructed_enterprises", verbose_name=_("党建指导员"),
    )
    created = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials", "district", "street"])

    objects = ScopedManager()
    # Roles that may create and edit these (within their scope).
    edit_roles = ("district_admin", "street_staff", "building_worker")
    # The contact's phone is a person's: masked in forms and history like members' (docs/decisions/022).
    personal_fields = {"contact_phone": mask_phone}

    class Meta:
        verbose_name = _("两新组织")
        verbose_name_plural = _("两新组织")
        ordering = ["name", "pk"]
        indexes = [models.Index(fields=["street", "name"], name="enterprise_street_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return pk_url("enterprises:enterprise_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        q = scope.place_q("district", "street", "place__path")
        if scope.enterprise_ids:
            q |= models.Q(pk__in=scope.enterprise_ids)
        if scope.org_paths:
            from jiceng.organizations.models import Coverage

            q |= models.Q(pk__in=Coverage.objects.filter(scope.org_q("organization__path")).values("enterprise"))
        return q

    @property
    def contact_phone_masked(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_non_public(self) -> bool:
        return self.kind == EnterpriseKind.ENTERPRISE and self.ownership in NON_PUBLIC

    def clean(self) -> None:
        if self.credit_code:
            self.credit_code = self.credit_code.strip().upper()
        if self.place_id and self.place.kind not in ENTERPRISE_PLACE_KINDS:
            raise ValidationError({"place": _("企业应位于园区、楼宇、楼栋或单元。")})

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        super().save(*args, **kwargs)


# --- updates proposed by the enterprise's own contact (reviewed by the building worker) ------------------------------
class UpdateStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已退回")


class EnterpriseUpdate(models.Model):
    """A change an enterprise's contact (unit_contact role) proposes to their own enterprise: headcount, lease end
    and contact details. Applied only when a building worker (or street/district staff) approves it; the values
    before are kept so the history reads "45 → 30" (docs/decisions/079). A None means "no change"."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="updates",
                                   verbose_name=_("单位"))
    employees = models.PositiveIntegerField(_("从业人员数"), null=True, blank=True,
                                            validators=[MinValueValidator(0)])
    lease_end = fields.DateField(_("租约到期日"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    old_employees = models.PositiveIntegerField(_("原从业人员数"), null=True, blank=True, editable=False)
    old_lease_end = fields.DateField(_("原租约到期日"), null=True, blank=True, editable=False)
    old_contact_name = models.CharField(_("原联系人"), max_length=50, blank=True, editable=False)
    old_contact_phone = models.CharField(_("原联系电话"), max_length=20, blank=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=UpdateStatus.choices, default=UpdateStatus.PENDING,
                              db_index=True)
    reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("提交人"))
    created = models.DateTimeField(_("提交时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("审核人"))
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    personal_fields = {"contact_phone": mask_phone, "old_contact_phone": mask_phone}

    class Meta:
        verbose_name = _("单位信息更新")
        verbose_name_plural = _("单位信息更新")
        ordering = ["-created", "-pk"]
        constraints = [models.UniqueConstraint(fields=["enterprise"], condition=models.Q(status="pending"),
                                               name="enterprise_update_one_pending",
                                               violation_error_message=_("该单位已有待审核的更新。"))]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return pk_url("enterprises:update_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return models.Q(enterprise__in=Enterprise.objects.filter(Enterprise.scope_q(scope)).values("pk"))

    def changes(self) -> list[tuple[str, str, str]]:
        """(field label, before, after) for the fields this update changes; phones masked."""
        rows = []
        if self.employees is not None:
            rows.append((str(_("从业人员数")), str(self.old_employees if self.old_employees is not None else "—"),
                         str(self.employees)))
        if self.lease_end is not None:
            rows.append((str(_("租约到期日")), str(self.old_lease_end or "—"), str(self.lease_end)))
        if self.contact_name:
            rows.append((str(_("联系人")), self.old_contact_name or "—", self.contact_name))
        if self.contact_phone:
            rows.append((str(_("联系电话")), mask_phone(self.old_contact_phone) or "—", mask_phone(self.contact_phone)))
        return rows
