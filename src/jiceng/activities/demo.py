"""Demo organizational life in the demo districts (seeds 000 and 004).

- The 攀达科技 branch's monthly theme party day on the second Thursday (a series over the past and coming
  months, holidays moved to the next working day), with attendance for the past ones, and a party lecture.
- 三会一课 in every demo branch over the last full quarter and the current one so far, as its structure asks
  (支委会 where there is a committee, 党小组会 by each party group, 党课 from the park committee for all its
  branches with their members on the attendance list): most branches hold everything; a few have real gaps (a
  missed month, a quarter without a branch meeting), so the compliance page shows both. Some meetings carry a
  meeting record (topic, chair, recorder, absences with reasons).
- Assigned work (党组织分配的工作) in the 攀达 branch: tasks done, one open, one long overdue.
- Lunchtime micro-lectures (午间微课堂) at the youth community station with speakers from the park's branches,
  attendance and 1–5 ratings; one coming lecture booked in the station's hall; a volunteering activity with hours.
- Youth clubs and alliances (seed 000: 23 clubs of the "缘聚五角场" youth community; seed 004: sports alliances)
  with members and a badminton match whose places are taken, so it has a waiting list.
- Tags of the 3×3 matrix and the 党建+ themes (seeds 000, 002) on all of these, and a few activities straight from
  the seeds (the 创客训练营, a charity market for children, TCM consultations in the park, the creators' party
  education), so the report by matrix cell has figures in most cells and under every theme.

Idempotent: the theme-day series of the 攀达 branch is the marker; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng.matrix.tags import cells_mask, themes_mask
from jiceng.members.models import Member
from jiceng.organizations.models import BRANCH_KINDS, CommitteeMember, Organization
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
    ComplianceRule,
    MeetingAbsence,
    MeetingRecord,
    Period,
    Series,
    SignUp,
    SignUpStatus,
)

DISTRICT, STREET, PARK = "杨浦区", "五角场街道", "创智天地"
STATION = "五角场青年社区党群服务站"
PARK_COMMITTEE = "创智天地园区综合党委"
THEME_DAY = "主题党日"

def tagged(cells: tuple[str, ...] = (), themes: tuple[str, ...] = ()) -> dict[str, int]:
    """The `cells`/`themes` fields of an activity tagged with these codes (jiceng.matrix.tags)."""
    return {"cells": cells_mask(cells), "themes": themes_mask(themes)}


# The seeds' matrix (seed 002: 员工-UP主-用户 × 组织-服务-引领) and themes (seed 000: 党建+服务、文化、公益).
ORGANIZE_EMPLOYEES = tagged(("employees:organize",))
MICRO_LECTURE_TAGS = {
    "青年微党课:党的二十大精神里的青年担当": tagged(("employees:lead",), ("culture",)),
    "青年微党课:数字经济与青年创业": tagged(("creators:lead",), ("culture",)),
    "午间微课堂:如何做好非公领域党建工作": tagged(("employees:lead", "creators:organize"), ("culture",)),
    "午间微课堂:职场压力与心理调适": tagged(("employees:serve",), ("service",)),  # seed 000: 王金丽工作室
    "午间微课堂:从一张发票看企业合规": tagged(("creators:serve",), ("service",)),
}
SEED_ACTIVITIES = [
    # title, kind, organizer (branch name, or None: the youth community station), days from today, hours, tags,
    # description
    ("创客训练营:从校园到创业", ActivityKind.LECTURE, "腾讯众创空间联合党支部", -33, (14, 17),
     tagged(("creators:lead", "creators:organize"), ("culture",)),
     "聘请专家为年轻创客授课,交流创业心得(种子 000:“党支部是我的另一所大学”)。"),
    ("“与爱童行”萌娃公益集市", ActivityKind.VOLUNTEERING, None, -26, (10, 16),
     tagged(("users:serve", "employees:lead"), ("public_welfare",)),
     "企业党员与社区居民共办公益集市,所得用于资助困难儿童就诊。"),
    ("中医咨询进园区", ActivityKind.OTHER, None, -14, (12, 14),
     tagged(("employees:serve",), ("service",)), "“缘聚五角场”青年社区乐活板块:为园区白领提供中医咨询。"),
    ("创作者党员教育:用作品讲好身边的故事", ActivityKind.LECTURE, "云帆网络党支部", -8, (15, 17),
     tagged(("creators:organize", "creators:lead", "users:lead"), ("culture",)),
     "种子 002:集中开展创作者党员教育,以年轻人喜闻乐见的方式推出主旋律作品。"),
]
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
        generated = recurrence.generate(series, default=recurrence.Choice.MOVE)
        # The theme party day organizes the employees who are members, with a culture theme each month.
        Activity.objects.filter(pk__in=[a.pk for a in generated]).update(
            **tagged(("employees:organize",), ("culture",)))
        for activity in generated:
            if activity.end < self.now:
                self.attend(activity, members, 0.85)
            else:
                for member in members[: self.rng.randint(4, 8)]:
                    services.sign_up(activity, member=member)
        quarter_start = self.today.replace(month=3 * ((self.today.month - 1) // 3) + 1, day=1)
        months = [quarter_start - relativedelta(months=n) for n in range(3, 0, -1)]
        lecture_day = months[1] + dt.timedelta(days=15)
        lecture = self.activity(title="党课:学习新修订的《中国共产党支部工作条例》", kind=ActivityKind.PARTY_LECTURE,
                                organization=branch, start=_at(lecture_day, 12), end=_at(lecture_day, 13, 30),
                                speaker=members[0] if members else None,
                                **tagged(("employees:lead",), ("culture",)))
        if lecture.end < self.now:
            self.attend(lecture, members, 0.8)
        # Seed 000: 攀达's green-travel volunteer service area, with the hours counted.
        day = self.today - dt.timedelta(days=12)
        volunteering = self.activity(title="绿色出行党员志愿服务", kind=ActivityKind.VOLUNTEERING, organization=branch,
                                     start=_at(day, 9), end=_at(day, 12), location="创智天地绿色出行党员志愿服务区",
                                     **tagged(("employees:lead", "users:serve"), ("public_welfare",)))
        self.attend(volunteering, members, 0.5)
        self.assigned_work(branch, members)
        return branch

    def assigned_work(self, branch: Organization, members: list[Member]) -> None:
        """Work the branch assigned (党章第九条): done tasks, one still open, one overdue for months."""
        from jiceng.members.models import AssignedWork

        tasks = [
            # task, member index, assigned (days ago), due (days after assigned), done (days after assigned)
            ("绿色出行志愿服务区值守", 2, 60, 30, 20),
            ("联系园区新入驻企业并宣传党建政策", 3, 40, 30, 25),
            ("整理支部党员学习笔记", 4, 20, 30, None),
            ("走访园区流动党员并登记", 5, 230, 30, None),  # long overdue: the six-month report lists it
        ]
        for task, index, ago, due, done in tasks:
            if index >= len(members):
                continue
            assigned = self.today - dt.timedelta(days=ago)
            work = AssignedWork(task=task, member=members[index], organization=branch, assigned=assigned,
                                due=assigned + dt.timedelta(days=due),
                                done=assigned + dt.timedelta(days=done) if done is not None else None,
                                recorded_by=self.users.get("org_secretary"))
            work.full_clean()
            work.save()

    def organizational_life(self) -> None:
        """三会一课 in every demo branch over the last full quarter and this one so far, as its structure asks."""
        from jiceng.operations.demo import STREET_JAS, STREET_LJZ, STREET_WJC, STREET_YY

        from . import compliance

        branches = list(Organization.objects.filter(kind__in=BRANCH_KINDS, street__name__in=[
            STREET_WJC, STREET_YY, STREET_JAS, STREET_LJZ]).order_by("path", "pk"))
        year, quarter = compliance.last_full_quarter(self.today)
        first = compliance.quarter_bounds(year, quarter)[0]
        months = [first + relativedelta(months=n) for n in range(6)]
        months = [m for m in months if m <= self.today]
        rules = list(ComplianceRule.objects.filter(active=True))
        members = {}
        for member in Member.objects.active().filter(organization__in=branches).order_by("pk"):
            members.setdefault(member.organization_id, []).append(member)
        seats = {}
        for org_id, member_id in CommitteeMember.objects.filter(organization__in=branches).values_list(
                "organization_id", "member_id"):
            seats.setdefault(org_id, set()).add(member_id)
        # What the theme-day series and the lecture above already hold: not made twice.
        have = {(a.organization_id, a.kind, timezone.localtime(a.start).year, timezone.localtime(a.start).month)
                for a in Activity.objects.counted().filter(organization__in=branches, start__gte=_at(months[0], 0))}
        # A few real gaps (branch name → kinds skipped in the last full quarter's middle month or the quarter).
        gaps = {name: kind for name, kind in (
            ("腾讯众创空间联合党支部", ActivityKind.THEME_DAY), ("锐思软件党支部", ActivityKind.BRANCH_MEETING),
            ("高和大厦第二联合党支部", ActivityKind.COMMITTEE_MEETING),
            ("嘉兴大厦第一联合党支部", ActivityKind.GROUP_MEETING))}
        plan: list[tuple[Organization, str, dt.date, list[Member], Organization]] = []
        park_committee = Organization.objects.filter(name=PARK_COMMITTEE, place=self.park).first()
        park_id = park_committee.pk if park_committee is not None else None
        for branch in branches:
            structure = compliance.structure_of(branch)
            people = members.get(branch.pk, [])
            for rule in rules:
                if structure.reason(rule.kind) or (rule.kind == ActivityKind.PARTY_LECTURE
                                                   and park_id is not None and branch.parent_id == park_id):
                    continue  # not asked of this branch; the park's branches hear the park committee's 党课
                for index, month in enumerate(months):
                    in_last_quarter = index < 3
                    if rule.period == Period.QUARTER and index % 3:
                        continue
                    if rule.period == Period.YEAR and (index != 0 or month.year != year):
                        continue
                    if gaps.get(branch.name) == rule.kind and in_last_quarter and (
                            rule.period != Period.MONTH or index == 1):
                        continue
                    if rule.kind == ActivityKind.GROUP_MEETING:
                        for n, (group_id, _name) in enumerate(structure.groups):
                            share = people[n::len(structure.groups)]
                            plan.append((branch, rule.kind, month + dt.timedelta(days=14 + n), share,
                                         Organization(pk=group_id)))
                        continue
                    if (branch.pk, rule.kind, month.year, month.month) in have:
                        continue
                    attendees = [m for m in people if m.pk in seats.get(branch.pk, ())] \
                        if rule.kind == ActivityKind.COMMITTEE_MEETING else people
                    day = month + dt.timedelta(days={ActivityKind.BRANCH_MEETING: 20, ActivityKind.COMMITTEE_MEETING: 4,
                                                     ActivityKind.THEME_DAY: 9}.get(rule.kind, 22))
                    plan.append((branch, rule.kind, day, attendees, branch))
        if park_committee is not None:
            # One 党课 a quarter from the park committee for all its branches: it counts for each branch whose
            # members are on the attendance list.
            park_members = [m for b in branches if b.parent_id == park_committee.pk
                            for m in members.get(b.pk, [])[:4]]
            for index in (0, 3):
                if index < len(months):
                    plan.append((park_committee, ActivityKind.PARTY_LECTURE, months[index] + dt.timedelta(days=17),
                                 park_members, park_committee))
        self._hold(plan)

    def _hold(self, plan) -> None:
        """Create the planned meetings that are over as held, with attendance, in a few bulk inserts."""
        titles = {ActivityKind.BRANCH_MEETING: "支部党员大会", ActivityKind.COMMITTEE_MEETING: "支委会",
                  ActivityKind.GROUP_MEETING: "党小组会", ActivityKind.PARTY_LECTURE: "党课:学习贯彻党的二十大精神",
                  ActivityKind.THEME_DAY: "主题党日", ActivityKind.LIFE_MEETING: "年度组织生活会",
                  ActivityKind.APPRAISAL: "民主评议党员"}
        places = {p.pk: p for p in Place.objects.filter(pk__in={b.place_id for b, *_rest in plan})}
        activities, attendees = [], []
        for branch, kind, day, people, organizer in plan:
            while day.weekday() >= 5:
                day += dt.timedelta(days=1)
            start, end = _at(day, 18, 30), _at(day, 20)
            if end >= self.now:
                continue
            place = places[branch.place_id]
            activities.append(Activity(
                title=f"{titles[kind]}({day:%Y年%m月})", kind=kind, organization_id=organizer.pk, start=start,
                end=end, status=ActivityStatus.HELD, host_id=place.pk, district_id=place.district_id,
                street_id=place.street_id, created_by=self.users.get("org_secretary"), **ORGANIZE_EMPLOYEES))
            attendees.append(people)
        Activity.objects.bulk_create(activities)
        rng = random.Random(2018)  # its own generator: the clubs below keep the members they always had
        rows = []
        for activity, people in zip(activities, attendees, strict=True):
            present = [m for m in people if rng.random() < 0.9] or people[:1]
            rows += [Attendance(activity=activity, member=m, checked_in_at=activity.start, hours=Decimal("1.50"),
                                method=AttendanceMethod.LIST) for m in present]
        Attendance.objects.bulk_create(rows)
        # Records for the committee meetings: topic, chair, recorder, who was absent and why.
        for activity, people in zip(activities, attendees, strict=True):
            if activity.kind != ActivityKind.COMMITTEE_MEETING or len(people) < 3:
                continue
            record = MeetingRecord.objects.create(
                activity=activity, topic="研究部署本月党建工作", chair=people[0], recorder=people[1],
                decisions="1. 确定本月主题党日内容;2. 讨论发展对象培养情况。",
                recorded_by=self.users.get("org_secretary"))
            present = set(activity.attendances.values_list("member_id", flat=True))
            MeetingAbsence.objects.bulk_create([MeetingAbsence(record=record, member=m, reason="出差")
                                                for m in people if m.pk not in present])

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
                          description="午间 40 分钟,青年党员面对面宣讲;听众通过满意度测评为主讲人打分。",
                          **MICRO_LECTURE_TAGS.get(title, {}))
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

    # --- activities straight from the seeds, for the report by matrix cell -------------------------------------
    def seed_activities(self) -> None:
        everyone = [m for members in self.members.values() for m in members]
        for title, kind, organizer, days, (start, end), tags, description in SEED_ACTIVITIES:
            day = self.today + dt.timedelta(days=days)
            branch = self.branches.get(organizer) if organizer else None
            where = {"organization": branch} if branch is not None else {"station": self.station}
            if None in where.values():
                continue
            activity = self.activity(title=title, kind=kind, start=_at(day, start), end=_at(day, end),
                                     description=description, **where, **tags)
            pool = self.members.get(branch.pk, []) if branch is not None else everyone
            if activity.end < self.now and pool:
                self.attend(activity, self.rng.sample(pool, min(len(pool), 24)), 0.75)

    def _hall(self):
        try:
            from jiceng.venues.models import Room
        except ImportError:
            return None
        return Room.objects.filter(place__parent=self.park, name="多功能厅").first()

    # --- clubs -----------------------------------------------------------------------------------------------
    def clubs(self) -> None:
        guide = Organization.objects.filter(name=PARK_COMMITTEE).first()
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
                                      public=True, **tagged(("employees:serve",), ("service", "culture")))
                for member in chosen[:10]:
                    services.sign_up(match, member=member)
            if name == "演讲训练营":
                day = self.today - dt.timedelta(days=20)
                talk = self.activity(title="主题演讲:我的创业第一年", kind=ActivityKind.CLUB_ACTIVITY, club=club,
                                     start=_at(day, 19), end=_at(day, 21),
                                     **tagged(("creators:serve", "employees:organize"), ("culture",)))
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
    loader.organizational_life()
    loader.micro_lectures()
    loader.clubs()
    loader.seed_activities()
    _say(say, f"组织生活:活动 {Activity.objects.filter(district=park.district_id).count()} 场,"
              f"出席记录 {Attendance.objects.filter(activity__district=park.district_id).count()} 条,"
              f"社团 {Club.objects.filter(place=park).count()} 个,"
              f"报名 {SignUp.objects.filter(status=SignUpStatus.CONFIRMED).count()} 人次。")
