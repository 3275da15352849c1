"""Departments as data per district, and the department's side of work a street hands over (DepartmentWork)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedManager


def default_sign_days() -> int:
    """Working days a department has to sign for new work (JICENG_DEPARTMENT_SIGN_DAYS, default 1)."""
    return int(getattr(settings, "DEPARTMENT_SIGN_DAYS", 1))


class Department(models.Model):
    """A functional department of a district (区投资促进办, 市场监管所, 税务所, 人社, 城管 …) streets hand work."""

    district = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="departments",
                                 verbose_name=_("所属区"), limit_choices_to={"kind": "district"})
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    sign_days = models.PositiveSmallIntegerField(
        _("签收时限(工作日)"), default=default_sign_days, validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("派给本部门的事项须在此时限内签收或退单,逾期自动督办。"))
    active = models.BooleanField(_("启用"), default=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    edit_roles = ("district_admin",)

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["district", "name"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="department_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return pk_url("departments:department_detail", self.pk)

    @property
    def label(self) -> str:
        return self.short_name or self.name

    def clean(self) -> None:
        if self.district_id and self.district.kind != "district":
            raise ValidationError({"district": _("职能部门须属于一个区。")})

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        """A district's departments are reference data for everyone working in the district (its admins, its
        streets' staff, its buildings' workers and heads); a department's own users see their department."""
        from jiceng.places.models import Place

        q = models.Q(pk__in=scope.department_ids) if scope.department_ids else models.Q(pk__in=[])
        districts = set(scope.district_ids)
        districts |= {int(path.strip("/").split("/")[0]) for path in scope.place_paths if path.strip("/")}
        if districts:
            q |= models.Q(district_id__in=districts)
        if scope.street_ids:
            q |= models.Q(district_id__in=Place.objects.filter(pk__in=scope.street_ids).values("district_id"))
        return q

    def users(self):
        """The active users who work for this department (role 职能部门工作人员)."""
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(role_assignments__role="department_staff",
                                               role_assignments__department=self, is_active=True).distinct()


class DepartmentState(models.TextChoices):
    PENDING = "pending", _("待签收")
    SIGNED = "signed", _("已签收")
    RETURNED = "returned", _("已退单")


class DepartmentWork(models.Model):
    """The department's side of a piece of work a street hands over: to whom, by when it must be signed for, signed,
    returned (with the reason), escalated. Demands and risk follow-ups carry these fields."""

    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="%(app_label)s_%(class)s_set", verbose_name=_("承办部门(职能部门)"))
    # Database defaults: bulk inserts (core/bulk.insert_rows in the risk recompute and the seed) name their columns.
    department_state = models.CharField(_("部门签收"), max_length=10, choices=DepartmentState.choices, blank=True,
                                        default="", db_default="")
    sign_due = models.DateField(_("签收期限"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    return_reason = models.TextField(_("退单理由"), blank=True, max_length=1000, default="", db_default="")
    sign_escalated_at = models.DateTimeField(_("签收督办时间"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def awaiting_sign(self) -> bool:
        return self.department_id is not None and self.department_state == DepartmentState.PENDING

    def sign_overdue(self, today: dt.date) -> bool:
        return self.awaiting_sign and self.sign_due is not None and self.sign_due < today

    def hand_to(self, department: Department, today: dt.date) -> None:
        """Hand the work to `department`: it waits for the department's 签收 until `sign_due` (working days on the
        holiday calendar, the department's own limit)."""
        from jiceng.holidays.calendar import WorkCalendar

        self.department = department
        self.department_state = DepartmentState.PENDING
        self.sign_due = WorkCalendar().deadline(today, department.sign_days).date
        self.signed_at = self.sign_escalated_at = None
        self.return_reason = ""

    def check_department_user(self, user) -> None:
        if not is_member(user, self.department_id):
            raise ValidationError(_("只有承办部门的工作人员可以签收或退单。"))

    def mark_signed(self, user) -> None:
        self.check_department_user(user)
        if self.department_state != DepartmentState.PENDING:
            raise ValidationError(_("只有待签收的事项可以签收。"))
        self.department_state, self.signed_at = DepartmentState.SIGNED, timezone.now()

    def mark_returned(self, user, reason: str) -> str:
        reason = (reason or "").strip()
        if not reason:
            # Bad input names the field and changes nothing (issue 19: "a department returning without a reason").
            raise ValidationError({"reason": _("退单须填写理由(退单理由)。")})
        self.check_department_user(user)
        if self.department_state not in (DepartmentState.PENDING, DepartmentState.SIGNED):
            raise ValidationError(_("只有待签收或已签收的事项可以退单。"))
        self.department_state, self.return_reason = DepartmentState.RETURNED, reason[:1000]
        return reason


def department_ids_of(user) -> set[int]:
    from jiceng.core.scoping import scope_for

    return scope_for(user).department_ids if user is not None and user.is_authenticated else set()


def is_member(user, department_id: int | None) -> bool:
    """Does the user work for this department (superusers act for any)?"""
    if department_id is None or user is None or not user.is_authenticated:
        return False
    return user.is_superuser or department_id in department_ids_of(user)


def department_work_q(scope: Scope) -> models.Q:
    """Work handed to the scope's departments (a department sees only its own work). What it returned stays
    readable to it (its notification links keep working) until the street hands the work to another department."""
    if not scope.department_ids:
        return models.Q(pk__in=[])
    return models.Q(department_id__in=scope.department_ids)
