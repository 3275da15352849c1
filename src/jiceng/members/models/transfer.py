"""Organization-relationship transfers (组织关系转接).

A member's organization changes only when a transfer completes, in the same transaction; while a
transfer is open the member stays in the issuing organization and the transfer shows where they go.
"""

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


class TransferDirection(models.TextChoices):
    INTERNAL = "internal", _("平台内转接")
    OUTGOING = "outgoing", _("转出平台外")
    INCOMING = "incoming", _("从平台外转入")


class TransferState(models.TextChoices):
    REQUESTED = "requested", _("已申请")
    ISSUED = "issued", _("已开具")
    RECEIVED = "received", _("已接收")
    COMPLETED = "completed", _("已完成")
    RETURNED = "returned", _("已退回")
    EXPIRED = "expired", _("已过期")


OPEN_STATES = (TransferState.REQUESTED, TransferState.ISSUED, TransferState.RECEIVED)
# States in which a letter exists (it has a number, an issue date and a validity).
LETTER_STATES = (TransferState.ISSUED, TransferState.RECEIVED)


class LetterScope(models.TextChoices):
    """Where a letter goes, which sets its validity (`LetterValidity`)."""

    WITHIN_CITY = "within_city", _("本市范围内")
    OUTSIDE_CITY = "outside_city", _("本市以外")


class LetterValidity(models.Model):
    """How long a letter (组织关系介绍信) stays valid, by where it goes — data an administrator can change.

    The letter's own instructions (中组部统一式样《中国共产党党员组织关系介绍信》) let the issuing committee set the
    validity by distance, generally no more than three months; local practice gives about a month within a city
    (often written as 10 days) and up to three months beyond it. Defaults: within the city 1 month, outside it 3
    months (migration members 0005); `TRANSFER_VALID_MONTHS` (3) caps any row.
    """

    scope = models.CharField(_("去向"), max_length=16, choices=LetterScope.choices, unique=True)
    months = models.PositiveSmallIntegerField(_("有效期(月)"), validators=[MinValueValidator(1)])
    source = models.CharField(_("依据"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("介绍信有效期")
        verbose_name_plural = _("介绍信有效期")
        ordering = ["scope"]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.months}"

    def clean(self) -> None:
        cap = settings.JICENG["TRANSFER_VALID_MONTHS"]
        if self.months and self.months > cap:
            raise ValidationError({"months": _("介绍信有效期一般不超过 %(cap)s 个月。") % {"cap": cap}})


class Transfer(models.Model):
    member = models.ForeignKey("members.Member", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="transfers", verbose_name=_("党员"))
    direction = models.CharField(_("类型"), max_length=16, choices=TransferDirection.choices)
    from_organization = models.ForeignKey("organizations.Organization", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="transfers_out",
                                          verbose_name=_("转出党组织"))
    to_organization = models.ForeignKey("organizations.Organization", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="transfers_in",
                                        verbose_name=_("接收党组织"))
    external_organization = models.CharField(_("平台外党组织"), max_length=200, blank=True)
    scope = models.CharField(_("去向"), max_length=16, choices=LetterScope.choices, default=LetterScope.WITHIN_CITY)
    # The organization that issued the letter: one with transfer authority (基层党委 or 组织部门), over the member's
    # branch. Empty while the branch's request waits, and for letters from outside the platform.
    issued_by = models.ForeignKey("organizations.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="letters_issued", verbose_name=_("开具党组织"))
    requested_on = fields.DateField(_("申请日期"), null=True, blank=True)
    letter_no = models.CharField(_("介绍信编号"), max_length=50, blank=True)
    issue_date = fields.DateField(_("开具日期"), null=True, blank=True)
    valid_until = fields.DateField(_("有效期至"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=TransferState.choices,
                             default=TransferState.ISSUED, db_index=True)
    received_on = fields.DateField(_("接收日期"), null=True, blank=True)
    completed_on = fields.DateField(_("完成日期"), null=True, blank=True)
    receipt_returned_on = fields.DateField(_("回执退回日期"), null=True, blank=True)
    reason = models.CharField(_("原因/说明"), max_length=200, blank=True)
    # For incoming transfers the person is not in the platform yet: their details travel with the letter.
    incoming_details = models.JSONField(_("转入人员信息"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("经办人"))
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff", "org_secretary")

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            # A member can be in only one open transfer (requested, issued or received) at a time.
            models.UniqueConstraint(fields=["member"],
                                    condition=models.Q(state__in=["requested", "issued", "received"]),
                                    name="transfer_one_open_per_member"),
            # Letter numbers are unique; a request has none until the letter is issued.
            models.UniqueConstraint(fields=["letter_no"], condition=~models.Q(letter_no=""),
                                    name="transfer_unique_letter_no",
                                    violation_error_message=_("介绍信编号已存在。")),
        ]

    def __str__(self) -> str:
        return f"{self.letter_no or _('(待开具)')} {self.person_name}"

    def get_absolute_url(self) -> str:
        return pk_url("members:transfer_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        """Both ends see a transfer: the issuing and the receiving organization's people."""
        q = models.Q(pk__in=[])
        for end in ("from_organization__", "to_organization__"):
            q |= scope.organization_q(end)
        if scope.member_ids:
            q |= models.Q(member_id__in=scope.member_ids)
        return q

    @property
    def person_name(self) -> str:
        return self.member.name if self.member_id else self.incoming_details.get("name", "")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def destination(self) -> str:
        return str(self.to_organization) if self.to_organization_id else self.external_organization

    @property
    def origin(self) -> str:
        return str(self.from_organization) if self.from_organization_id else self.external_organization

    def clean(self) -> None:
        errors = {}
        if self.state in LETTER_STATES and not (self.letter_no and self.issue_date and self.valid_until):
            errors["letter_no"] = _("已开具的介绍信须有编号、开具日期和有效期。")
        if self.valid_until and self.issue_date and self.valid_until < self.issue_date:
            errors["valid_until"] = _("有效期不能早于开具日期。")
        if self.direction == TransferDirection.INTERNAL:
            if not (self.from_organization_id and self.to_organization_id):
                errors["to_organization"] = _("平台内转接须有转出和接收党组织。")
            elif self.from_organization_id == self.to_organization_id:
                errors["to_organization"] = _("接收党组织不能与转出党组织相同。")
        elif self.direction == TransferDirection.OUTGOING:
            if not self.external_organization:
                errors["external_organization"] = _("转出平台外须填写接收党组织名称。")
        elif self.direction == TransferDirection.INCOMING:
            if not self.to_organization_id:
                errors["to_organization"] = _("转入须指定接收党组织。")
            if not self.external_organization:
                errors["external_organization"] = _("须填写原党组织名称。")
        if self.to_organization_id and not self.to_organization.is_branch:
            # Completion puts the member in the receiving organization, which must therefore be a branch
            # (党章第八条; decision 039).
            errors["to_organization"] = _("接收党组织须为党支部、联合党支部或临时党支部:党员不能直接编入党委、"
                                          "党总支或党小组(党章第八条)。")
        if errors:
            raise ValidationError(errors)
