"""Demo of the portal (issue 19, seeds 003 and 004): every demo building with a head gets an upcoming public
activity at its station when it has none (so its /p/<id>/ page shows a head, a station, services and activities),
the 午间微课堂 of 创智天地 gets a message wall (seed 004: "很开心第一次参加这样的活动" — two approved, one waiting),
and 上海攀达信息科技有限公司's contact has reported changes: an approved new contact person and a pending headcount
drop with the lease ending (seed 003's retention case), waiting for the building worker.

Idempotent: the wall's messages are the marker; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from jiceng.activities import services as activity_services
from jiceng.activities import wall
from jiceng.activities.models import Activity, ActivityKind, ActivityMessage
from jiceng.enterprises import updates
from jiceng.governance.models import Council

from . import services

WALL = [  # (name, phone, text, approved)
    ("林晓", "13916000001", "很开心第一次参加这样的活动,讲得很实用!", True),
    ("周琪", "13916000002", "中午时间参加,气氛轻松温暖,很期待以后的活动。", True),
    ("陈默", "13916000003", "请问可以带同事一起来吗?需要另外报名吗?", False),
]


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _weekday_after(today: dt.date, days: int) -> dt.date:
    day = today + dt.timedelta(days=days)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def load(users: dict[str, Any], today: dt.date, say=None) -> None:
    if ActivityMessage.objects.exists():
        return
    pages = 0
    for council in Council.objects.filter(head__isnull=False).select_related("place"):
        station, _distance = services.serving_station(council.place)
        if station is None:
            continue
        pages += 1
        if services.upcoming_public_activities(council.place, station):
            continue
        day = _weekday_after(today, 3)
        Activity.objects.create(
            title="午间微课堂:个税汇算与专项附加扣除", kind=ActivityKind.MICRO_LECTURE, station=station.place,
            place=council.place, start=_at(day, 12, 10), end=_at(day, 12, 50), capacity=40, public=True,
            description="午间 40 分钟,税务所志愿者讲解个税汇算;扫楼宇码报名,现场可咨询。")
    lecture = (Activity.objects.filter(public=True, kind=ActivityKind.MICRO_LECTURE, start__gt=timezone.now())
               .order_by("start", "pk").first())
    if lecture is not None:
        for name, phone, text, approved in WALL:
            if not lecture.signups.filter(phone=phone).exists():
                activity_services.sign_up(lecture, name=name, phone=phone)
            message = wall.post_message(lecture, text=text, phone=phone)
            if approved and users.get("building_worker") is not None:
                ActivityMessage.objects.filter(pk=message.pk).update(
                    status="approved", moderated_by=users["building_worker"], moderated_at=timezone.now())
    contact, worker = users.get("unit_contact"), users.get("building_worker")
    enterprise = updates.own_enterprises(contact).first() if contact is not None else None
    if enterprise is not None and worker is not None:
        first = updates.propose(contact, enterprise, contact_name="陈思远", contact_phone="13916000010",
                                note="原联系人离职,由行政主管陈思远接任。")
        updates.review(first, worker, approve=True, today=today)
        enterprise.refresh_from_db()
        updates.propose(contact, enterprise, employees=max(0, enterprise.employees - max(3, enterprise.employees // 3)),
                        lease_end=today + dt.timedelta(days=75),
                        note="新一轮融资未到位,研发团队部分迁往苏州;现租约到期后拟缩减面积,希望街道帮助对接园区内小户型办公单元。")
    if say is not None:
        say(f"公众门户:{pages} 个楼宇页面(楼宇码),活动留言墙 {len(WALL)} 条(1 条待审核),"
            "单位信息更新 2 条(1 条待审核)。")
