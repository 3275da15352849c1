"""The five colours of seed 003's risk analysis (五色风险分析法) in the demo, each reached through visits.

- Seed 003's case in 高和大厦: the 日资 company's lease ends within two months and it needs more room; the visit
  records both findings, their combination (outgrowing the premises) is recorded with them, and the company turns
  orange (较不稳定). Its request for a new office goes to the district's investment office; the follow-up is open.
- In 创智天地, a start-up's slide to red: a visit five weeks ago found the lease ending and the staff shrinking
  (yellow; the street followed up), its request for financing ran past its deadline, and yesterday's visit found it
  means to halve its staff and move to 苏州 with its investor: red (不稳定), with the playbook's follow-up due at
  once for the street's officer.
- Another park company tempted away by another district's rent subsidy: orange, followed up and closed, still
  watched; one behind on its rent with shrinking staff: yellow, its follow-up overdue.
- Blue and green come from the rest: leases ending within six months, overdue demands, and every company without
  a signal. The nightly recompute (run once at the end) colours them all.

Every step is a visit recorded, a follow-up closed or a demand moved through the services at its moment in the story
(jiceng.operations.story): scores, levels, follow-ups and their due dates in working days are the services' own.

Idempotent: a visit-recorded signal in the demo districts is the marker; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from jiceng.demands import visits, workflow
from jiceng.demands.models import Category, Visit
from jiceng.enterprises.models import Enterprise
from jiceng.members.models import Member
from jiceng.operations.story import Story
from jiceng.organizations.models import Coverage
from jiceng.places.models import Place, PlaceKind

from . import services
from .choices import FollowUpStatus, SignalSource
from .models import FollowUp, Signal

DEMO_DISTRICTS = ("杨浦区", "黄浦区", "静安区", "浦东新区")
PARK, GAOHE, SAKURAI = "创智天地", "高和大厦", "樱井商事（上海）有限公司"


class _Story:
    def __init__(self, users: dict[str, Any], today: dt.date) -> None:
        self.users, self.story = users, Story(today)
        self.worker, self.staff = users.get("building_worker"), users.get("street_staff")

    def visit(self, enterprise: Enterprise, day: dt.date, hour: int, *, worker, people: str, notes: str,
              findings: str, signals: list[str], demands: tuple[str, ...] = ()) -> Visit:
        with self.story.at(self.story.moment(day, hour)):
            return visits.record_visit(enterprise=enterprise, worker=worker, date=day, people_met=people, notes=notes,
                                       findings=findings, signals=signals, demand_texts=list(demands))

    def dispatch(self, visit: Visit, category: str, *, staff, department: str, hour: int = 15) -> None:
        """The visit's demand is accepted and sent to a department the same afternoon."""
        demand = visit.demands.order_by("pk").first()
        with self.story.at(self.story.moment(visit.date, hour)):
            demand = workflow.accept(demand, user=staff, category=Category.objects.get(code=category))
        with self.story.at(self.story.moment(visit.date, hour, 40)):
            workflow.assign(demand, user=staff, department=department)

    def close_follow_up(self, enterprise: Enterprise, level: int, day: dt.date, outcome: str, user) -> None:
        follow_up = FollowUp.objects.filter(enterprise=enterprise, level=level, status=FollowUpStatus.OPEN).first()
        if follow_up is not None:
            with self.story.at(self.story.moment(day, 17)):
                services.close_follow_up(follow_up, outcome=outcome, user=user)

    def set_lease_end(self, enterprise: Enterprise, lease_end: dt.date, day: dt.date) -> None:
        """The worker learns the lease's end on the visit and corrects the register (as the edit form would)."""
        with self.story.at(self.story.moment(day, 9)):
            enterprise.lease_end = lease_end
            enterprise.full_clean(exclude=[f.name for f in enterprise._meta.fields if not f.editable])
            enterprise.save()

    # --- the cases -------------------------------------------------------------------------------------------
    def sakurai(self, company: Enterprise) -> None:
        """Seed 003: lease ending + needs more room → 较不稳定 (orange)."""
        day = self.story.workdays_ago(2)
        lease = company.lease_end.isoformat() if company.lease_end else "近期"
        visit = self.visit(
            company, day, 10, worker=None, people="总务部长 佐藤先生",
            notes="“两新老师”跑楼,了解企业经营和发展需求。",
            findings=f"原办公单元(2108 室)租约 {lease} 到期;公司新增业务线,人员要从 36 人增加到 50 人左右,"
                     "现址容纳不下,如在静安找不到合适的办公单元,考虑搬离本区。",
            signals=["lease_ending", "expansion_need"],
            demands=("原办公单元租约即将到期,公司新增业务需要约 400 平方米的办公单元,希望在静安寺街道内找到合适的新"
                     "办公室,尽量降低搬迁成本;搬迁后还需办理地址变更和集中注册。",))
        self.dispatch(visit, "office_space", staff=self.users["admin"], department="区投资促进办")

    def red(self, company: Enterprise) -> None:
        """A start-up's slide: yellow five weeks ago, followed up; red after yesterday's visit."""
        first = self.story.workdays_ago(26)
        self.set_lease_end(company, self.story.today + dt.timedelta(days=40), first)
        visit = self.visit(
            company, first, 14, worker=self.worker, people="创始人、行政主管",
            notes="例行走访,了解经营情况。",
            findings=f"员工从年初的 45 人减少到 {company.employees} 人;办公室租约下月到期,尚未续签。新一轮融资还在洽"
                     f"谈。",
            signals=["lease_ending", "headcount_falling"],
            demands=("新一轮融资迟迟没有到位,现金流只能维持三个月,希望街道帮忙对接区科创集团的投资和科技型中小企业履"
                     "约贷。",))
        self.dispatch(visit, "finance", staff=self.staff, department="区科创集团")
        self.close_follow_up(company, 3, self.story.calendar.add_working_days(first, 4), user=self.staff,
                             outcome="已会同区科委上门走访,企业表示正在洽谈新一轮融资,视融资情况决定是否续租;"
                                     "已推荐参加下一次投融资对接会。")
        self.visit(
            company, self.story.workdays_ago(1), 10, worker=self.worker, people="创始人",
            notes="回访融资和租约情况。",
            findings="新一轮融资没有谈成,投资方要求公司把研发团队迁往苏州;公司计划裁员一半,租约到期后不再续签。",
            signals=["intends_to_move", "intends_to_shrink"])

    def tempted(self, company: Enterprise) -> None:
        """Another district's rent subsidy: orange, followed up and closed, still watched."""
        day = self.story.workdays_ago(9)
        self.set_lease_end(company, self.story.today + dt.timedelta(days=70), day)
        self.visit(company, day, 15, worker=self.worker, people="总经理",
                   notes="例行走访。",
                   findings="外区以两年房租补贴吸引企业迁入,企业有迁出意向;现办公室租约 70 天后到期。",
                   signals=["lease_ending", "intends_to_move"])
        self.close_follow_up(company, 4, self.story.calendar.add_working_days(day, 2), user=self.staff,
                             outcome="已会同区投资促进办上门,介绍杨浦区互联网企业扶持和人才公寓政策,并推荐园区内两处"
                                     "租金合适的办公单元;企业表示暂缓迁出决定,继续跟踪。")

    def arrears(self, company: Enterprise) -> None:
        """Behind on rent with shrinking staff: yellow, its follow-up still open past its due date."""
        self.visit(company, self.story.workdays_ago(15), 11, worker=self.worker, people="财务",
                   notes="物业反映企业拖欠租金,上门了解。",
                   findings="企业已拖欠两个月租金;主要客户流失,员工减少了三分之一。",
                   signals=["rent_arrears", "headcount_falling"])


