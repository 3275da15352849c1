"""The pioneer index weights (先锋指数, seed 004): points per unit of each component, kept as data.

The components themselves (what is counted, with which query) are code in `jiceng.members.pioneer`; an
administrator sets how many points each unit is worth. Defaults ship in migration 0004.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class PioneerComponent(models.TextChoices):
    ORGANIZATIONAL_LIFE = "organizational_life", _("参加组织生活")
    ACTIVITY = "activity", _("参加其他活动")
    VOLUNTEER_HOURS = "volunteer_hours", _("志愿服务时长")
    PROJECT_CLAIMED = "project_claimed", _("认领项目")
    PROJECT_COMPLETED = "project_completed", _("完成项目")
    LECTURE_RATING = "lecture_rating", _("授课好评")


# What one unit of each component is (shown next to the weight).
PIONEER_UNITS = {
    PioneerComponent.ORGANIZATIONAL_LIFE: _("每出席一次三会一课、主题党日等组织生活"),
    PioneerComponent.ACTIVITY: _("每参加一次其他活动(讲座、微课堂、文体等,不含志愿服务)"),
    PioneerComponent.VOLUNTEER_HOURS: _("每一小时志愿服务"),
    PioneerComponent.PROJECT_CLAIMED: _("每牵头认领一个项目(未取消)"),
    PioneerComponent.PROJECT_COMPLETED: _("每牵头完成一个项目"),
    PioneerComponent.LECTURE_RATING: _("作为主讲人,每条评价高于 3 分的每一分"),
}


class PioneerWeight(models.Model):
    component = models.CharField(_("指标"), max_length=24, choices=PioneerComponent.choices, unique=True)
    points = models.DecimalField(_("每单位分值"), max_digits=6, decimal_places=2, default=Decimal("1"),
                                 validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1000"))],
                                 help_text=_("0 表示该指标不计分。"))
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("先锋指数权重")
        verbose_name_plural = _("先锋指数权重")
        ordering = ["order", "component"]
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gte=0), name="pioneer_weight_not_negative",
                                   violation_error_message=_("分值不能为负数。")),
        ]

    def __str__(self) -> str:
        return f"{self.get_component_display()} × {self.points}"

    @property
    def unit(self) -> str:
        return str(PIONEER_UNITS.get(self.component, ""))
