"""Party members (党员). Personal data is stored whole and shown masked unless revealed (audited)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields
from jiceng.core.dates import add_years
from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedQuerySet
from jiceng.core.text import pinyin_keys
from jiceng.core.validators import (
    birth_date_mismatch,
    mask_id_number,
    mask_phone,
    validate_cn_mobile,
    validate_id_number,
)


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class MemberStatus(models.TextChoices):
    FULL = "full", _("正式党员")
    PROBATIONARY = "probationary", _("预备党员")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    SECONDARY = "secondary", _("中专/高中")
    BASIC = "basic", _("初中及以下")


class Occupation(models.TextChoices):
    """A member's occupation as the annual party statistics (党内统计) count it: the occupation categories of the
    Organization Department's statistics tables (党员队伍的职业构成)."""

    WORKER = "worker", _("工人")
    FARMER = "farmer", _("农牧渔民")
    PROFESSIONAL = "professional", _("专业技术人员")
    MANAGER = "manager", _("企事业单位管理人员")
    OFFICIAL = "official", _("党政机关工作人员")
    STUDENT = "student", _("学生")
    MILITARY = "military", _("军人、武警")
    RETIRED = "retired", _("离退休人员")
    OTHER = "other", _("其他职业人员")


def placement_errors(organization, party_group=None) -> dict[str, str]:
    """Where a member may be placed: in a branch, and optionally in one of its party groups.

    党章第八条: every member belongs to a 支部, 小组 or other specific unit of the party;
    《中国共产党支部工作条例(试行)》 (2018) 第二条 makes the branch the unit that educates, manages and
    supervises its members. A 党委 or 总支 leads branches and has no members of its own, and a party group is a
    part of a branch (decision 039).
    """
    from jiceng.organizations.models import MEMBER_KINDS, OrgKind

    errors = {}
    if organization is not None and organization.kind not in MEMBER_KINDS:
        if organization.kind == OrgKind.PARTY_GROUP:
            errors["organization"] = _("党员的组织关系应在党支部;党小组请在“所在党小组”中填写(党章第八条)。")
        else:
            errors["organization"] = _(
                "党员只能编入党支部、联合党支部或临时党支部,不能直接隶属于%(kind)s“%(name)s”"
                "(党章第八条、《中国共产党支部工作条例(试行)》第二条)。请选择它下属的支部。"
            ) % {"kind": organization.get_kind_display(), "name": organization.name}
    if party_group is not None:
        if party_group.kind != OrgKind.PARTY_GROUP:
            errors["party_group"] = _("“%(name)s”不是党小组。") % {"name": party_group.name}
        elif organization is not None and party_group.parent_id != organization.pk:
            errors["party_group"] = _("党小组“%(group)s”不属于“%(org)s”,党员只能编入本支部的党小组。") % {
                "group": party_group.name, "org": organization.name}
    return errors


class MemberQuerySet(ScopedQuerySet):
    def active(self) -> MemberQuerySet:
        """Members still on the platform's rolls (not transferred out of it)."""
        return self.filter(left_on__isnull=True)


class Member(models.Model):
    name = models.CharField(_("姓名"), max_length=50, db_index=True)
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(max_length=50, blank=True, editable=False, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = fields.DateField(_("出生日期"))
    id_number = models.CharField(_("公民身份号码"), max_length=18, unique=True, validators=[validate_id_number])
    phone = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[validate_cn_mobile])
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    occupation = models.CharField(_("职业"), max_length=16, choices=Occupation.choices, blank=True)
    join_date = fields.DateField(_("入党日期"))
    full_date = fields.DateField(_("转正日期"), null=True, blank=True)
    status = models.CharField(_("党员类别"), max_length=16, choices=MemberStatus.choices,
                              default=MemberStatus.FULL)
    # A member is always in exactly one organization, a branch (支部, 联合支部 or 临时支部: see `clean`); transfers
    # move them in one transaction.
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="members",
        verbose_name=_("所在党组织"), db_index=False,  # member_org_active_status leads with it (decision 056)
    )
    # Optionally one of that branch's party groups (党小组), beside the branch rather than instead of it, so scopes,
    # counts and reports by branch stay as they are (decision 039).
    party_group = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="group_members",
        limit_choices_to={"kind": "party_group"}, verbose_name=_("所在党小组"),
    )
    employer = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL, related_name="members",
        verbose_name=_("工作单位"), db_index=False,  # member_employer_active_status leads with it (decision 056)
    )
    residence = models.CharField(_("居住地"), max_length=200, blank=True)
    is_mobile = models.BooleanField(_("流动党员"), default=False)
    # Set when a transfer to an organization outside the platform completes; the record is kept.
    left_on = fields.DateField(_("转出日期"), null=True, blank=True, editable=False)
    left_to = models.CharField(_("转往"), max_length=200, blank=True, editable=False)
    households_contacted = models.PositiveIntegerField(
        _("联系户数"), default=0, validators=[MinValueValidator(0)]
    )
    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials"])

    objects = MemberQuerySet.as_manager()
    # Shown masked wherever they appear, change history included.
    personal_fields = {"id_number": mask_id_number, "phone": mask_phone}
    # Roles that may create and edit these (within their scope).
    edit_roles = ("district_admin", "street_staff", "org_secretary")

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["name", "pk"]
        # Coverage and compliance counts filter members by organization or employer, on the rolls, by status.
        indexes = [
            models.Index(fields=["organization", "left_on", "status"], name="member_org_active_status"),
            models.Index(fields=["employer", "left_on", "status"], name="member_employer_active_status"),
            # The member list's order within a scope: a street's 6,500 members are sorted from this index alone,
            # where reading each member's row to sort by name took 12 ms on SQLite (decision 081).
            models.Index(fields=["organization", "name"], name="member_org_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return pk_url("members:member_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        q = scope.organization_q("organization__")
        if scope.member_ids:
            q |= models.Q(pk__in=scope.member_ids)
        return q

    @property
    def id_number_masked(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self) -> str:
        return mask_phone(self.phone)

    def clean(self) -> None:
        errors = {}
        if self.id_number:
            self.id_number = self.id_number.strip().upper()
            errors.update(birth_date_mismatch(self.id_number, self.birth_date))
        today = timezone.localdate()
        if self.join_date and self.join_date > today:
            errors["join_date"] = _("入党日期不能晚于今天。")
        if self.birth_date and self.join_date and self.join_date < add_years(self.birth_date, 18):
            errors["join_date"] = _("入党时应年满十八岁。")
        if self.status == MemberStatus.FULL and self.full_date and self.join_date and self.full_date < self.join_date:
            errors["full_date"] = _("转正日期不能早于入党日期。")
        errors.update(placement_errors(self.organization if self.organization_id else None,
                                       self.party_group if self.party_group_id else None))
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        super().save(*args, **kwargs)
