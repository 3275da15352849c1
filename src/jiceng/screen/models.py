"""Demand roll-ups kept current on write (decision 057) and what the live screen reads besides them.

`DemandRollup` counts demands per (place, day of submission, category, current status) for the three places a
screen is asked for: the demand's district, street and area (park, commercial building, community …: depth 0–2
of the place tree). A district's month is then at most 31 days × categories × statuses rows read through the
primary key's prefix, however many demands the district holds.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

NO_CATEGORY = 0  # a demand not yet given a category (before acceptance): a number, so the key has no NULL in it


class DemandRollup(models.Model):
    # Plain integers, not foreign keys: the table is derived (`jiceng rollups --rebuild` recreates it), and a
    # unique key with a NULL in it would let two rows count the same thing (NULLs never conflict in SQL).
    place_id = models.IntegerField(_("地域"))
    day = models.DateField(_("提交日期"))
    category_id = models.IntegerField(_("类别"), default=NO_CATEGORY)
    status = models.CharField(_("状态"), max_length=16)
    count = models.IntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("需求汇总")
        verbose_name_plural = _("需求汇总")
        constraints = [models.UniqueConstraint(fields=["place_id", "day", "category_id", "status"],
                                               name="demand_rollup_key")]

    def __str__(self) -> str:
        return f"{self.place_id} {self.day} {self.category_id} {self.status}: {self.count}"


class RollupStamp(models.Model):
    """A counter per roll-up place, raised by every write that changes its counts: the screen's stream polls it
    (one indexed row a second) instead of recounting."""

    place_id = models.IntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("汇总版本")
        verbose_name_plural = _("汇总版本")

    def __str__(self) -> str:
        return f"{self.place_id}: {self.version}"


class FeedKind(models.TextChoices):
    NEW = "new", _("新需求")
    CLOSED = "closed", _("已办结")


class FeedEntry(models.Model):
    """The live feed: a new demand, or one resolved or closed, with the places it counts for."""

    demand = models.ForeignKey("demands.Demand", on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(_("类型"), max_length=8, choices=FeedKind.choices)
    at = models.DateTimeField(_("时间"))
    district_id = models.IntegerField(null=True)
    street_id = models.IntegerField(null=True)
    area_id = models.IntegerField(null=True)

    class Meta:
        verbose_name = _("大屏动态")
        verbose_name_plural = _("大屏动态")
        indexes = [
            models.Index(fields=["district_id", "at"], name="feed_district_at"),
            models.Index(fields=["street_id", "at"], name="feed_street_at"),
            models.Index(fields=["area_id", "at"], name="feed_area_at"),
            models.Index(fields=["demand"], name="feed_demand"),
            models.Index(fields=["at"], name="feed_at"),  # the city's feed (a superuser's screen)
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.demand_id}"
