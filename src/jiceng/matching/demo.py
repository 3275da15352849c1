"""Demo content of the three lists: the 五角场 street's regional joint conference (seed 001/002 style) with member
units, a rotating chair, a meeting, resources, needs and projects in every stage. Idempotent: nothing is added
when the conference exists."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from jiceng.enterprises.models import Enterprise
from jiceng.matrix.tags import cells_mask, themes_mask
from jiceng.operations.demo import PANDA_BRANCH, PANDA_COMPANY, PARK_CZ, STREET_WJC
from jiceng.organizations.models import Organization
from jiceng.places.models import Place, PlaceKind

from . import services
from .models import ChairTerm, JointConference, Meeting, MemberUnit, Need, Resource, UnitKind

CONFERENCE = "五角场街道区域化党建联席会议"


def load(users: dict, today: dt.date, say) -> None:
    street = Place.objects.filter(kind=PlaceKind.STREET, name=STREET_WJC).first()
    if street is None or JointConference.objects.filter(place=street, name=CONFERENCE).exists():
        return
    park = Place.objects.filter(parent=street, name=PARK_CZ).first()
    lat, lng = (float(park.lat), float(park.lng)) if park and park.lat else (31.3012, 121.5141)
    admin = users["admin"]
    conference = JointConference.objects.create(
        name=CONFERENCE, place=street, established=dt.date(2017, 3, 1),
        organization=Organization.objects.filter(street=street, parent=None).first(),
        description="街道党工委牵头,驻区单位、园区企业、居民区共同参与,实行轮值制,每季度例会,"
                    "按“有什么、要什么”梳理资源清单、需求清单、项目清单。")
    panda = Enterprise.objects.filter(name=PANDA_COMPANY).first()
    others = list(Enterprise.objects.filter(place__path__startswith=park.path).exclude(pk=getattr(panda, "pk", 0))
                  .order_by("-employees")[:3]) if park else []
    units = [MemberUnit.objects.create(conference=conference, name=street.name, kind=UnitKind.STREET, place=street,
                                       contact_name="王主任", joined=conference.established)]
    if panda:
        units.append(MemberUnit.objects.create(
            conference=conference, name=panda.name, kind=UnitKind.ENTERPRISE, enterprise=panda, place=panda.place,
            organization=Organization.objects.filter(name=PANDA_BRANCH).first(), contact_name="李经理",
            joined=dt.date(2019, 5, 1)))
    for enterprise in others:
        units.append(MemberUnit.objects.create(conference=conference, name=enterprise.name, enterprise=enterprise,
                                               place=enterprise.place, joined=dt.date(2018, 9, 1)))
    units.append(MemberUnit.objects.create(conference=conference, name="上海五角场投资发展集团(示例)",
                                           kind=UnitKind.STATE_OWNED, joined=dt.date(2017, 3, 1)))
    units.append(MemberUnit.objects.create(conference=conference, name="某高校后勤党委(示例)",
                                           kind=UnitKind.INSTITUTION, joined=dt.date(2017, 3, 1)))
    # The rotating chair: half-year terms from the start of this year.
    begin = dt.date(today.year, 1, 1)
    for unit in units[:4]:
        end = begin + relativedelta(months=6) - dt.timedelta(days=1)
        ChairTerm.objects.create(conference=conference, unit=unit, start=begin, end=end)
        begin = end + dt.timedelta(days=1)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    Meeting.objects.create(conference=conference, title=f"{today.year}年第一季度联席会议", chair=units[0],
                           held_at=now - dt.timedelta(days=60), location="五角场街道党群服务中心",
                           agenda="一、通报需求清单\n二、成员单位发布资源\n三、项目认领",
                           minutes="会议确定了 3 个认领项目。")

    def resource(unit, title, category, capacity, measure, days, radius=3000, daily=None, text=""):
        return services.save_resource(Resource(
            conference=conference, unit=unit, title=title, category=category, capacity=capacity, measure=measure,
            start=now - dt.timedelta(days=10), end=now + dt.timedelta(days=days), radius_m=radius,
            daily_start=daily[0] if daily else None, daily_end=daily[1] if daily else None,
            description=text, location=park.name if park else street.name, lat=lat, lng=lng), by=admin)

    def need(name, title, category, quantity, measure, days, daily=None, text="", unit=None, created_ago=20):
        return services.save_need(Need(
            conference=conference, requester_name=name, requester_kind="unit" if unit else "community",
            requester_unit=unit, title=title, category=category, quantity=quantity, measure=measure,
            start=now, end=now + dt.timedelta(days=days), daily_start=daily[0] if daily else None,
            daily_end=daily[1] if daily else None, description=text, location=street.name, lat=lat + 0.004,
            lng=lng + 0.003, created=now - dt.timedelta(days=created_ago)), by=admin)

    night = (dt.time(19, 0), dt.time(7, 0))
    provider = units[1] if panda else units[-1]
    resource(provider, "园区地下车库夜间错时停车", "parking", 40, "个", 180, daily=night,
                       text="工作日夜间和周末开放给周边居民")
    venue = resource(units[-2], "多功能厅(120 人)", "venue", 8, "场", 120, text="可承办讲座、议事会")
    lecture = resource(units[-1], "青年教师普法与心理健康讲座", "training", 6, "场", 200)
    resource(units[0], "社区志愿者服务队", "volunteers", 30, "人次", 90)
    need("国和居民区", "居民夜间停车位", "parking", 20, "个", 90, daily=night, text="老小区夜间停车难")
    need("政通路居民区", "老年人防诈骗讲座", "training", 2, "场", 60, text="为社区老年人开展防诈骗知识讲座")
    venue_need = need("创智坊青年社团", "青年联谊活动场地", "venue", 2, "场", 60, text="周末举办青年交友联谊活动")
    help_need = need("大学路商户", "商户法律咨询", "professional", 3, "次", 60, text="合同与劳动纠纷咨询")
    # Projects in several stages, so the project list and the statistics have content.
    done = services.claim_need(venue_need, unit=venue.unit, quantity=1, by=admin, resource=venue,
                               note="周六下午提供多功能厅")
    for action in ("agree", "start", "complete"):
        done = services.advance(done, action, by=admin)
    services.advance(done, "evaluate", by=admin, rating=5, outcome="活动顺利举办,80 人参加")
    started = services.claim_need(venue_need, unit=lecture.unit, quantity=1, by=admin, note="提供报告厅")
    services.advance(services.advance(started, "agree", by=admin), "start", by=admin)
    legal = services.claim_need(help_need, unit=units[0], quantity=1, by=admin, note="街道法律服务站对接")
    # The 3×3 matrix and the 党建+ themes (seeds 000, 002): the youth social serves the park's employees, the
    # legal advice the street's shop owners (entrepreneurs).
    services.tag_project(done, by=admin, cells=cells_mask(["employees:serve", "employees:organize"]),
                         themes=themes_mask(["service", "culture"]))
    services.tag_project(started, by=admin, cells=cells_mask(["employees:serve"]), themes=themes_mask(["service"]))
    services.tag_project(legal, by=admin, cells=cells_mask(["creators:serve"]), themes=themes_mask(["service"]))
    say(f"三张清单:联席会议 1 个,成员单位 {len(units)} 家,资源 {Resource.objects.filter(conference=conference).count()}"
        f" 条,需求 {Need.objects.filter(conference=conference).count()} 条。")
