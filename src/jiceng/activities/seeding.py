"""The attendance stage of `jiceng seed` (see jiceng.operations.seeding): a year of organizational life for the city's
party organizations, some street-wide volunteering and lunchtime micro-lectures, and `Scale.attendance`
attendance rows for their members.

What each organization holds, month by month over the last twelve months (nothing after today):
- a theme party day (主题党日) on the second Thursday (seed 004), for all its members;
- a committee meeting (支委会) in the first week, for its committee seats (organizations that have some);
- each quarter a members' meeting (支部党员大会) and a party lecture (党课, given by a member);
- once a year an organizational-life meeting and the democratic appraisal of members.
Each organization has a diligence drawn once (most hold nearly everything, some skip often, a few rarely meet),
so the 三会一课 compliance report has holes to show. Each street's comprehensive committee (综合党委) also runs
volunteering mornings (hours count for the pioneer index) and lunchtime micro-lectures (rated by part of the
audience: the lecturer component of the pioneer index).

Exact total: every activity gets a raw attendance rate; one factor scales all of them so that the expected
total is the target, and a running remainder (cumulative rounding, carried over when an activity is full) makes
the written total exactly `Scale.attendance`. Who attends is a weighted draw (Efraimidis–Spirakis keys) with a
per-member engagement, so some members come to nearly everything and others rarely; nobody attends before
joining the party.

Activities go in through `ctx.insert` (bulk_create), attendance and ratings — the big tables — through
`ctx.insert_rows` (one prepared INSERT, executemany), so this stage sets what `Organized.save()` and
`Attendance.save()` would: `host`, `district`, `street` from the organizer's place, `Attendance.hours` from the
activity's duration (an hour less for some volunteers who leave early).
"""

from __future__ import annotations

import base64
import datetime as dt
import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.utils import timezone

from jiceng.core import bulk

from .models import Activity, ActivityKind, ActivityStatus, Attendance, AttendanceMethod, Rating, recount_attendance

MONTHS = 12
K = ActivityKind
TITLES = {
    K.THEME_DAY: "{month}月主题党日", K.COMMITTEE_MEETING: "{month}月支委会",
    K.BRANCH_MEETING: "第{quarter}季度支部党员大会", K.PARTY_LECTURE: "第{quarter}季度党课",
    K.LIFE_MEETING: "{year}年度组织生活会", K.APPRAISAL: "{year}年度民主评议党员",
    K.VOLUNTEERING: "志愿服务日", K.MICRO_LECTURE: "午间微课堂",
}
LECTURE_TOPICS = ["党的创新理论学习", "优化营商环境政策解读", "青年党员与企业创新", "数据安全与合规", "新质生产力",
                  "基层治理与楼宇党建", "党史中的创业故事", "职场心理调适", "知识产权保护", "志愿服务精神"]
VOLUNTEER_TOPICS = ["社区清洁", "敬老助老", "垃圾分类宣传", "文明交通劝导", "楼宇义诊", "爱心义卖", "图书整理"]
# Raw attendance rates (before the common scaling factor) by kind.
RATE = {K.THEME_DAY: (0.55, 0.95), K.COMMITTEE_MEETING: (0.8, 1.0), K.BRANCH_MEETING: (0.6, 0.95),
        K.PARTY_LECTURE: (0.55, 0.9), K.LIFE_MEETING: (0.7, 0.95), K.APPRAISAL: (0.7, 0.95),
        K.VOLUNTEERING: (0.5, 0.9), K.MICRO_LECTURE: (0.5, 0.9)}
ARRIVAL_OFFSETS = [dt.timedelta(minutes=m) for m in range(-15, 11)]  # from 15 minutes early to 10 late
ATTENDANCE_FIELDS = ["activity", "member", "name", "phone", "checked_in_at", "method", "hours", "recorded_by"]
ENGAGEMENT = [(0.25, 15), (1.0, 60), (3.0, 25)]  # weight, share of members (%)
SCORES = [(5, 45), (4, 35), (3, 13), (2, 5), (1, 2)]


@dataclass
class _Org:
    id: int
    host: int
    district: int | None
    street: int | None
    diligence: float
    members: list[int] = field(default_factory=list)
    seats: list[int] = field(default_factory=list)


@dataclass
class _Planned:
    kind: str
    title: str
    org: _Org
    start: dt.datetime
    hours: int
    eligible: list[int]
    rate: float
    speaker: int | None = None
    location: str = ""


