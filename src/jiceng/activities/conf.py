"""The app's tunable numbers, overridable in `settings.JICENG` under the same names."""

from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    # Check-in opens this many minutes before the start and closes at the end.
    "CHECKIN_OPENS_MINUTES": 60,
    # A code shown on the door screen is valid this long (the screen shows a fresh one every minute).
    "CHECKIN_CODE_MINUTES": 15,
    # The most occurrences one series may generate at once.
    "SERIES_MAX_OCCURRENCES": 500,
}


def get(name: str) -> int:
    return getattr(settings, "JICENG", {}).get(name, DEFAULTS[name])
