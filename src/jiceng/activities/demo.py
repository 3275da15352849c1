"""Demo organizational life in 创智天地 (seeds 000 and 004).

- The 攀达科技 branch's monthly theme party day on the second Thursday (a series over the past and coming
  months, holidays moved to the next working day), with attendance for the past ones, plus branch meetings,
  committee meetings and a party lecture — one month's committee meeting is missing, so the compliance page
  shows a gap.
- A few theme days of the park's other branches, so the street's compliance page has a mix.
- Lunchtime micro-lectures (午间微课堂) at the youth community station with speakers from the park's branches,
  attendance and 1–5 ratings; one coming lecture booked in the station's hall; a volunteering activity with hours.
- Youth clubs and alliances (seed 000: 23 clubs of the "缘聚五角场" youth community; seed 004: sports alliances)
  with members and a badminton match whose places are taken, so it has a waiting list.

Idempotent: the theme-day series of the 攀达 branch is the marker; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng.members.models import Member
from jiceng.organizations.models import BRANCH_KINDS, Organization
from jiceng.places.models import Place, PlaceKind

from . import recurrence, services
from .models import (
    Activity,
    ActivityKind,
    ActivityStatus,
    Attendance,
    AttendanceMethod,
    Club,
    ClubKind,
    ClubMembership,
    ClubRole,
    Series,
    SignUp,
    SignUpStatus,
)

DISTRICT, STREET, PARK = "杨浦区", "五角场街道", "创智天地"
STATION = "五角场青年社区党群服务站"
THEME_DAY = "主题党日"

MICRO_LECTURES = [
    # title, speaker's branch, days from today, score bias
    ("青年微党课:党的二十大精神里的青年担当", "攀达科技党支部", -75, 4.6),
    ("青年微党课:数字经济与青年创业", "云帆网络党支部", -47, 4.2),
    ("午间微课堂:如何做好非公领域党建工作", "五角场街道互联网企业联合党支部", -19, 4.4),
    ("午间微课堂:职场压力与心理调适", "海外人才基地联合党支部", -5, 4.8),
    ("午间微课堂:从一张发票看企业合规", "锐思软件党支部", 9, 0),
]
CLUBS = [
    # name, kind, description
    ("演讲训练营", ClubKind.YOUTH_CLUB, "“缘聚五角场”青年社区乐学板块:每月一次主题演讲与点评。"),
    ("创智羽毛球社", ClubKind.YOUTH_CLUB, "每周三晚在园区体育馆活动,欢迎白领加入。"),
    ("“创智杯”足球联盟", ClubKind.ALLIANCE, "园区企业足球队联盟,每年举办“创智杯”足球赛。"),
    ("文化沙龙读书会", ClubKind.CLUB, "每月共读一本书,线下分享。"),
    ("乐活志愿服务队", ClubKind.VOLUNTEER_TEAM, "绿色出行宣传、社区公益集市等志愿服务。"),
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _say(say, text: str) -> None:
    if say is not None:
        say(text)


class _Loader:
    def __init__(self, users: dict[str, Any], today: dt.date, park: Place) -> None:
        self.rng = random.Random(2020)
        self.users, self.today, self.park = users, today, park
        self.now = timezone.now()
        self.branches = {o.name: o for o in Organization.objects.filter(
            place__path__startswith=park.path, kind__in=BRANCH_KINDS)}
        self.members = {}
        for member in Member.objects.filter(organization__in=self.branches.values()).order_by("pk"):
            self.members.setdefault(member.organization_id, []).append(member)
        self.station = Place.objects.filter(name=STATION, kind=PlaceKind.STATION, parent=park.parent).first()

    # --- helpers ---------------------------------------------------------------------------------------------
    def attend(self, activity: Activity, members: list[Member], share: float) -> list[Member]:
        """Record a past activity as held with a share of `members` present (QR check-ins and ticked ones)."""
        present = [m for m in members if self.rng.random() < share] or members[:1]
        Attendance.objects.bulk_create([Attendance(
            activity=activity, member=m, checked_in_at=activity.start + dt.timedelta(minutes=self.rng.randint(-20, 5)),
            method=AttendanceMethod.QR if self.rng.random() < 0.7 else AttendanceMethod.LIST,
            hours=activity.duration_hours) for m in present])
        activity.status = ActivityStatus.HELD
        activity.save(update_fields=["status"])
        return present

    def activity(self, **fields) -> Activity:
        return services.create_activity(**fields)

    # --- the 攀达 branch -----------------------------------------------------------------------------------
    def panda(self) -> Organization | None:
        from jiceng.operations.demo import PANDA_BRANCH

        branch = self.branches.get(PANDA_BRANCH)
        if branch is None:
            return None
        members = self.members.get(branch.pk, [])
        first = (self.today - relativedelta(months=6)).replace(day=1)
        series = Series(title=THEME_DAY, kind=ActivityKind.THEME_DAY, organization=branch,
                        rrule=recurrence.build_rrule(recurrence.Freq.MONTHLY_WEEKDAY, ordinal=2, weekday=3),
                        start_date=first, until=self.today + relativedelta(months=6),
                        start_time=dt.time(12, 0), end_time=dt.time(13, 30),
                        capacity=30, location="创智天地党群服务站 党员活动室",
                        description="每月第二个星期四的主题党日:常规主题学习,加上每月不同主题的特色环节。",
                        created_by=self.users.get("org_secretary"))
        series.full_clean()
        series.save()
        for activity in recurrence.generate(series, default=recurrence.Choice.MOVE):
            if activity.end < self.now:
                self.attend(activity, members, 0.85)
            else:
                for member in members[: self.rng.randint(4, 8)]:
                    services.sign_up(activity, member=member)
        # The rest of 三会一课 over this and the previous quarter; one month without a committee meeting.
        quarter_start = self.today.replace(month=3 * ((self.today.month - 1) // 3) + 1, day=1)
        months = [quarter_start - relativedelta(months=n) for n in range(3, 0, -1)]
        months += [m for m in (quarter_start + relativedelta(months=n) for n in range(3)) if m <= self.today]
        for index, month in enumerate(months):
            day = month + dt.timedelta(days=self.rng.randint(2, 20))
            if index != len(months) - 2 and _at(day, 19) < self.now:
                meeting = self.activity(title=f"支委会({month:%Y年%m月})", kind=ActivityKind.COMMITTEE_MEETING,
                                        organization=branch, start=_at(day, 18, 30), end=_at(day, 19, 30))
                self.attend(meeting, members[:5], 1.0)
        for month in (months[0], quarter_start):
            day = month + dt.timedelta(days=24)
            if _at(day, 19) < self.now:
                meeting = self.activity(title="支部党员大会", kind=ActivityKind.BRANCH_MEETING, organization=branch,
                                        start=_at(day, 18, 30), end=_at(day, 20))
                self.attend(meeting, members, 0.9)
        lecture_day = months[1] + dt.timedelta(days=15)
        lecture = self.activity(title="党课:学习新修订的《中国共产党支部工作条例》", kind=ActivityKind.PARTY_LECTURE,
                                organization=branch, start=_at(lecture_day, 12), end=_at(lecture_day, 13, 30),
                                speaker=members[0] if members else None)
        if lecture.end < self.now:
            self.attend(lecture, members, 0.8)
        # Seed 000: 攀达's green-travel volunteer service area, with the hours counted.
        day = self.today - dt.timedelta(days=12)
        volunteering = self.activity(title="绿色出行党员志愿服务", kind=ActivityKind.VOLUNTEERING, organization=branch,
                                     start=_at(day, 9), end=_at(day, 12), location="创智天地绿色出行党员志愿服务区")
        self.attend(volunteering, members, 0.5)
        return branch

    def other_branches(self) -> None:
        """Theme days in a few other branches: some every month, some missing months."""
        for index, (name, branch) in enumerate(sorted(self.branches.items())):
            if name.startswith("攀达") or index % 2:
                continue
            members = self.members.get(branch.pk, [])
            for months_back in range(0, 4 if index % 4 == 0 else 2):
                day = (self.today - relativedelta(months=months_back)).replace(day=9)
                if _at(day, 13) >= self.now:
                    continue
                activity = self.activity(title=THEME_DAY, kind=ActivityKind.THEME_DAY, organization=branch,
                                         start=_at(day, 12), end=_at(day, 13))
                self.attend(activity, members, 0.7)

    # --- lunchtime micro-lectures ----------------------------------------------------------------------------
    def micro_lectures(self) -> None:
        if self.station is None:
            return
        everyone = [m for members in self.members.values() for m in members]
        hall = self._hall()
        for title, branch_name, days, bias in MICRO_LECTURES:
            branch = self.branches.get(branch_name)
            if branch is None or not self.members.get(branch.pk):
                continue
            speaker = self.members[branch.pk][1 if len(self.members[branch.pk]) > 1 else 0]
            day = self.today + dt.timedelta(days=days)
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            fields = dict(title=title, kind=ActivityKind.MICRO_LECTURE, station=self.station,
                          start=_at(day, 12, 10), end=_at(day, 12, 50), capacity=60, public=True, speaker=speaker,
                          description="午间 40 分钟,青年党员面对面宣讲;听众通过满意度测评为主讲人打分。")
            activity = None
            if days > 0 and hall is not None:
                try:
                    activity = self.activity(user=self.users.get("street_staff"), room=hall, **fields)
                except ValidationError:
                    activity = None  # the hall is taken in the demo's venue bookings: hold it without a room
            activity = activity or self.activity(**fields)
            if activity.end < self.now:
                present = self.attend(activity, self.rng.sample(everyone, min(len(everyone), 28)), 0.8)
                for member in present:
                    if self.rng.random() < 0.75:
                        score = max(1, min(5, round(self.rng.gauss(bias, 0.6))))
                        services.rate(activity, member=member, score=score,
                                      comment=self.rng.choice(["", "", "内容实用", "讲得生动", "希望多举办"]))
            else:
                for member in self.rng.sample(everyone, min(len(everyone), 12)):
                    services.sign_up(activity, member=member)
                services.sign_up(activity, name="白领小周", phone="13917001234")

    def _hall(self):
        try:
            from jiceng.venues.models import Room
        except ImportError:
            return None
        return Room.objects.filter(place__parent=self.park, name="多功能厅").first()

    # --- clubs -----------------------------------------------------------------------------------------------
    def clubs(self) -> None:
        guide = Organization.objects.filter(name="创智天地园区综合党委").first()
        everyone = [m for members in self.members.values() for m in members]
        me = self.users.get("member")
        my_member = services.member_for(me) if me is not None else None
        for name, kind, description in CLUBS:
            club = Club(name=name, kind=kind, place=self.park, organization=guide, description=description)
            club.full_clean()
            club.save()
            chosen = self.rng.sample(everyone, min(len(everyone), self.rng.randint(8, 20)))
            ClubMembership.objects.bulk_create([ClubMembership(
                club=club, member=m, role=ClubRole.LEADER if i == 0 else ClubRole.MEMBER,
                joined=self.today - dt.timedelta(days=self.rng.randint(30, 700))) for i, m in enumerate(chosen)])
            if name == "创智羽毛球社":
                if my_member is not None and my_member not in chosen:
                    ClubMembership.objects.create(club=club, member=my_member, joined=self.today)
                day = self.today + dt.timedelta(days=(2 - self.today.weekday()) % 7 + 7)
                match = self.activity(title="羽毛球友谊赛", kind=ActivityKind.CLUB_ACTIVITY, club=club,
                                      start=_at(day, 19), end=_at(day, 21), capacity=8, location="园区体育馆",
                                      public=True)
                for member in chosen[:10]:
                    services.sign_up(match, member=member)
            if name == "演讲训练营":
                day = self.today - dt.timedelta(days=20)
                talk = self.activity(title="主题演讲:我的创业第一年", kind=ActivityKind.CLUB_ACTIVITY, club=club,
                                     start=_at(day, 19), end=_at(day, 21))
                self.attend(talk, chosen, 0.7)


def load(users: dict[str, Any], today: dt.date, say=None) -> None:
    park = Place.objects.filter(kind=PlaceKind.PARK, name=PARK, parent__name=STREET,
                                parent__parent__name=DISTRICT).first()
    if park is None:
        return
    loader = _Loader(users, today, park)
    from jiceng.operations.demo import PANDA_BRANCH

    branch = loader.branches.get(PANDA_BRANCH)
    if branch is None or Series.objects.filter(organization=branch, title=THEME_DAY).exists():
        return
    loader.panda()
    loader.other_branches()
    loader.micro_lectures()
    loader.clubs()
    _say(say, f"组织生活:活动 {Activity.objects.filter(district=park.district_id).count()} 场,"
              f"出席记录 {Attendance.objects.filter(activity__district=park.district_id).count()} 条,"
              f"社团 {Club.objects.filter(place=park).count()} 个,"
              f"报名 {SignUp.objects.filter(status=SignUpStatus.CONFIRMED).count()} 人次。")
