"""Demo notification channels (issue 19): the street's WeCom work group, a resident registered with a mobile number,
and a delivery log with what a day looks like (a code by console SMS, e-mails, a robot that failed once and was
retried). The robot is inactive unless JICENG_WECOM_WEBHOOK is set: the demo never posts to the internet.

Idempotent: the demo robot is the marker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from jiceng.accounts.models import Role

from .models import Channel, Delivery, Robot, Status, UserContact

ROBOT = "街道工作群(演示)"
RESIDENT_MOBILE = "13900001901"


def load(users: dict[str, Any], today: dt.date, say=None) -> None:
    from jiceng.operations.demo import PASSWORD

    staff = users.get("street_staff")
    if staff is None or Robot.objects.filter(name=ROBOT).exists():
        return
    street = staff.role_assignments.filter(role=Role.STREET_STAFF).select_related("place").first()
    if street is None:
        return
    street = street.place
    url = settings.JICENG_WECOM_WEBHOOK or "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=DEMO-0000"
    robot = Robot.objects.create(name=ROBOT, webhook_url=url, place=street, kinds=["demands", "risk"],
                                 active=bool(settings.JICENG_WECOM_WEBHOOK))
    User = get_user_model()
    resident, created = User.objects.get_or_create(username=RESIDENT_MOBILE, defaults={
        "first_name": "王小明", "password": make_password(PASSWORD)})
    if created:
        UserContact.objects.get_or_create(user=resident, defaults={"mobile": RESIDENT_MOBILE,
                                                                  "verified_at": timezone.now()})
    now = timezone.now()
    located = {"district_id": street.district_id, "street_id": street.pk}
    rows = [
        Delivery(channel=Channel.SMS, user=resident, recipient=RESIDENT_MOBILE, event="account.code.register",
                 summary="验证码短信(注册)", payload={"purpose": "code", "text": "【基层】验证码短信(演示)",
                                                 "secret": True}, status=Status.SENT, attempts=1, answer="console",
                 sent=now),
        Delivery(channel=Channel.WECOM, robot=robot, recipient=url, event="demand.new",
                 summary=f"【新需求】{street.name}:楼道灯不亮", payload={"msgtype": "text", "text": {
                     "content": f"【新需求】{street.name}:楼道灯不亮"}}, status=Status.SENT, attempts=2,
                 answer='{"errcode":0,"errmsg":"ok"}', sent=now, **located),
        Delivery(channel=Channel.WECOM, robot=robot, recipient=url, event="demand.escalated",
                 summary="督办:需求“电梯维修”已超期", payload={"msgtype": "text", "text": {
                     "content": "督办:需求“电梯维修”已超期"}}, status=Status.FAILED, attempts=4,
                 answer='HTTP 200: {"errcode":93000,"errmsg":"invalid webhook url"}', **located),
        Delivery(channel=Channel.EMAIL, user=staff, recipient=staff.email or "street_staff@demo.jiceng.invalid",
                 event="demand.assigned", summary="新派单:楼道灯不亮", payload={"subject": "[Jiceng] 新派单"},
                 status=Status.SENT, attempts=1, answer="ok", sent=now, **located),
    ]
    Delivery.objects.bulk_create(rows)
    if say is not None:
        say(f"已载入通知渠道演示数据:{street.name}企业微信群机器人、手机号注册的居民 {RESIDENT_MOBILE}"
            f"(密码同其他演示用户)、{len(rows)} 条通知投递记录。")
