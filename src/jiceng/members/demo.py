"""Demo applications (发展党员) in the 攀达科技 branch, spread over the steps of the 2014 细则.

Every application goes through `pipeline.record_step`, so the demo obeys the same rules as users do: dates are
computed back from today so that one applicant is due for the talk and another is overdue, one activist waits for
contacts, one for an assessment, one can become a development target; development targets wait for the public
notice, are in it (its last day still to come), wait for the volume and the branch meeting; probationary members
wait for the higher committee, are on probation, are in the notice before full membership, wait for the approval
of full membership or had their probation extended; one is a full member, one probation was cancelled and one
application was terminated.

Idempotent: the first demo applicant is the marker; a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta

from jiceng.core.validators import make_id_number
from jiceng.enterprises.models import Enterprise
from jiceng.holidays.calendar import WorkCalendar
from jiceng.organizations.models import Organization

from .models import Application, Member, MemberStatus
from .pipeline import PUBLICITY_WORKING_DAYS, StepInput, create_application, record_step

BRANCH, COMPANY, STREET = "攀达科技党支部", "上海攀达信息科技有限公司", "五角场街道"
REGION = "310110"  # 杨浦区

# name, gender, birth, the last step recorded (a key of `_plan`), how many days ago it happened
APPLICANTS: list[tuple[str, str, dt.date, str, int]] = [
    ("陈思远", "M", dt.date(2000, 4, 12), "apply", 12),  # the talk is due
    ("林雨桐", "F", dt.date(1999, 9, 3), "apply", 40),  # the talk is overdue
    ("赵子轩", "M", dt.date(1997, 1, 21), "activist", 20),  # contacts to be named
    ("周欣怡", "F", dt.date(1998, 11, 30), "contacts", 120),  # the first half-yearly assessment is coming
    ("吴浩然", "M", dt.date(1996, 6, 8), "assessment2", 60),  # a year of cultivation served: target due
    ("郑佳琪", "F", dt.date(1995, 3, 17), "training", 5),  # ready for the public notice
    ("孙博文", "M", dt.date(1999, 12, 1), "publicity", 2),  # in the public notice before admission
    ("马晓彤", "F", dt.date(2001, 2, 14), "pre_review", 3),  # the volume (志愿书) to be filled in
    ("蒋雨萱", "F", dt.date(1998, 7, 26), "volunteer_form", 4),  # the branch meeting is next
    ("朱俊杰", "M", dt.date(1997, 10, 9), "admit", 20),  # the higher committee's talk and approval are due
    ("胡梦瑶", "F", dt.date(1996, 5, 5), "oath", 150),  # on probation
    ("郭天宇", "M", dt.date(1995, 8, 19), "publicity2", 1),  # in the public notice before full membership
    ("何诗涵", "F", dt.date(2000, 1, 28), "full_meeting", 30),  # waiting for the approval of full membership
    ("高明轩", "M", dt.date(1994, 12, 12), "full", 200),  # a full member
    ("罗心怡", "F", dt.date(1997, 4, 2), "cancel_probation", 60),  # probation cancelled
    ("唐子墨", "M", dt.date(1996, 9, 23), "extend", 25),  # probation extended by six months
    ("钱文博", "M", dt.date(1998, 3, 9), "close", 90),  # terminated as an activist
]


ALTERNATIVES = {"cancel_probation", "extend"}  # decisions instead of full membership


def _plan(activist: dt.date, contacts: list[Member], calendar: WorkCalendar, stop: str) -> list[tuple]:
    """Every step from the application to `stop` for an activist designated on `activist`: (key, code, date,
    fields), in date order. Assessments every five months keep within the half-year rule."""
    def notice_end(start: dt.date) -> dt.date:
        return calendar.add_working_days(start - dt.timedelta(days=1), PUBLICITY_WORKING_DAYS)

    steps: list[tuple[str, str, dt.date, dict]] = [
        ("apply", "apply", activist - dt.timedelta(days=40), {}),
        ("talk", "talk", activist - dt.timedelta(days=25), {"people": "支部书记 王立新"}),
        ("activist", "activist", activist, {"people": "党员推荐、团组织推优"}),
        ("contacts", "contacts", activist + dt.timedelta(days=7), {"contacts": contacts}),
    ]
    if stop == "close":
        return [*steps, ("close", "close", activist + relativedelta(months=3),
                         {"note": "本人因工作调动离开上海,申请终止培养"})]
    target = activist + relativedelta(months=12, days=3)
    publicity = target + dt.timedelta(days=30)
    publicity_end = notice_end(publicity)
    pre_review = publicity_end + dt.timedelta(days=3)
    volunteer = pre_review + dt.timedelta(days=5)
    admit = volunteer + dt.timedelta(days=10)
    served = admit + relativedelta(years=1)
    second = served - dt.timedelta(days=21)
    steps += [
        ("target", "target", target, {"reference": "杨五党委备〔发展对象〕号"}),
        ("introducers", "introducers", target + dt.timedelta(days=7), {"introducers": contacts}),
        ("political_review", "political_review", target + dt.timedelta(days=14), {"reference": "政审结论材料(函调)"}),
        ("training", "training", target + dt.timedelta(days=21), {"training_days": 3}),
        ("publicity", "publicity", publicity, {"ends_on": publicity_end, "reference": "支部公示栏、企业内网"}),
        ("pre_review", "pre_review", pre_review, {"reference": "基层党委预审意见"}),
        ("volunteer_form", "volunteer_form", volunteer, {"reference": "入党志愿书"}),
        ("admit", "admit", admit, {"reference": "支部大会决议"}),
        ("superior_talk", "superior_talk", admit + dt.timedelta(days=14), {"people": "党委组织员"}),
        ("approve", "approve", admit + dt.timedelta(days=45), {"reference": "党委审批意见"}),
        ("oath", "oath", admit + dt.timedelta(days=52), {}),
        ("cancel_probation", "cancel_probation", admit + relativedelta(months=8),
         {"reference": "支部大会决议、党委批复", "note": "预备期内长期不参加组织生活,经教育仍不改正"}),
        ("full_application", "full_application", served - dt.timedelta(days=30), {}),
        ("publicity2", "publicity", second, {"ends_on": notice_end(second), "reference": "支部公示栏"}),
        ("extend", "extend", served + dt.timedelta(days=5),
         {"extension_months": 6, "reference": "支部大会决议(延长预备期)", "note": "入党动机仍需进一步端正"}),
        ("full_meeting", "full_meeting", served + dt.timedelta(days=5), {"reference": "支部大会决议"}),
        ("full", "full", served + dt.timedelta(days=40), {"reference": "党委转正批复"}),
    ]
    # The half-yearly assessments, from the designation until admission.
    day, n = activist + relativedelta(months=5), 1
    while day < admit:
        steps.append((f"assessment{n}", "assessment", day, {"reference": f"第{n}次培养考察"}))
        day, n = day + relativedelta(months=5), n + 1
    steps.sort(key=lambda s: s[2])
    keys = [s[0] for s in steps]
    # Up to `stop`; a cancellation or an extension only where it is the stop (the others go on to full membership).
    return [s for s in steps[: keys.index(stop) + 1] if s[0] not in ALTERNATIVES or s[0] == stop]


def _timeline(stop: str, days_ago: int, today: dt.date, contacts: list[Member], calendar: WorkCalendar):
    """The plan whose `stop` step falls `days_ago` days before today (the notice's end moves with the weekdays,
    so the designation date is adjusted until it does)."""
    wanted = today - dt.timedelta(days=days_ago)
    activist = wanted - relativedelta(months=13)
    for _ in range(10):
        plan = _plan(activist, contacts, calendar, stop)
        shift = (plan[-1][2] - wanted).days
        if shift == 0:
            break
        activist -= dt.timedelta(days=shift)
    # Around a long holiday the notice's end can jump back and forth over the wanted day without settling (the
    # loop above stops after ten tries): step back until no step lies after it, never into the future.
    while plan[-1][2] > wanted:
        activist -= dt.timedelta(days=1)
        plan = _plan(activist, contacts, calendar, stop)
    return plan


def load(users: dict[str, Any], today: dt.date, say) -> None:
    branch = Organization.objects.filter(name=BRANCH, street__name=STREET).first()
    if branch is None or Application.objects.filter(organization=branch, name=APPLICANTS[0][0]).exists():
        return
    # The branch's two longest-standing full members are the contacts and, later, the introducers.
    contacts = list(Member.objects.filter(organization=branch, status=MemberStatus.FULL, left_on__isnull=True)
                    .order_by("join_date", "pk")[:2])
    if len(contacts) < 2:
        return
    employer = Enterprise.objects.filter(name=COMPANY).first()
    secretary = users.get("org_secretary")
    used = set(Member.objects.values_list("id_number", flat=True)) | set(
        Application.objects.values_list("id_number", flat=True))
    calendar = WorkCalendar()
    for name, gender, birth, stop, days_ago in APPLICANTS:
        seq = 11
        while (id_number := make_id_number(REGION, birth, seq, gender == "M")) in used:
            seq += 2
        used.add(id_number)
        plan = _timeline(stop, days_ago, today, contacts, calendar)
        application = create_application(
            user=secretary, applied_on=plan[0][2], name=name, gender=gender, birth_date=birth, id_number=id_number,
            phone="", organization=branch, employer=employer)
        for _key, code, day, fields in plan[1:]:
            record_step(application, StepInput(code, day, **fields), user=secretary)
    say(f"已载入发展党员演示数据：{len(APPLICANTS)} 份入党申请（{BRANCH}）。")
