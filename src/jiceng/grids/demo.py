"""Demo micro-grids, household contacts and a renovation project (issue #18, seeds 001 and 002).

- 黄浦区 豫园街道 gets an outline and four generated cells of about 1 km² (seed 002's 微网格, 15–20 members each),
  each with its grid branch under the street committee, its members (by residence or workplace) and its contact
  (网格联络员, the branch secretary); one grid is short of 15 members and one over 20, so both warnings show.
- Three members of the 豫园小商品市场联合党支部 keep contact with 50 households each (seed 001: 每个党员联系了
  50个业户): the market's individual businesses (个体工商户, the demo's enterprises with a 92 credit code) and
  stalls, and for one member residential households; most were contacted this month, a few raised matters, three
  of them already demands.
- 老西门街道 小西门居民区: the 蓬莱路地块 renovation (seed 002) with two consultation rounds, a signing rate, its
  temporary branch (members keep their home branch) and three-party mediation cases (居民、征收事务所、居民区书记
  与律师).

Idempotent: the grids of 豫园街道 are the marker; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from jiceng.enterprises.models import Enterprise
from jiceng.members.models import Member
from jiceng.organizations.models import Organization, OrgKind
from jiceng.places.models import Place, PlaceKind

from . import geometry, services
from .models import (
    AssignmentBasis,
    ConsultationRound,
    ContactWay,
    Grid,
    HouseholdContact,
    HouseholdKind,
    MediationCase,
    MediationOutcome,
    RenovationProject,
)

DISTRICT, STREET, MARKET = "黄浦区", "豫园街道", "豫园小商品市场"
MARKET_BRANCH, STREET_COMMITTEE = "豫园小商品市场联合党支部", "豫园街道党工委"
# 豫园街道's outline, simplified: about 1.9 × 1.9 km with the north-east corner cut (WGS-84, [lng, lat]).
OUTLINE = [(121.4825, 31.2185), (121.50248, 31.2185), (121.50248, 31.2300), (121.4975, 31.23559),
           (121.4825, 31.23559), (121.4825, 31.2185)]
GRID_SIZES = [18, 16, 13, 21]  # the third is short of 15 members, the fourth over 20: both warnings show
ORDINALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九"]
RAISED = ["摊位前的下水道堵塞,雨天积水严重", "希望市场延长夜间照明时间", "消防通道被货物占用,请协调清理",
          "商户垃圾分类投放点太远", "希望组织一次网店直播销售培训", "门口台阶破损,老人进出不便",
          "楼道灯坏了一个多月", "希望社区开设老年助餐点"]
OLD_TOWN, COMMUNITY = "老西门街道", "小西门居民区"
PROJECT = "蓬莱路地块旧区改造"
EXPROPRIATION_OFFICE = "黄浦区第一房屋征收服务事务所"


def load(users: dict[str, Any], today: dt.date, say=None) -> None:
    from jiceng.operations.demo import _Builder

    street = Place.objects.filter(kind=PlaceKind.STREET, name=STREET, parent__name=DISTRICT).first()
    if street is None or Grid.objects.filter(place=street).exists():
        return
    builder = _Builder(users.get("building_worker"), today)
    builder.rng = random.Random(1818)  # issue 18; apart from the district demo's own sequence
    staff = users.get("street_staff_2") or users.get("admin")
    grids = _grids(builder, street, today)
    households = _households(builder, street, grids, today, staff)
    project = _renovation(builder, street.parent, today)
    if say is not None:
        say(f"已载入微网格与联系户演示数据：{STREET} {len(grids)} 个微网格、{households} 户党员联系户；"
            f"{OLD_TOWN}“{project.name}”及其临时党支部。")


def _grids(builder, street: Place, today: dt.date) -> list[Grid]:
    services.set_street_boundary(street, geometry.as_geometry(OUTLINE))
    grids = services.generate_cells(street, prefix="豫园")
    committee = Organization.objects.filter(name=STREET_COMMITTEE, street=street).first()
    for grid, size, ordinal in zip(grids, GRID_SIZES, ORDINALS, strict=False):
        branch = builder.org(f"{STREET}第{ordinal}网格党支部", OrgKind.BRANCH, street, committee,
                             established=today - dt.timedelta(days=700))
        members = builder.members(branch, size, full=size - 1, profile="market")
        for i, member in enumerate(members):
            basis = AssignmentBasis.WORKPLACE if i % 3 == 2 else AssignmentBasis.RESIDENCE
            services.assign_member(grid, member, basis=basis, since=today - dt.timedelta(days=600 - i))
        branch.secretary = members[0]
        branch.save(update_fields=["secretary"])
        grid.branch, grid.contact = branch, members[0]
        grid.code = f"HP-YY-{ordinal}"
        services.save_grid(grid)
    return grids


def _grid_at(grids: list[Grid], place: Place) -> Grid | None:
    if place.lat is None or place.lng is None:
        return None
    point = (float(place.lng), float(place.lat))
    return next((g for g in grids if geometry.contains_point(geometry.points(g.geometry), point)), None)


def _households(builder, street: Place, grids: list[Grid], today: dt.date, staff) -> int:
    market = Place.objects.filter(parent=street, name=MARKET).first()
    branch = Organization.objects.filter(name=MARKET_BRANCH, street=street).first()
    if market is None or branch is None:
        return 0
    rng = builder.rng
    keepers = list(Member.objects.filter(organization=branch, left_on__isnull=True).order_by("pk")[:3])
    shops = list(Enterprise.objects.filter(place=market, credit_code__startswith="92").order_by("pk"))
    grid = _grid_at(grids, market)
    made = 0
    raised = 0
    for index, member in enumerate(keepers):
        residential = index == 2
        for n in range(50):
            shop = shops.pop(0) if shops and not residential else None
            if residential:
                name = f"{builder.person_name(rng.choice('MF'), unique=False)}家"
                address = f"方浜中路{rng.randint(100, 460)}弄{rng.randint(1, 40)}号"
            else:
                name = shop.name if shop else f"{builder.brand()}{rng.choice(['小商品', '饰品', '玩具', '箱包'])}商行"
                address = f"福佑路{rng.choice('ABCD')}区{n + 1 + 80 * index}号"
            household = HouseholdContact(
                kind=HouseholdKind.RESIDENTIAL if residential else HouseholdKind.BUSINESS, name=name, address=address,
                place=street if residential else market, enterprise=shop, grid=grid if not residential else None,
                member=member, assigned_on=today - dt.timedelta(days=rng.randint(200, 900)))
            household.full_clean()
            household.save()
            made += 1
            if rng.random() < 0.8:  # most were contacted this month
                matter = RAISED[raised % len(RAISED)] if rng.random() < 0.06 else ""
                log = services.log_contact(household, date=today - dt.timedelta(days=rng.randint(0, 25)),
                                           way=rng.choice(ContactWay.values), raised=matter)
                if matter:
                    raised += 1
                    if raised <= 3:
                        services.raise_demand(log, by=staff)
            if rng.random() < 0.5:
                services.log_contact(household, date=today - dt.timedelta(days=rng.randint(35, 90)),
                                     way=ContactWay.VISIT)
        Member.objects.filter(pk=member.pk).update(households_contacted=50)
    return made


def _renovation(builder, district: Place, today: dt.date) -> RenovationProject:
    old_town = builder.place(OLD_TOWN, PlaceKind.STREET, district, 31.218500, 121.488000, "上海市黄浦区中华路")
    community = builder.place(COMMUNITY, PlaceKind.COMMUNITY, old_town, 31.217000, 121.490500,
                              "上海市黄浦区蓬莱路")
    committee = builder.org(f"{OLD_TOWN}党工委", OrgKind.COMMITTEE, old_town, None, established=dt.date(2000, 7, 1))
    general = builder.org(f"{COMMUNITY}党总支", OrgKind.GENERAL_BRANCH, community, committee,
                          established=dt.date(2003, 3, 1))
    home = builder.org(f"{COMMUNITY}第一党支部", OrgKind.BRANCH, community, general, established=dt.date(2003, 3, 1))
    members = builder.members(home, 9, full=9, profile="market")
    started = today - dt.timedelta(days=420)
    project = RenovationProject(name=PROJECT, place=community, started=started, households=860, signed=812,
                                description="二轮意愿征询高比例通过;临时党支部牵头居民议事会、党员恳谈会,"
                                            "党员居民带头签约。")
    project.full_clean()
    project.save()
    ConsultationRound.objects.create(project=project, number=1, held_on=started + dt.timedelta(days=20),
                                     responded=851, agreed=846, note="一轮征询:同意改造")
    ConsultationRound.objects.create(project=project, number=2, held_on=started + dt.timedelta(days=210),
                                     responded=858, agreed=839, note="二轮征询:征收补偿方案")
    services.set_up_branch(project, name="蓬莱路旧改基地临时党支部", parent=general, members=members[:6],
                           on=started + dt.timedelta(days=10), secretary=members[0])
    parties = f"{COMMUNITY}党总支书记、法律顾问"
    for days, household, resident, issue, outcome, note in [
        (300, "蓬莱路 152 弄 7 号", "陈家三兄妹", "析产分歧:老人名下面积的分配", MediationOutcome.AGREED,
         "三方调解后按继承份额分配,当日签约"),
        (160, "蓬莱路 203 弄 12 号", "周某某", "房屋面积认定与实际居住面积不符", MediationOutcome.PARTIAL,
         "补测面积后部分认可,另行复核阁楼部分"),
        (20, "学前街 48 号", "沈家", "安置房源选择意见不一", MediationOutcome.PENDING, ""),
    ]:
        opened = today - dt.timedelta(days=days)
        case = MediationCase(project=project, household=household, resident_party=resident,
                             enterprise_party=EXPROPRIATION_OFFICE, street_party=parties, issue=issue,
                             opened_on=opened, outcome=outcome, outcome_note=note,
                             closed_on=opened + dt.timedelta(days=14) if outcome != MediationOutcome.PENDING else None)
        case.full_clean()
        case.save()
    return project