def load(users: dict[str, Any], today: dt.date, say) -> None:
    districts = Place.objects.filter(kind=PlaceKind.DISTRICT, parent=None, name__in=DEMO_DISTRICTS)
    if Signal.objects.filter(source=SignalSource.VISIT, enterprise__district__in=districts).exists():
        return
    park = Place.objects.filter(kind=PlaceKind.PARK, name=PARK, parent__parent__in=districts).first()
    if park is None or not Category.objects.filter(code__in=("office_space", "finance")).count() == 2:
        return
    story = _Story(users, today)
    sakurai = Enterprise.objects.filter(name=SAKURAI, place__name=GAOHE, district__in=districts).first()
    if sakurai is not None:
        story.sakurai(sakurai)
    # Small companies of the park without an organization or an instructor, none visited yet.
    # Their leases end beyond the six-month window (each case sets its own); no member works there (the park's
    # 应建未建 company has its own story in the coverage report).
    candidates = list(Enterprise.objects.filter(place__path__startswith=park.path, employees__range=(20, 40),
                                                instructor__isnull=True)
                      .filter(Q(lease_end__isnull=True) | Q(lease_end__gt=today + dt.timedelta(days=200)))
                      .exclude(pk__in=Coverage.objects.values("enterprise"))
                      .exclude(pk__in=Visit.objects.values("enterprise"))
                      .exclude(pk__in=Member.objects.filter(employer__isnull=False).values("employer"))
                      .order_by("pk")[:3])
    for case, company in zip((story.red, story.tempted, story.arrears), candidates, strict=False):
        case(company)
    # The nightly recompute colours every enterprise (leases ending, overdue demands) as of today.
    counts = services.recompute_all(today)
    say("稳商风险:" + "、".join(f"{label} {counts[level]} 家" for level, label in
                                 ((5, "红色"), (4, "橙色"), (3, "黄色"), (2, "蓝色"), (1, "绿色"))) + "。")
