"""The application pipeline (发展党员): an applicant's recorded steps from application to full membership.

Which steps exist, in which stage they may be recorded and what each requires is declared as data in
`jiceng.members.pipeline`; the models only keep what happened.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields
from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager
from jiceng.core.text import pinyin_keys
from jiceng.core.validators import (
    birth_date_mismatch,
    mask_id_number,
    mask_phone,
    validate_cn_mobile,
    validate_id_number,
)

from .member import Gender


class Stage(models.TextChoices):
    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    TARGET = "target", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")
    CLOSED = "closed", _("已终止")


class Application(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False, db_index=True)
    name_initials = models.CharField(max_length=50, blank=True, editable=False, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = fields.DateField(_("出生日期"))
    id_number = models.CharField(_("公民身份号码"), max_length=18, validators=[validate_id_number])
    phone = models.CharField(_("手机号码"), max_length=11, blank=True, validators=[validate_cn_mobile])
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT,
                                     related_name="applications", verbose_name=_("培养党组织"))
    employer = models.ForeignKey("enterprises.Enterprise", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+", verbose_name=_("工作单位"))
    stage = models.CharField(_("所处阶段"), max_length=16, choices=Stage.choices, default=Stage.APPLICANT,
                             db_index=True)
    member = models.OneToOneField("members.Member", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="application", verbose_name=_("党员档案"), editable=False)
    created = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords(excluded_fields=["name_pinyin", "name_initials"])

    objects = ScopedManager()
    edit_roles = ("district_admin", "street_staff", "org_secretary")
    personal_fields = {"id_number": mask_id_number, "phone": mask_phone}

    class Meta:
        verbose_name = _("入党申请")
        verbose_name_plural = _("发展党员")
        ordering = ["-created", "pk"]
        constraints = [
            # One pipeline per person at a time; a closed one may be followed by a new application.
            models.UniqueConstraint(fields=["id_number"], condition=~models.Q(stage="closed"),
                                    name="application_one_open_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.get_stage_display()})"

    def save(self, *args, **kwargs):
        self.name_pinyin, self.name_initials = pinyin_keys(self.name)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return pk_url("members:application_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        q = scope.organization_q("organization__")
        if scope.member_ids:
            q |= models.Q(member_id__in=scope.member_ids)
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
        if self.organization_id and not self.organization.is_branch:
            errors["organization"] = _("发展党员工作由党支部负责,请选择一个支部。")
        if errors:
            raise ValidationError(errors)


class ApplicationStep(models.Model):
    """One recorded step; which steps are valid when is decided by `pipeline.record_step`."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="steps",
                                     verbose_name=_("入党申请"))
    code = models.CharField(_("步骤"), max_length=32)
    date = fields.DateField(_("日期"))
    note = models.TextField(_("说明"), blank=True)
    reference = models.CharField(_("文号/记录"), max_length=100, blank=True,
                                 help_text=_("如上级党委备案号、支部大会决议记录"))
    people = models.CharField(_("参与人员"), max_length=200, blank=True, help_text=_("如谈话人、培养联系人"))
    introducers = models.ManyToManyField("members.Member", blank=True, related_name="introduced_steps",
                                         verbose_name=_("入党介绍人"))
    contacts = models.ManyToManyField("members.Member", blank=True, related_name="cultivation_steps",
                                      verbose_name=_("培养联系人"))
    # A public notice (公示) runs from the step's date to this day; the rules count its working days.
    ends_on = fields.DateField(_("公示截止日期"), null=True, blank=True)
    training_days = models.PositiveSmallIntegerField(_("培训天数"), null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField(_("培训学时"), null=True, blank=True)
    extension_months = models.PositiveSmallIntegerField(_("延长月数"), null=True, blank=True,
                                                        validators=[MinValueValidator(1)])
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发展步骤")
        verbose_name_plural = _("发展步骤")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        from jiceng.members.pipeline import STEPS

        return f"{self.date} {STEPS[self.code].label if self.code in STEPS else self.code}"


class ApplicationDocument(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents",
                                    verbose_name=_("入党申请"))
    step = models.ForeignKey(ApplicationStep, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="documents", verbose_name=_("步骤"))
    title = models.CharField(_("名称"), max_length=100)
    file = models.FileField(_("文件"), upload_to="applications/%Y/%m/", validators=[
        FileExtensionValidator(["pdf", "jpg", "jpeg", "png", "doc", "docx"])])
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("材料")
        verbose_name_plural = _("材料")

    def __str__(self) -> str:
        return self.title
