"""Calendar arithmetic used by several domain rules."""

import datetime as dt

# Dates outside this range are typing mistakes in this domain (birth dates, letters, payments).
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)


def add_years(day: dt.date, years: int) -> dt.date:
    """Same day `years` later; 29 February becomes 28 February in a non-leap year; saturates at date.max."""
    if not dt.MINYEAR <= day.year + years <= dt.MAXYEAR:
        return dt.date.max if years > 0 else dt.date.min
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def validate_plausible_date(value: dt.date) -> None:
    """Refuse dates outside 1900–2100 with a message, instead of failing later in date arithmetic."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    if value is not None and not EARLIEST <= value <= LATEST:
        raise ValidationError(_("日期应在 %(a)s 至 %(b)s 之间。") % {"a": EARLIEST, "b": LATEST}, code="date_range")
