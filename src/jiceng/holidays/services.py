"""Holiday schedules: checking, saving and publishing a year, recomputing provisional deadlines, and warning
the calendar's managers when next year is still provisional.

Who manages the calendar: superusers, district administrators (区委组织部) and anyone granted the
`holidays.change_holidayyear` permission. The calendar is national, so everyone may read it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .calendar import WorkCalendar, schedule_for
from .models import DeadlineRecomputation, HolidayDate, HolidayYear
from .notice import WEEKDAYS, ParsedNotice, parse_notice

log = logging.getLogger(__name__)

# From 1 October, next year's schedule should be known: the State Council has published it in late October to
# mid-December in recent years, so managers are reminded early enough to import it when it appears.
WARN_FROM = (10, 1)


def can_manage(user) -> bool:
    from jiceng.accounts.models import Role
    from jiceng.core.scoping import scope_for

    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or Role.DISTRICT_ADMIN in scope_for(user).roles:
        return True
    return user.has_perm("holidays.change_holidayyear")


def managers():
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from jiceng.accounts.models import Role

    return get_user_model().objects.filter(
        Q(is_superuser=True) | Q(role_assignments__role=Role.DISTRICT_ADMIN)
        | Q(user_permissions__codename="change_holidayyear") | Q(groups__permissions__codename="change_holidayyear"),
        is_active=True).distinct()


@dataclass
class Days:
    """A year's days as entered: date → name, for days off and make-up working days."""

    year: int
    days_off: dict[dt.date, str]
    workdays: dict[dt.date, str]

    @classmethod
    def of(cls, holiday_year: HolidayYear) -> Days:
        """The days stored for a year (a draft or a published one)."""
        days = cls(holiday_year.year, {}, {})
        for day in holiday_year.dates.all():
            (days.workdays if day.is_workday else days.days_off)[day.date] = day.name
        return days

    @classmethod
    def from_notice(cls, notice: ParsedNotice) -> Days:
        names = notice.names()
        return cls(notice.year, {d: names[d] for d in notice.holidays}, {d: names[d] for d in notice.workdays})

    def summary(self) -> str:
        lines = [f"{d.isoformat()} 周{WEEKDAYS[d.weekday()]} {_('放假')} {n}" for d, n in self.days_off.items()]
        lines += [f"{d.isoformat()} 周{WEEKDAYS[d.weekday()]} {_('上班')} {n}" for d, n in self.workdays.items()]
        return "\n".join(sorted(lines))


def check_days(days: Days) -> None:
    """A year's days must make sense on their own; raises ValidationError naming the field and the date."""
    if not days.days_off:
        # An empty year would silently make Spring Festival a run of working days.
        raise ValidationError({"days_off": _("%(year)d 年没有任何放假日期:至少应有元旦、春节等法定节假日。")
                               % {"year": days.year}})
    for field, values in (("days_off", days.days_off), ("workdays", days.workdays)):
        for day in values:
            if not (day.year == days.year or (day.year == days.year - 1 and day.month == 12 and day.day >= 25)):
                raise ValidationError({field: _("日期 %(date)s 不在 %(year)d 年内。")
                                       % {"date": day.isoformat(), "year": days.year}})
    for day in days.workdays:
        if day.weekday() < 5:
            raise ValidationError({"workdays": _("%(date)s 是周%(weekday)s,调休上班日应是周六或周日。")
                                   % {"date": day.isoformat(), "weekday": WEEKDAYS[day.weekday()]}})
    both = set(days.days_off) & set(days.workdays)
    if both:
        raise ValidationError({"workdays": _("%(date)s 既是放假日又是上班日。") % {"date": min(both).isoformat()}})


def parse_day_lines(text: str, year: int, field: str) -> dict[dt.date, str]:
    """Lines of `YYYY-MM-DD [name]` (or `MM-DD`), as the edit form takes them."""
    result: dict[dt.date, str] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        token, _sep, name = line.partition(" ")
        try:
            day = dt.date.fromisoformat(token if token.count("-") == 2 else f"{year}-{token}")
        except ValueError:
            raise ValidationError({field: _("第 %(n)d 行“%(line)s”不是日期(应为 YYYY-MM-DD 名称)。")
                                   % {"n": number, "line": line[:40]}}) from None
        result[day] = name.strip()[:50]
    return dict(sorted(result.items()))


