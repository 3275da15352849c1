"""Choice sets of the venues app, carrying their labels and colours."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")
    CANCELLED = "cancelled", _("已取消")

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.value]


# Tabler colour names used by badges and the week calendar.
STATUS_COLOURS = {"requested": "yellow", "approved": "green", "rejected": "red", "cancelled": "secondary"}

# Bookings that still hold (or may come to hold) their slot.
OPEN_STATUSES = (BookingStatus.REQUESTED, BookingStatus.APPROVED)


class Equipment(models.TextChoices):
    """What a room offers; no code is a substring of another (the list filter matches quoted codes)."""

    PROJECTOR = "projector", _("投影仪")
    SCREEN = "screen", _("大屏/幕布")
    MICROPHONE = "microphone", _("话筒")
    SPEAKERS = "speakers", _("音响")
    WHITEBOARD = "whiteboard", _("白板")
    VIDEOCONF = "videoconf", _("视频会议")
    COMPUTER = "computer", _("电脑")
    WIFI = "wifi", _("无线网络")
    TEA = "tea", _("茶水")


class Weekday(models.TextChoices):
    """ISO weekday numbers (1 = Monday) as single characters, so open days fit in a short string."""

    MON = "1", _("周一")
    TUE = "2", _("周二")
    WED = "3", _("周三")
    THU = "4", _("周四")
    FRI = "5", _("周五")
    SAT = "6", _("周六")
    SUN = "7", _("周日")
