"""Work the party organization assigns to a member (党组织分配的工作).

党章 第九条: a member who, for six consecutive months and without proper reason, does not take part in the
party's organizational life, pay dues or do the work the party assigns is regarded as having given up
membership. This model records the third of those: the task, who was given it, by which organization, when,
by when, and when it was done. The six-month report (members.inactivity) counts a done task as a record, and
lists members with work assigned before its window that is overdue and undone.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields
from jiceng.core.reversing import pk_url
from jiceng.core.scoping import Scope, ScopedQuerySet


class AssignedWorkQuerySet(ScopedQuerySet):
    def overdue(self, today=None) -> AssignedWorkQuerySet:
        """Tasks past their due date and not done (不做党所分配的工作)."""
        today = today or timezone.localdate()
        return self.filter(done__isnull=True, due__lt=today)


class AssignedWork(models.Model):
    task = models.CharField(_("工作任务"), max_length=200)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="assigned_work",
                               verbose_name=_("党员"))
    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("分配党组织"))
    assigned = fields.DateField(_("分配日期"), default=timezone.localdate)
    due = fields.DateField(_("完成期限"), null=True, blank=True)
    done = fields.DateField(_("完成日期"), null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", editable=False)
    history = HistoricalRecords()

    objects = AssignedWorkQuerySet.as_manager()
    edit_roles = ("district_admin", "street_staff", "org_secretary")

    class Meta:
        verbose_name = _("分配的工作")
        verbose_name_plural = _("分配的工作")
        ordering = ["-assigned", "-pk"]
        indexes = [
            # The six-month rule: a member's done tasks by date, and their undone ones by due date.
            models.Index(fields=["member", "done"], name="assigned_work_member_done"),
            models.Index(fields=["member", "due"], name="assigned_work_member_due",
                         condition=models.Q(done__isnull=True)),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(due__isnull=True) | models.Q(due__gte=models.F("assigned")),
                                   name="assigned_work_due_after_assigned",
                                   violation_error_message=_("完成期限不能早于分配日期。")),
            models.CheckConstraint(condition=models.Q(done__isnull=True) | models.Q(done__gte=models.F("assigned")),
                                   name="assigned_work_done_after_assigned",
                                   violation_error_message=_("完成日期不能早于分配日期。")),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.task}"

    def get_absolute_url(self) -> str:
        return pk_url("members:work_detail", self.pk)

    @classmethod
    def scope_q(cls, scope: Scope) -> models.Q:
        from .member import Member

        return models.Q(member__in=Member.objects.filter(Member.scope_q(scope)).values("pk"))

    @property
    def is_overdue(self) -> bool:
        return self.done is None and self.due is not None and self.due < timezone.localdate()

    def clean(self) -> None:
        errors = {}
        today = timezone.localdate()
        if self.assigned and self.assigned > today:
            errors["assigned"] = _("分配日期不能晚于今天。")
        if self.due and self.assigned and self.due < self.assigned:
            errors["due"] = _("完成期限不能早于分配日期。")
        if self.done and self.assigned and self.done < self.assigned:
            errors["done"] = _("完成日期不能早于分配日期。")
        if self.done and self.done > today:
            errors["done"] = _("完成日期不能晚于今天。")
        if self.member_id and self.organization_id:
            member_org = self.member.organization
            if not member_org.path.startswith(self.organization.path):
                errors["member"] = _("该党员不是“%(org)s”或其下级组织的党员。") % {"org": self.organization}
            elif self.member.left_on is not None:
                errors["member"] = _("该党员已转出,不能再分配工作。")
        if errors:
            raise ValidationError(errors)