def _kind_tags() -> dict[str, dict[str, int]]:
    """The 3×3 matrix cells and 党建+ themes each kind of seeded activity carries (seeds 000, 002): decided by the
    kind, not drawn, so the seed's random stream (and every figure it makes) stays as it was."""
    from jiceng.matrix.tags import cells_mask, themes_mask

    def tags(cells, themes=()):
        return {"cells": cells_mask(cells), "themes": themes_mask(themes)}

    organize = tags(["employees:organize"])
    return {K.THEME_DAY: tags(["employees:organize"], ["culture"]), K.COMMITTEE_MEETING: organize,
            K.BRANCH_MEETING: organize, K.LIFE_MEETING: organize, K.APPRAISAL: organize,
            K.PARTY_LECTURE: tags(["employees:lead"], ["culture"]),
            K.VOLUNTEERING: tags(["employees:lead", "users:serve"], ["public_welfare"]),
            K.MICRO_LECTURE: tags(["employees:lead", "creators:lead"], ["culture", "service"])}


KIND_TAGS = _kind_tags()


def _second_thursday(year: int, month: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 7)


def _weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def stage_attendance(ctx) -> int:
    from jiceng.members.models import Member
    from jiceng.operations.seeding import _weighted
    from jiceng.organizations.models import CommitteeMember, Organization

    target = ctx.scale.attendance
    if not target or not ctx.orgs:
        return 0
    rng = ctx.rng("attendance")
    tz = timezone.get_current_timezone()
    now = timezone.now()
    today = timezone.localtime(now).date()

    orgs: dict[int, _Org] = {}
    for pk, place_id, district_id, street_id in (Organization.objects.filter(pk__in=list(ctx.orgs)).order_by("pk")
                                                 .values_list("pk", "place_id", "place__district_id",
                                                              "place__street_id")):
        roll = rng.random()
        diligence = rng.uniform(0.9, 1.0) if roll < 0.6 else rng.uniform(0.6, 0.9) if roll < 0.9 else \
            rng.uniform(0.2, 0.5)
        orgs[pk] = _Org(pk, place_id, district_id, street_id, diligence)
    joined: dict[int, dt.date] = {}
    names: dict[int, str] = {}
    weight: dict[int, float] = {}
    by_street: dict[int, list[int]] = defaultdict(list)
    for pk, org_id, join_date, name in (Member.objects.filter(organization_id__in=list(orgs), left_on__isnull=True)
                                        .order_by("pk").values_list("pk", "organization_id", "join_date", "name")):
        org = orgs[org_id]
        org.members.append(pk)
        joined[pk], names[pk] = join_date, name
        weight[pk] = 1.0 / _weighted(rng, ENGAGEMENT)  # stored inverted: the key is random() ** (1 / weight)
        if org.street is not None:
            by_street[org.street].append(pk)
    for org_id, member_id in CommitteeMember.objects.filter(organization_id__in=list(orgs)).order_by(
            "organization_id", "pk").values_list("organization_id", "member_id"):
        orgs[org_id].seats.append(member_id)

    first_month = (today.replace(day=1) - relativedelta(months=MONTHS - 1))
    months = [first_month + relativedelta(months=i) for i in range(MONTHS)]

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)

    def rate(kind: str, org: _Org | None = None) -> float:
        low, high = RATE[kind]
        base = rng.uniform(low, high)
        return base * (0.7 + 0.3 * org.diligence) if org is not None else base

    plan: list[_Planned] = []

    def add(kind, org, start, hours, eligible, title_args, **extra):
        if start + dt.timedelta(hours=hours) > now or not eligible:
            return
        title = TITLES[kind].format(**title_args)
        plan.append(_Planned(kind, title, org, start, hours, eligible, rate(kind, org), **extra))

    for org in orgs.values():
        if not org.members:
            continue
        for month in months:
            args = {"month": month.month, "quarter": (month.month - 1) // 3 + 1, "year": month.year}
            if rng.random() < org.diligence:
                add(K.THEME_DAY, org, at(_second_thursday(month.year, month.month), 14), 2, org.members, args,
                    location="党员活动室")
            if org.seats and rng.random() < org.diligence:
                day = _weekday_on_or_after(month + dt.timedelta(days=rng.randint(0, 6)))
                add(K.COMMITTEE_MEETING, org, at(day, 12, 30), 1, org.seats, args)
            if month.month % 3 == 0:  # the last month of a quarter
                for kind, hour in ((K.BRANCH_MEETING, 15), (K.PARTY_LECTURE, 10)):
                    if rng.random() < org.diligence:
                        day = _weekday_on_or_after(month + dt.timedelta(days=rng.randint(9, 24)))
                        speaker = rng.choice(org.members) if kind == K.PARTY_LECTURE else None
                        add(kind, org, at(day, hour), 2, org.members, args, speaker=speaker)
            if month.month == 1:
                for kind, offset in ((K.LIFE_MEETING, 15), (K.APPRAISAL, 20)):
                    if rng.random() < min(1.0, org.diligence + 0.1):
                        add(kind, org, at(_weekday_on_or_after(month + dt.timedelta(days=offset)), 14), 3,
                            org.members, args)
    # Street-wide activities of each street's comprehensive committee.
    for street_id, committee_id in sorted(ctx.committee_by_street.items()):
        org, pool = orgs.get(committee_id), by_street.get(street_id, [])
        if org is None or not pool:
            continue
        for month in months:
            for week in (1, 3):
                saturday = month + dt.timedelta(days=(5 - month.weekday()) % 7 + 7 * (week - 1))
                invited = rng.sample(pool, min(len(pool), rng.randint(30, 70)))
                add(K.VOLUNTEERING, org, at(saturday, 9), 3, invited, {}, location=rng.choice(VOLUNTEER_TOPICS))
            day = _weekday_on_or_after(month + dt.timedelta(days=rng.randint(3, 25)))
            invited = rng.sample(pool, min(len(pool), rng.randint(40, 90)))
            add(K.MICRO_LECTURE, org, at(day, 12), 1, invited, {}, speaker=rng.choice(pool),
                location=rng.choice(LECTURE_TOPICS))

    expected = sum(len(p.eligible) * p.rate for p in plan)
    factor = target / expected if expected else 0.0
    first_id = ctx.allocate_ids(Activity, len(plan))

    def activities():
        for index, p in enumerate(plan):
            end = p.start + dt.timedelta(hours=p.hours)
            title = f"{p.title}:{p.location}" if p.kind in (K.VOLUNTEERING, K.MICRO_LECTURE) else p.title
            yield dict(
                id=first_id + index, title=title[:100], kind=p.kind, start=p.start, end=end,
                location="党员活动室" if p.kind not in (K.VOLUNTEERING, K.MICRO_LECTURE) else "",
                speaker_id=p.speaker, speaker_name=names[p.speaker] if p.speaker else "",
                status=ActivityStatus.HELD, organization_id=p.org.id,
                host_id=p.org.host, district_id=p.org.district, street_id=p.org.street,
                checkin_secret=base64.urlsafe_b64encode(rng.randbytes(12)).decode(),
                created=p.start - dt.timedelta(days=rng.randint(3, 20)))

    ctx.insert_dicts(Activity, (dict(row, **KIND_TAGS.get(row["kind"], {})) for row in activities()), len(plan),
                     "activities")

    lectures: dict[int, list[int]] = {}  # activity id → attendees, for the ratings
    ops = connection.ops
    stored_time = bulk.converter(Attendance._meta.get_field("checked_in_at")) or (lambda value: value)
    hours_field = Attendance._meta.get_field("hours")
    methods = [AttendanceMethod.QR] * 3 + [AttendanceMethod.LIST] * 2  # 60% scan the code

    def db_hours(value: int) -> object:
        return ops.adapt_decimalfield_value(Decimal(value), hours_field.max_digits, hours_field.decimal_places)

    def attendance():
        # Plain tuples in `ATTENDANCE_FIELDS` order, values as the database stores them (see Context.insert_rows).
        wanted, written = 0.0, 0
        for index, p in enumerate(plan):
            activity_id = first_id + index
            day = p.start.date()
            eligible = [m for m in p.eligible if joined[m] <= day]
            wanted += len(p.eligible) * p.rate * factor
            k = min(len(eligible), max(0, round(wanted) - written))
            if not k:
                continue
            chosen = heapq.nlargest(k, eligible, key=lambda m: rng.random() ** weight[m])
            chosen.sort()
            written += k
            if p.speaker:
                lectures[activity_id] = chosen
            hours = db_hours(p.hours)
            short = db_hours(p.hours - 1) if p.kind == K.VOLUNTEERING else hours
            for member_id in chosen:
                arrival = stored_time(p.start + ARRIVAL_OFFSETS[rng.randint(0, 25)])
                yield (activity_id, member_id, "", "", arrival, rng.choice(methods),
                       short if rng.random() < 0.2 else hours, None)

    with bulk.indexes_deferred(Attendance):
        rows = ctx.insert_rows(Attendance, ATTENDANCE_FIELDS, attendance(), target, "attendance")
    recount_attendance(Activity.objects.filter(pk__gte=first_id))

    def ratings():
        for index, p in enumerate(plan):
            activity_id = first_id + index
            for member_id in lectures.get(activity_id, ()):
                if member_id != p.speaker and rng.random() < 0.4:
                    created = p.start + dt.timedelta(hours=p.hours, minutes=rng.randint(1, 120))
                    yield (activity_id, member_id, _weighted(rng, SCORES), "", stored_time(created))

    rated = sum(len(v) for v in lectures.values())
    ctx.insert_rows(Rating, ["activity", "member", "score", "comment", "created"], ratings(), int(rated * 0.4),
                    "ratings")
    return rows
