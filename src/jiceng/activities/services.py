"""Use cases of the activities app (filled in below)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.db.models.functions import TruncDate

from .models import Attendance


def latest_attendance(member_ids: list[int]) -> dict[int, dt.date]:
    """Six-month rule source: each member's latest attendance date."""
    rows = (Attendance.objects.filter(member_id__in=member_ids).values("member_id")
            .annotate(last=Max(TruncDate("checked_in_at"))))
    return {row["member_id"]: row["last"] for row in rows}
