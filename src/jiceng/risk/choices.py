"""Choice sets that carry their meaning: the five levels with label and colour, signal sources, states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.IntegerChoices):
    """The five stability levels of domain.md; `colour` is the Tabler colour name used everywhere."""

    STABLE = 1, _("稳定")
    FAIRLY_STABLE = 2, _("较稳定")
    MODERATE = 3, _("一般")
    FAIRLY_UNSTABLE = 4, _("较不稳定")
    UNSTABLE = 5, _("不稳定")

    @property
    def colour(self) -> str:
        return LEVEL_COLOURS[self.value]

    @property
    def colour_label(self) -> str:
        return str(LEVEL_COLOUR_LABELS[self.value])

    @classmethod
    def info(cls, value: int | None) -> dict:
        """Everything a template or API needs about a level, in one dict."""
        if value is None:
            return {"value": None, "label": "", "colour": "secondary", "colour_label": ""}
        level = cls(value)
        return {"value": level.value, "label": str(level.label), "colour": level.colour,
                "colour_label": level.colour_label}


LEVEL_COLOURS = {1: "green", 2: "blue", 3: "yellow", 4: "orange", 5: "red"}
LEVEL_COLOUR_LABELS = {1: _("绿色"), 2: _("蓝色"), 3: _("黄色"), 4: _("橙色"), 5: _("红色")}
# Hex values matching Tabler's palette, for charts (ECharts cannot read CSS variables).
LEVEL_HEX = {1: "#2fb344", 2: "#206bc4", 3: "#f59f00", 4: "#f76707", 5: "#d63939"}


class SignalSource(models.TextChoices):
    VISIT = "visit", _("走访")
    DEMAND = "demand", _("需求")
    RECORD = "record", _("登记信息")
    IMPORT = "import", _("导入")
    API = "api", _("接口")
    MANUAL = "manual", _("手工录入")


class SourceKind(models.TextChoices):
    """How a signal type arises: only recorded, or also derived from other records during recompute."""

    RECORDED = "recorded", _("记录")
    LEASE = "lease", _("由租约到期日推导")
    OVERDUE_DEMAND = "overdue_demand", _("由超期需求推导")


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("待跟进")
    CLOSED = "closed", _("已完成")


class ChangeKind(models.TextChoices):
    COMPUTED = "computed", _("重新计算")
    OVERRIDE = "override", _("人工调整")
    OVERRIDE_CLEARED = "override_cleared", _("取消人工调整")
