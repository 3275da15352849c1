"""The statutory public holidays of any year, computed: the provisional calendar for years without a notice.

Source: 《全国年节及纪念日放假办法》(国务院令第 795 号修订,2025 年 1 月 1 日起施行)
- 第二条: 元旦 1 天(1 月 1 日); 春节 4 天(农历除夕、正月初一至初三); 清明节 1 天(农历清明当日);
  劳动节 2 天(5 月 1 日、2 日); 端午节 1 天(农历端午当日); 中秋节 1 天(农历中秋当日);
  国庆节 3 天(10 月 1 日至 3 日)。
- 第六条: 全体公民放假的假日,如果适逢周六、周日,应当在工作日补假。

The notice that the State Council publishes each autumn then joins these days with weekends and adds make-up
working days (调休); those cannot be foreseen, so a provisional year has the statutory days and their 补假 only,
and every deadline computed on it is marked provisional until the notice is imported.

Lunar dates come from `lunardate` (a maintained pure-Python Chinese calendar, 1900–2099); 清明 is the solar term,
from `chinese-calendar`'s table of solar terms.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import chinese_calendar
from django.utils.translation import gettext_lazy as _
from lunardate import LunarDate

FIRST_YEAR, LAST_YEAR = 1901, 2099  # what the lunar and solar-term tables cover


@dataclass(frozen=True)
class Festival:
    name: str
    days: tuple[dt.date, ...]


def _qingming(year: int) -> dt.date:
    terms = chinese_calendar.get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 10))
    return next(day for day, name in terms if name == "清明")


def statutory_festivals(year: int) -> list[Festival]:
    """第二条's days for `year`, in date order."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"year {year} outside {FIRST_YEAR}–{LAST_YEAR}")
    new_year = LunarDate(year, 1, 1).to_solar_date()
    festivals = [
        Festival(str(_("元旦")), (dt.date(year, 1, 1),)),
        Festival(str(_("春节")), tuple(new_year + dt.timedelta(days=n) for n in range(-1, 3))),
        Festival(str(_("清明节")), (_qingming(year),)),
        Festival(str(_("劳动节")), (dt.date(year, 5, 1), dt.date(year, 5, 2))),
        Festival(str(_("端午节")), (LunarDate(year, 5, 5).to_solar_date(),)),
        Festival(str(_("中秋节")), (LunarDate(year, 8, 15).to_solar_date(),)),
        Festival(str(_("国庆节")), tuple(dt.date(year, 10, n) for n in (1, 2, 3))),
    ]
    return sorted(festivals, key=lambda f: f.days[0])


def provisional_days_off(year: int) -> dict[dt.date, str]:
    """Statutory days plus 第六条's 补假: each statutory day on a weekend, and each day that two festivals share
    (中秋 on 1–3 October), is made up on the next weekday that is not already off."""
    days_off: dict[dt.date, str] = {}
    for festival in statutory_festivals(year):
        owed = 0
        for day in festival.days:
            if day in days_off or day.weekday() >= 5:
                owed += 1
            days_off.setdefault(day, festival.name)
        day = festival.days[-1]
        while owed:
            day += dt.timedelta(days=1)
            if day.weekday() < 5 and day not in days_off:
                days_off[day] = festival.name
                owed -= 1
    return dict(sorted(days_off.items()))
