"""Party dues (党费): the rate table as data, each member's declared base, and payments. Money is Decimal."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields
from jiceng.core.scoping import Scope, ScopedManager


def _members_in_scope(scope: Scope) -> models.Q:
    """Dues rows belong to a member: in scope when the member is."""
    from .member import Member

    return models.Q(member__in=Member.objects.filter(Member.scope_q(scope)))


class DuesCategory(models.TextChoices):
    IN_SERVICE = "in_service", _("在职")
    RETIRED = "retired", _("离退休")
    FARMER = "farmer", _("农民")
    STUDENT = "student", _("学生/下岗失业/领取最低生活保障")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    WECHAT = "wechat", _("微信")
    ALIPAY = "alipay", _("支付宝")
    BANK = "bank", _("银行转账")


class DuesRate(models.Model):
    """One bracket of the rate table: bases up to `upper_bound` (inclusive) pay `percent`, or a fixed amount."""

    category = models.CharField(_("类别"), max_length=16, choices=DuesCategory.choices)
    effective_from = fields.DateField(_("施行日期"))
    upper_bound = models.DecimalField(_("月收入上限(含)"), max_digits=12, decimal_places=2, null=True, blank=True,
                                      help_text=_("留空表示无上限"))
    percent = models.DecimalField(_("比例(%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    fixed_amount = models.DecimalField(_("固定金额"), max_digits=8, decimal_places=2, null=True, blank=True)
    max_amount = models.DecimalField(_("自报最高金额"), max_digits=8, decimal_places=2, null=True, blank=True,
                                     help_text=_("固定金额类别可自报不超过此数"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党费标准")
        verbose_name_plural = _("党费标准")
        ordering = ["category", "-effective_from", models.F("upper_bound").asc(nulls_last=True)]

    def __str__(self) -> str:
        bound = f"≤{self.upper_bound}" if self.upper_bound is not None else "∞"
        what = f"{self.percent}%" if self.percent is not None else f"¥{self.fixed_amount}"
        return f"{self.get_category_display()} {bound} {what} ({self.effective_from})"

    def clean(self) -> None:
        if (self.percent is None) == (self.fixed_amount is None):
            raise ValidationError({"percent": _("比例与固定金额须且只能填写一项。")})


class DuesBase(models.Model):
    """A member's declared monthly base (after-tax salary) from a given month on."""

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues_bases",
                               verbose_name=_("党员"))
    category = models.CharField(_("类别"), max_length=16, choices=DuesCategory.choices,
                                default=DuesCategory.IN_SERVICE)
    base = models.DecimalField(_("月缴纳基数(税后工资)"), max_digits=12, decimal_places=2, default=Decimal("0"),
                               validators=[MinValueValidator(Decimal("0"))])
    declared_amount = models.DecimalField(_("自报金额"), max_digits=8, decimal_places=2, null=True, blank=True,
                                          validators=[MinValueValidator(Decimal("0"))])
    effective_month = fields.DateField(_("起始月份"), help_text=_("工资变动当月"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff", "org_secretary")

    class Meta:
        verbose_name = _("党费基数")
        verbose_name_plural = _("党费基数")
        ordering = ["member", "-effective_month"]
        constraints = [models.UniqueConstraint(fields=["member", "effective_month"], name="dues_base_one_per_month")]

    def __str__(self) -> str:
        return f"{self.member} {self.effective_month:%Y-%m} {self.base}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return _members_in_scope(scope)

    def clean(self) -> None:
        if self.effective_month:
            self.effective_month = self.effective_month.replace(day=1)


class DuesPayment(models.Model):
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="dues_payments",
                               verbose_name=_("党员"))
    month = fields.DateField(_("所属月份"), db_index=True)
    amount = models.DecimalField(_("金额"), max_digits=10, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    method = models.CharField(_("缴纳方式"), max_length=16, choices=PaymentMethod.choices, default=PaymentMethod.WECHAT)
    paid_on = fields.DateField(_("缴纳日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("记录人"))
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff", "org_secretary")

    class Meta:
        verbose_name = _("党费缴纳")
        verbose_name_plural = _("党费缴纳")
        ordering = ["-month", "member"]
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="dues_payment_one_per_month")]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m} ¥{self.amount}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return _members_in_scope(scope)


class ReliefKind(models.TextChoices):
    REDUCED = "reduced", _("少交")
    EXEMPT = "exempt", _("免交")


class DuesRelief(models.Model):
    """An approved reduction or exemption of a member's dues for a period of months (少交/免交党费).

    中共中央组织部《关于中国共产党党费收缴、使用和管理的规定》(2008), part 一 (党费的收缴): for members in real
    financial difficulty, after the branch discusses it and the committee above approves, dues may be reduced or
    waived. So each relief
    records its reason, who approved it and when, and the months it covers: an exempted month is not in arrears, a
    reduced month owes the reduced amount.
    """

    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="dues_reliefs",
                               verbose_name=_("党员"))
    kind = models.CharField(_("类型"), max_length=16, choices=ReliefKind.choices)
    amount = models.DecimalField(_("每月应交金额"), max_digits=8, decimal_places=2, null=True, blank=True,
                                 validators=[MinValueValidator(Decimal("0.01"))], help_text=_("少交时填写"))
    start_month = fields.DateField(_("起始月份"))
    end_month = fields.DateField(_("截止月份"))
    reason = models.CharField(_("原因"), max_length=200)
    approved_by = models.CharField(_("批准党组织"), max_length=200,
                                   help_text=_("党支部研究后报上一级党委批准(填写批准的党委)"))
    approved_on = fields.DateField(_("批准日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("记录人"))
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff", "org_secretary")

    class Meta:
        verbose_name = _("党费少交/免交")
        verbose_name_plural = _("党费少交/免交")
        ordering = ["member", "-start_month"]
        indexes = [models.Index(fields=["member", "start_month"], name="dues_relief_member_month")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display()} {self.start_month:%Y-%m}–{self.end_month:%Y-%m}"

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        return _members_in_scope(scope)

    def covers(self, month) -> bool:
        return self.start_month <= month <= self.end_month

    def clean(self) -> None:
        errors = {}
        if self.start_month:
            self.start_month = self.start_month.replace(day=1)
        if self.end_month:
            self.end_month = self.end_month.replace(day=1)
        if self.start_month and self.end_month and self.end_month < self.start_month:
            errors["end_month"] = _("截止月份不能早于起始月份。")
        if self.kind == ReliefKind.REDUCED and self.amount is None:
            errors["amount"] = _("少交须填写每月应交金额。")
        if self.kind == ReliefKind.EXEMPT and self.amount is not None:
            errors["amount"] = _("免交不填写金额。")
        if not (self.reason or "").strip():
            errors["reason"] = _("须说明少交或免交的原因。")
        if not (self.approved_by or "").strip():
            errors["approved_by"] = _("须填写批准的党组织(党支部研究后报上一级党委批准)。")
        if self.member_id and self.start_month and self.end_month and not errors:
            overlapping = DuesRelief.objects.filter(member_id=self.member_id, start_month__lte=self.end_month,
                                                    end_month__gte=self.start_month).exclude(pk=self.pk)
            if overlapping.exists():
                errors["start_month"] = _("该党员在这段时间已有少交/免交记录,期间不能重叠。")
        if errors:
            raise ValidationError(errors)
