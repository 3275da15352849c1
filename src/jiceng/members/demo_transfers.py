"""Demo organization-relationship transfers (组织关系转接), one in every state.

Seed 000: after the 攀达科技 branch was set up, employees moved their membership to it — one letter from 云帆 is
issued and waits for the branch to receive it, and a graduate's letter from her university has come in from outside
the platform. Around them: a request the park committee has still to issue, a letter received and waiting to be
completed, two transfers completed (one with its receipt back), a letter returned because the receiving
organization was named wrongly, and a letter to 苏州 the member never took there, expired by the daily job (run once
at the end).

Every step runs through jiceng.members.transfers at its moment in the story (jiceng.operations.story), so letter
numbers, validity by destination and the issuing authority are the service's own.

Idempotent: a transfer of a demo organization is the marker; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Q

from jiceng.core.validators import make_id_number
from jiceng.operations.story import Story
from jiceng.organizations.models import CommitteeMember, Organization
from jiceng.places.models import Place, PlaceKind

from . import transfers
from .models import Member, MemberStatus, Transfer
from .models.transfer import LetterScope

DEMO_DISTRICTS = ("杨浦区", "黄浦区", "静安区", "浦东新区")
PANDA = "攀达科技党支部"


def load(users: dict[str, Any], today: dt.date, say) -> None:
    districts = Place.objects.filter(kind=PlaceKind.DISTRICT, parent=None, name__in=DEMO_DISTRICTS)
    orgs = {o.name: o for o in Organization.objects.filter(district__in=districts)}
    if not orgs or Transfer.objects.filter(Q(from_organization__in=orgs.values())
                                           | Q(to_organization__in=orgs.values())).exists():
        return
    story = Story(today)
    seated = CommitteeMember.objects.values("member")
    taken: set[int] = set()

    def mover(org_name: str) -> Member | None:
        """A full member without a seat, not mobile, not a demo applicant, not one of the named demo people."""
        member = (Member.objects.active().filter(organization=orgs.get(org_name), status=MemberStatus.FULL,
                                                  is_mobile=False, application__isnull=True)
                  .exclude(pk__in=seated).exclude(pk__in=taken).exclude(name__in=("张三", "李四"))
                  .order_by("-pk").first())
        if member is not None:
            taken.add(member.pk)
        return member

    def at(day: dt.date, hour: int):
        return story.at(story.moment(day, hour))

    staff, staff_2, admin = users.get("street_staff"), users.get("street_staff_2"), users["admin"]
    made = 0

    # Requested: waiting for the park committee to issue the letter.
    member = mover("五角场街道互联网企业联合党支部")
    if member and "腾讯众创空间联合党支部" in orgs:
        with at(story.workdays_ago(2), 10):
            transfers.request_transfer(member, to_organization=orgs["腾讯众创空间联合党支部"], user=staff,
                                       reason="入驻腾讯众创空间创业,工作单位变动")
        made += 1

    # Issued: 云帆 → 攀达 (seed 000), waiting for the 攀达 branch to receive it.
    member = mover("云帆网络党支部")
    if member and PANDA in orgs:
        with at(story.workdays_ago(6), 15):
            transfer = transfers.request_transfer(member, to_organization=orgs[PANDA], user=staff,
                                                  reason="调入上海攀达信息科技有限公司工作")
        with at(story.workdays_ago(5), 10):
            transfers.issue_letter(transfer, user=staff)
        made += 1

    # Issued from outside the platform: a graduate joining 攀达; her record is made when the branch completes it.
    if PANDA in orgs:
        issued = story.workdays_ago(4)
        birth = dt.date(2002, 5, 18)
        with at(issued, 16):
            transfers.register_incoming(
                details={"name": "沈嘉禾", "gender": "F", "birth_date": birth.isoformat(),
                         "id_number": make_id_number("310104", birth, 86, False), "phone": "13761820459",
                         "join_date": "2023-06-01", "full_date": "2024-06-01", "status": MemberStatus.FULL},
                to_organization=orgs[PANDA], external_organization="中共同济大学电子与信息工程学院委员会",
                letter_no=f"同电信组〔{issued.year}〕第 041 号", issue_date=issued, user=users.get("org_secretary"))
        made += 1

    # Received: waiting to be completed.
    member = mover("海外人才基地联合党支部")
    if member and "创智天地青年创业联合党支部" in orgs:
        with at(story.workdays_ago(12), 9):
            transfer = transfers.issue_transfer(member, to_organization=orgs["创智天地青年创业联合党支部"], user=staff,
                                                issue_date=story.workdays_ago(12), reason="与朋友合伙创业,就近参加组"
                                                                                          "织生活")
        with at(story.workdays_ago(3), 14):
            transfers.receive(transfer, user=staff)
        made += 1

    # Completed: within 高和大厦 (the receipt is back) and within the park.
    for origin, destination, days, user in (("高和大厦第一联合党支部", "高和大厦第二联合党支部", 30, admin),
                                            ("杨浦区通信技术联合会联合党支部", "锐思软件党支部", 18, staff)):
        member = mover(origin)
        if member is None or destination not in orgs:
            continue
        start = story.workdays_ago(days)
        with at(start, 10):
            transfer = transfers.issue_transfer(member, to_organization=orgs[destination], user=user,
                                                issue_date=start, reason="工作单位变动")
        with at(story.calendar.add_working_days(start, 2), 11):
            transfers.receive(transfer, user=user)
        with at(story.calendar.add_working_days(start, 3), 15):
            transfer = transfers.complete(transfer, user=user)
        if days > 20:
            with at(story.calendar.add_working_days(start, 8), 10):
                transfers.record_receipt(transfer, on=story.calendar.add_working_days(start, 8), user=user)
        made += 1

    # Returned: the receiving organization was named wrongly on the letter.
    member = mover("锐思软件党支部")
    if member:
        start = story.workdays_ago(20)
        with at(start, 10):
            transfer = transfers.issue_transfer(member, external_organization="中共杭州未来科技城管理委员会",
                                                scope=LetterScope.OUTSIDE_CITY, issue_date=start, user=staff,
                                                reason="随公司研发中心迁往杭州")
        with at(story.calendar.add_working_days(start, 5), 16):
            transfers.return_letter(transfer, user=staff,
                                    reason="接收方反馈:应转入“中共杭州市余杭区未来科技城工作委员会”,介绍信抬头有误,退"
                                           "回重开。")
        made += 1

    # Expired: a letter to 苏州 the member never took there.
    member = mover("福佑商务大厦联合党支部")
    if member:
        start = story.workday_on_or_before(today - relativedelta(months=4))
        with at(start, 10):
            transfers.issue_transfer(member, external_organization="中共苏州工业园区星湖街道工作委员会",
                                     scope=LetterScope.OUTSIDE_CITY, issue_date=start, user=staff_2,
                                     reason="随家人迁居苏州")
        made += 1
    # The daily job marks letters past their validity as expired.
    transfers.expire_overdue(today)
    say(f"组织关系转接:{made} 件(已申请、已开具、已接收、已完成、已退回、已过期)。")
