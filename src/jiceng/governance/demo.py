"""Demo building governance (seed 003, 浦东 楼长制): 嘉兴大厦's council of twelve, its head — the property manager —
chosen through all three notices, two council meetings with decisions (one done, one turned into a demand, one
into a need on the building's lists), the four officers assigned to all 93 enterprises; two more pilot buildings
(上海中心, with a selection under way, and 鲁能国际中心) and the 陆家嘴楼宇党群联盟 that groups the three.

Idempotent: the 嘉兴大厦 council is the marker; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from jiceng.accounts.models import Role, RoleAssignment
from jiceng.enterprises.models import Enterprise
from jiceng.holidays.calendar import WorkCalendar
from jiceng.places.models import Place, PlaceKind

from . import services
from .models import Alliance, Council, OfficerAssignment, OfficerKind, Seat

DISTRICT, STREET, BUILDING = "浦东新区", "陆家嘴街道", "嘉兴大厦"
PILOTS = [("上海中心", 31.233500, 121.505500, "上海市浦东新区银城中路 501 号"),
          ("鲁能国际中心", 31.229800, 121.518300, "上海市浦东新区张杨路 1000 号")]
ALLIANCE = "陆家嘴楼宇党群联盟"
HEAD_USERNAME = "jiaxing_head"
# The four officers of the street (四大员), one account each: username, name, kind.
OFFICERS = [("officer_instructor", "顾文清", OfficerKind.PARTY_INSTRUCTOR),
            ("officer_economic", "陶振华", OfficerKind.ECONOMIC),
            ("officer_safety", "钱国栋", OfficerKind.SAFETY),
            ("officer_market", "沈丽萍", OfficerKind.MARKET_SUPERVISION)]


def _user(username: str, name: str, password: str) -> Any:
    from jiceng.operations.demo import DEMO_EMAIL_DOMAIN

    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create(username=username, password=password, first_name=name,
                                   email=f"{username}@{DEMO_EMAIL_DOMAIN}")
    return user


def load(users: dict[str, Any], today: dt.date, say=None) -> None:
    from jiceng.operations.demo import PASSWORD

    street = Place.objects.filter(kind=PlaceKind.STREET, name=STREET, parent__name=DISTRICT).first()
    tower = Place.objects.filter(parent=street, name=BUILDING).first() if street else None
    if tower is None or Council.objects.filter(place=tower).exists():
        return
    admin = users["admin"]
    password = make_password(PASSWORD)
    seats = {s.code: s for s in Seat.objects.all()}
    enterprises = list(Enterprise.objects.filter(place__path__startswith=tower.path).order_by("-employees", "pk"))

    # --- 嘉兴大厦楼事会: twelve members (seed 003) -------------------------------------------------------------
    council = services.create_council(place=tower, name="嘉兴大厦楼事会", established=today - dt.timedelta(days=120),
                                      description="由联合党委书记、物业、党群服务站负责人和企业、白领代表组成,"
                                                  "推动楼宇资源、需求、项目“三张清单”运作,有事找楼长。")
    head_user = _user(HEAD_USERNAME, "邵培哲", password)
    term = today - dt.timedelta(days=120)
    members = {}
    roster = [
        ("secretary", "party_secretary", "陈建民", "嘉兴大厦联合党委书记", None, None),
        ("property", "property_manager", "邵培哲", "楼宇物业公司经理", head_user, None),
        ("station", "station_head", "何晓燕", "嘉兴大厦党群服务站站长", None, None),
    ]
    roster += [(f"rep{i}", "enterprise_rep", name, "企业党支部书记", None,
                enterprises[i] if i < len(enterprises) else None)
               for i, name in enumerate(["赵立群", "冯嘉怡", "蒋志远", "韩雪", "杨波", "朱丹"])]
    roster += [(f"white{i}", "white_collar_rep", name, "白领代表", None, None)
               for i, name in enumerate(["许诺", "吕思源", "施雨"])]
    for key, seat, name, title, user, enterprise in roster:
        members[key] = services.add_member(council, seat=seats[seat], name=name, title=title, user=user,
                                           enterprise=enterprise, term_start=term, term_end=term.replace(
                                               year=term.year + 3))

    # --- the head through all three notices, finished before today -----------------------------------------
    calendar = WorkCalendar()
    nominated = today - dt.timedelta(days=75)
    selection = services.nominate(council, members["property"], by=admin, today=nominated,
                                  note="楼事会第一次会议,12 名成员一致推荐物业经理邵培哲为楼长人选。")
    day = nominated
    for _stage in range(3):
        notice = services.current_notice(selection)
        day = calendar.add_working_days(notice.ends_on, 1)
        services.advance(selection, by=admin, today=day)
    council.refresh_from_db()

    # --- meetings and decisions ----------------------------------------------------------------------------
    def at(day_: dt.date, hour: int) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day_, dt.time(hour, 0)))

    first = services.record_meeting(
        council, title="嘉兴大厦楼事会第一次会议", held_at=at(nominated - dt.timedelta(days=1), 14),
        location="嘉兴大厦党群服务站", by=admin,
        agenda=["楼事会议事规则", "推荐楼长人选(一推)", "楼宇党员志愿者先锋队"],
        attendees=list(members.values()),
        minutes="通过议事规则;一致推荐物业经理邵培哲为楼长人选,按一推三公示程序公示。",
        decisions=[services.DecisionInput("制定楼事会议事规则并在大堂公示", members["secretary"], 5),
                   services.DecisionInput("组建楼宇党员志愿者先锋队,排定值守表", members["station"], 10)])
    for decision in first.decisions.all():
        services.complete_decision(decision, outcome="已完成", by=admin, today=decision.due_date)
    second = services.record_meeting(
        council, title="嘉兴大厦楼事会例会", held_at=at(today - dt.timedelta(days=4), 14),
        location="嘉兴大厦党群服务站",
        by=head_user, agenda=["楼前非机动车停放", "午间白领健康讲座", "电梯高峰拥堵"],
        attendees=[m for k, m in members.items() if k not in ("white2", "rep5")],
        minutes="楼长通报近期企业需求;议定以下事项。",
        decisions=[services.DecisionInput("请街道协调楼前非机动车停放点", members["property"], 10),
                   services.DecisionInput("联系社区卫生服务中心开设午间健康讲座", members["station"], 15),
                   services.DecisionInput("物业调整高峰时段电梯运行方案", members["property"], 5)])
    decisions = list(second.decisions.order_by("pk"))
    services.decision_to_demand(decisions[0], by=head_user)
    services.decision_to_need(decisions[1], by=head_user, category="professional")

    # --- the four officers for all 93 enterprises -------------------------------------------------------------
    officers = {}
    for username, name, kind in OFFICERS:
        officer = _user(username, name, password)
        RoleAssignment.objects.get_or_create(user=officer, role=Role.STREET_STAFF, place=street)
        officers[kind] = officer
    OfficerAssignment.objects.bulk_create([
        OfficerAssignment(enterprise=e, kind=kind, person=officer, assigned_on=council.established,
                          note="包干对接")
        for e in enterprises for kind, officer in officers.items()], ignore_conflicts=True)

    # --- two more pilot buildings and the alliance -------------------------------------------------------------
    alliance = Alliance.objects.create(place=street, name=ALLIANCE, established=council.established,
                                       description="首批试点楼宇的楼事会结成楼宇党群联盟,共享阵地与活动,联合发布清单。")
    from jiceng.matching.models import JointConference

    alliance.conference = JointConference.objects.get_or_create(place=street, name=f"{ALLIANCE}联合清单")[0]
    alliance.save()
    council.alliance = alliance
    council.save()
    for name, lat, lng, address in PILOTS:
        place = Place.objects.filter(parent=street, name=name).first() or Place.objects.create(
            name=name, kind=PlaceKind.COMMERCIAL_BUILDING, parent=street, lat=lat, lng=lng, address=address)
        pilot = services.create_council(place=place, name=f"{name}楼事会", established=council.established,
                                        alliance=alliance)
        services.add_member(pilot, seat=seats["party_secretary"], name=f"{name[:2]}联合党委书记",
                                        term_start=term)
        manager = services.add_member(pilot, seat=seats["property_manager"], name=f"{name[:2]}物业经理",
                                      term_start=term, user=_user(f"head_{place.pk}", f"{name[:2]}物业经理", password))
        services.add_member(pilot, seat=seats["enterprise_rep"], name=f"{name[:2]}企业代表", term_start=term)
        if name == "上海中心":
            # A selection under way: the nominee notice runs now.
            services.nominate(pilot, manager, by=admin, today=today - dt.timedelta(days=2),
                              note="楼事会推荐物业经理为楼长人选。")
    if say is not None:
        say(f"楼宇治理:{council.name}(楼长 {council.head.name}),四大员包干 {len(enterprises)} 家企业,{ALLIANCE}。")