@transaction.atomic
def save_year(days: Days, *, user, note: str = "", notice_text: str = "", publish: bool = False,
              replace: bool = False) -> HolidayYear:
    """Save `days` as the year's schedule (a draft, or published). Replacing a published year needs `replace`;
    the old days stay in the history (`days_summary`, and each date's own history). Publishing recomputes the
    provisional deadlines of open items."""
    if user is not None and not can_manage(user):
        raise PermissionDenied
    check_days(days)
    holiday_year = HolidayYear.objects.select_for_update().filter(year=days.year).first()
    if holiday_year is not None and holiday_year.published and not replace:
        raise ValidationError({"year": _("%(year)d 年的安排已发布;如需替换,请确认“替换已发布的安排”"
                                         "(原安排保留在历史记录中)。") % {"year": days.year}})
    if holiday_year is None:
        holiday_year = HolidayYear(year=days.year)
    holiday_year.note = note[:200] if note else holiday_year.note
    holiday_year.notice_text = notice_text or holiday_year.notice_text
    holiday_year.days_summary = days.summary()
    was_published = holiday_year.published
    if publish:
        holiday_year.published, holiday_year.published_at, holiday_year.published_by = True, timezone.now(), user
    holiday_year._history_user = user
    holiday_year.full_clean()
    holiday_year.save()
    wanted = {**{d: (False, n) for d, n in days.days_off.items()}, **{d: (True, n) for d, n in days.workdays.items()}}
    existing = {d.date: d for d in holiday_year.dates.all()}
    for day, row in existing.items():
        if day not in wanted:
            row._history_user = user
            row.delete()
    for day, (is_workday, name) in wanted.items():
        row = existing.get(day)
        if row is None:
            row = HolidayDate(holiday_year=holiday_year, date=day)
        elif (row.is_workday, row.name) == (is_workday, name):
            continue
        row.is_workday, row.name, row._history_user = is_workday, name, user
        row.save()
    if holiday_year.published:
        recompute_deadlines(holiday_year, user=user)
    cache.delete(warning_cache_key(timezone.localdate()))
    log.info("holiday year %s saved (published=%s, was=%s)", days.year, holiday_year.published, was_published)
    return holiday_year


def import_notice(text: str, year: int | None, *, user, publish: bool = True, replace: bool = False) -> HolidayYear:
    """Parse the State Council's notice and save it (see save_year). Raises NoticeError or ValidationError."""
    notice = parse_notice(text, year)
    return save_year(Days.from_notice(notice), user=user, note=notice.document, notice_text=text.strip(),
                     publish=publish, replace=replace)


@transaction.atomic
def publish(holiday_year: HolidayYear, *, user) -> HolidayYear:
    if user is not None and not can_manage(user):
        raise PermissionDenied
    current = Days.of(holiday_year)
    check_days(current)
    holiday_year.published, holiday_year.published_at, holiday_year.published_by = True, timezone.now(), user
    holiday_year.days_summary = current.summary()
    holiday_year._history_user = user
    holiday_year.save()
    recompute_deadlines(holiday_year, user=user)
    cache.delete(warning_cache_key(timezone.localdate()))
    return holiday_year


def recompute_deadlines(holiday_year: HolidayYear, *, user=None) -> int:
    """Open items whose deadline a provisional year decided (or that have none yet) get it recomputed on the
    calendar as it now stands; each change is written to the item's history and to the year's list."""
    from jiceng.demands.workflow import recompute_due_dates
    from jiceng.risk.services import recompute_follow_up_due_dates

    calendar = WorkCalendar()
    changes = recompute_due_dates(calendar, user=user, reason=_("%(year)d 年节假日安排已发布") % {
        "year": holiday_year.year})
    changes += recompute_follow_up_due_dates(calendar)
    DeadlineRecomputation.objects.bulk_create([
        DeadlineRecomputation(holiday_year=holiday_year, object_type=kind, object_id=pk, label=label[:200],
                              old_due=old, new_due=new) for kind, pk, label, old, new in changes])
    return len(changes)


def overview(first: int | None = None, last: int | None = None) -> list[dict]:
    """Every year from the package's recent years to next year and any stored one: its source and counts."""
    today = timezone.localdate()
    stored = {y.year: y for y in HolidayYear.objects.prefetch_related("dates")}
    first = first or min([today.year - 3, *stored])
    last = last or max([today.year + 1, *stored])
    published = {year: row for year, row in stored.items() if row.published}
    rows = []
    for year in range(last, first - 1, -1):
        schedule = schedule_for(year, published=published)
        rows.append({"year": year, "schedule": schedule, "stored": stored.get(year),
                     "days_off": len(schedule.days_off), "workdays": len(schedule.workdays)})
    return rows


def warning_cache_key(today: dt.date) -> str:
    return f"holidays:next-year-warning:{today.isoformat()}"


def next_year_warning(today: dt.date | None = None) -> int | None:
    """The coming year, when it is on or after 1 October and that year has no published notice."""
    today = today or timezone.localdate()
    if (today.month, today.day) < WARN_FROM:
        return None
    year = today.year + 1
    if HolidayYear.objects.filter(year=year, published=True).exists():
        return None
    return year


def banner_year(user) -> int | None:
    """The year the page banner warns about, for superusers and district admins (the permission check of
    can_manage would cost every page two queries). Cached for a minute; saving a year clears it."""
    from jiceng.accounts.models import Role
    from jiceng.core.scoping import scope_for

    if user is None or not user.is_authenticated or not (
            user.is_superuser or Role.DISTRICT_ADMIN in scope_for(user).roles):
        return None
    today = timezone.localdate()
    return cache.get_or_set(warning_cache_key(today), lambda: next_year_warning(today) or 0, 60) or None


def warn_managers(today: dt.date | None = None, users: Iterable | None = None) -> int:
    """Notify each manager once per year when next year is still provisional; returns how many were told."""
    from jiceng.accounts.models import Notification
    from jiceng.accounts.notify import notify

    year = next_year_warning(today)
    if year is None:
        return 0
    url = reverse("holidays:import") + f"?year={year}"
    told = set(Notification.objects.filter(url=url).values_list("user_id", flat=True))
    recipients = [u for u in (users if users is not None else managers()) if u.pk not in told]
    notify(recipients, "holidays.unpublished", {"year": year}, url)
    return len(recipients)
