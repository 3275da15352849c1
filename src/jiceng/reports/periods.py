"""The period a report covers: a calendar year, or one quarter of it, parsed from `?year=YYYY[&quarter=Q]`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _t

FIRST_YEAR = 2000  # the platform's records start long after; earlier years are a typing error


@dataclass(frozen=True)
class Period:
    year: int
    quarter: int | None = None

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        """The last day, inclusive."""
        if self.quarter is None or self.quarter == 4:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, 3 * self.quarter + 1, 1) - dt.timedelta(days=1)

    @property
    def start_at(self) -> dt.datetime:
        """Local midnight at the start, for datetime columns (Beijing time, as users mean a day)."""
        return timezone.make_aware(dt.datetime.combine(self.start, dt.time.min))

    @property
    def end_before(self) -> dt.datetime:
        """Local midnight after the last day (exclusive bound for datetime columns)."""
        return timezone.make_aware(dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min))

    @property
    def label(self) -> str:
        if self.quarter is None:
            return _t("%(year)s 年") % {"year": self.year}
        return _t("%(year)s 年第 %(quarter)s 季度") % {"year": self.year, "quarter": self.quarter}

    @property
    def whole_label(self) -> str:
        """"2025 年全年" or "2025 年第 2 季度": as the year's figures are reported."""
        if self.quarter is None:
            return _t("%(year)s 年全年") % {"year": self.year}
        return self.label

    @property
    def slug(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year}-q{self.quarter}"

    def as_dict(self) -> dict:
        return {"year": self.year, "quarter": self.quarter, "start": self.start.isoformat(),
                "end": self.end.isoformat()}


def parse_period(params: Mapping[str, str], today: dt.date | None = None) -> Period:
    """`year` (default: this year) and optional `quarter` (1–4); a ValidationError naming the field otherwise."""
    today = today or timezone.localdate()
    raw_year = (params.get("year") or "").strip()
    raw_quarter = (params.get("quarter") or "").strip()
    errors: dict[str, str] = {}
    year = today.year
    if raw_year:
        if not raw_year.isdigit() or len(raw_year) != 4:
            errors["year"] = _t("年份应为四位数字,如 %(year)s。") % {"year": today.year}
        else:
            year = int(raw_year)
            if not FIRST_YEAR <= year <= today.year:
                errors["year"] = _t("年份应在 %(first)s 至 %(last)s 之间。") % {"first": FIRST_YEAR, "last": today.year}
    quarter = None
    if raw_quarter:
        if raw_quarter not in ("1", "2", "3", "4"):
            errors["quarter"] = _t("季度应为 1、2、3 或 4(留空为全年)。")
        else:
            quarter = int(raw_quarter)
    if errors:
        raise ValidationError(errors)
    return Period(year, quarter)
