"""Official holiday schedules as data: one row per year entered or imported from the State Council's notice.

Years without a row use the `chinese-calendar` package, and years it does not know a provisional calendar
computed from the statutory holidays (see `calendar.py`); only published rows count.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jiceng.core import fields


class HolidaySource(models.TextChoices):
    NOTICE = "notice", _("国务院办公厅通知")
    PACKAGE = "package", _("日历程序包")
    PROVISIONAL = "provisional", _("暂定(按法定节日推算)")


class HolidayYear(models.Model):
    """A year's schedule as the notice gives it (source `notice`); a draft does not count until published."""

    year = models.PositiveSmallIntegerField(_("年份"), unique=True,
                                            validators=[MinValueValidator(2000), MaxValueValidator(2099)])
    note = models.CharField(_("依据"), max_length=200, blank=True, help_text=_("如国务院办公厅通知文号"))
    notice_text = models.TextField(_("通知原文"), blank=True, max_length=20000)
    published = models.BooleanField(_("已发布"), default=False,
                                    help_text=_("发布后用于计算工作日;草稿不影响任何期限。"))
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("发布人"))
    # Every day as one line, so that the change history keeps the whole schedule before and after each change.
    days_summary = models.TextField(_("日期一览"), blank=True, editable=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")
        ordering = ["-year"]
        permissions = [("publish_holidayyear", _("可以发布节假日安排"))]

    def __str__(self) -> str:
        return str(self.year)

    def get_absolute_url(self) -> str:
        return reverse("holidays:year", args=[self.year])

    @property
    def source(self) -> str:
        return HolidaySource.NOTICE


class HolidayDate(models.Model):
    holiday_year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="dates",
                                     verbose_name=_("年份"))
    date = fields.DateField(_("日期"))
    is_workday = models.BooleanField(_("调休上班"), default=False, help_text=_("勾选表示周末调休上班;不勾选表示放假"))
    name = models.CharField(_("名称"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["holiday_year", "date"], name="holiday_date_once_per_year")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class DeadlineRecomputation(models.Model):
    """What publishing a schedule changed: an open item's deadline before and after (the items' own history
    has it too; this is the list shown on the year's page)."""

    holiday_year = models.ForeignKey(HolidayYear, on_delete=models.CASCADE, related_name="recomputations",
                                     verbose_name=_("年份"))
    object_type = models.CharField(_("对象类型"), max_length=50)
    object_id = models.PositiveBigIntegerField(_("对象"))
    label = models.CharField(_("事项"), max_length=200)
    old_due = fields.DateField(_("原期限"), null=True, blank=True)
    new_due = fields.DateField(_("新期限"))
    created = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("期限重算记录")
        verbose_name_plural = _("期限重算记录")
        ordering = ["-created", "pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.old_due} → {self.new_due}"
