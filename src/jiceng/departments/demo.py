"""Demo departments and the work 豫园街道 hands them (issue 19), told from the seeds.

- The default departments of each demo district (区投资促进办, 市场监管所, 税务所, 人社, 城管, 区金融服务办); the
  demands the story assigned by name before departments were data are linked to them.
- Seed 003's retention case: a company whose lease ends wants to grow; the street and the 区投资促进办 "at the door
  the same day" — here in 黄浦区豫园街道, whose 福佑商务大厦 and 豫园小商品市场 hand work to the district's departments
  in every state: awaiting 签收 (one just handed over, one past its sign deadline and escalated), signed and being
  handled, returned to the street with a reason, resolved and awaiting the street's 回访, and called back.
- The demo login `department_staff` works for 黄浦区投资促进办公室.

Every step runs through the workflow services at its moment (jiceng.operations.story). Idempotent: the first demand's
title is the marker.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jiceng.accounts.models import Role, RoleAssignment
from jiceng.demands import workflow
from jiceng.demands.models import Category, Demand, DemandSource, RequesterKind
from jiceng.operations.story import Story
from jiceng.places.models import Place, PlaceKind

from .models import Department
from .services import link_text_departments, seed_departments

DISTRICTS = ("杨浦区", "黄浦区", "静安区", "浦东新区")
DISTRICT, STREET = "黄浦区", "豫园街道"
DEMO_DEPARTMENT = "黄浦区投资促进办公室"

# title, place, category, text, requester, department (short name), final state, working days ago it was handed,
# the department's result or reason, the requester's view at the callback
WORK: list[tuple[str, str, str, str, str, str, str, int, str, str]] = [
    ("租约到期想在区内扩租", "福佑商务大厦", "office_space",
     "公司在福佑商务大厦的租约年底到期,业务增长想扩租两层,希望了解区里稳商留商的扶持政策,最好能上门谈一次。",
     "邓经理", "区投资促进办", "signed", 2, "", ""),
    ("外资咨询公司拟迁入区域总部", "福佑商务大厦", "policy",
     "一家外资咨询公司有意把华东区域总部迁到福佑商务大厦,想对接区里的总部经济政策和落户手续。",
     "楼宇白领 钱女士", "区投资促进办", "pending", 0, "", ""),
    ("市场小吃摊未亮证经营", "豫园小商品市场", "safety_environment",
     "市场里新开的几家小吃摊没有亮证经营,业户担心食品安全出事连累整个市场。",
     "市场党员 彭先生", "区投资促进办", "returned", 3,
     "食品经营许可和亮证检查属市场监管所职责,请街道改派市场监管所。", ""),
    ("电子发票开具系统经常卡顿", "福佑商务大厦", "tax",
     "入驻企业反映月底开电子发票时系统经常卡顿,财务人员要加班到很晚,希望税务所来现场看看。",
     "财务 孔女士", "税务所", "resolved", 6, "税务所已上门排查,企业网络升级后开票恢复正常,并开展了一次开票培训。", ""),
    ("招聘补贴申请材料不清楚", "福佑商务大厦", "employment",
     "公司今年招了 12 名应届生,想申请区里的吸纳就业补贴,不清楚要准备哪些材料。",
     "人事 葛先生", "人社", "called_back", 9, "人社部门已电话指导,企业材料已提交,补贴已受理。", "satisfied"),
    ("市场门口夜间占道经营", "豫园小商品市场", "safety_environment",
     "市场门口每天晚上有流动摊贩占道,消防车道被堵,市场党员巡查时劝不走。",
     "市场党员 彭先生", "城管", "pending", 4, "", ""),
]


def _ensure_role(users: dict[str, Any], department: Department) -> None:
    user = users.get("department_staff")
    if user is not None:
        RoleAssignment.objects.get_or_create(user=user, role=Role.DEPARTMENT_STAFF, department=department)


def load(users: dict[str, Any], today: dt.date, say) -> None:
    for name in DISTRICTS:
        district = Place.objects.filter(kind=PlaceKind.DISTRICT, name=name, parent=None).first()
        if district is not None:
            seed_departments(district)
    department = Department.objects.filter(name=DEMO_DEPARTMENT, district__name=DISTRICT).first()
    if department is None:
        return
    _ensure_role(users, department)
    linked = link_text_departments()
    if Demand.objects.filter(title=WORK[0][0]).exists():
        return
    street = Place.objects.filter(kind=PlaceKind.STREET, name=STREET, parent__name=DISTRICT).first()
    staff = users.get("street_staff_2")
    if street is None or staff is None:
        return
    departments = {d.short_name: d for d in Department.objects.filter(district=street.parent)}
    workers = {d.pk: _department_user(users, d, department) for d in departments.values()}
    story = Story(today)
    categories = {c.code: c for c in Category.objects.all()}
    for title, where, code, text, requester, short, state, ago, result, view in WORK:
        place = Place.objects.filter(name=where, path__startswith=street.path).first()
        if place is None or code not in categories:
            continue
        dept, handed_on = departments[short], story.workdays_ago(ago) if ago else today
        with story.at(story.moment(handed_on, 9, 10)):
            demand = workflow.submit(text=text, title=title, place=place, source=DemandSource.PHONE,
                                     requester_kind=RequesterKind.RESIDENT, requester_name=requester)
            demand = workflow.accept(demand, user=staff, category=categories[code], today=handed_on)
        with story.at(story.moment(handed_on, 10, 0)):
            demand = workflow.assign(demand, user=staff, department=dept, today=handed_on)
        if state == "pending":
            continue
        actor = workers[dept.pk]
        next_day = story.next_workday(handed_on)
        with story.at(story.moment(next_day if ago else today, 9, 30)):
            if state == "returned":
                workflow.return_to_street(demand, user=actor, reason=result)
                continue
            demand = workflow.sign(demand, user=actor)
        if state == "signed":
            continue
        done_on = story.next_workday(next_day, 2)
        with story.at(story.moment(done_on, 15, 0)):
            demand = workflow.resolve(demand, user=actor, note=result)
        if state == "called_back":
            with story.at(story.moment(story.next_workday(done_on), 10, 30)):
                workflow.call_back(demand, user=staff, result=view, note="电话回访,企业表示感谢。")
    # The daily job: work not signed for by its deadline is escalated to the street and the district.
    workflow.escalate_overdue(today)
    say(f"职能部门:{Department.objects.count()} 个;派给部门的需求 {len(WORK)} 件(按名称关联旧记录 {linked} 件)。")


def _department_user(users: dict[str, Any], department: Department, demo: Department):
    """Who acts for a department in the story: the demo login for its own department, else a staff account of
    that department (made once, without a usable password: it exists to sign the story's steps)."""
    from django.contrib.auth import get_user_model

    if department.pk == demo.pk and users.get("department_staff") is not None:
        return users["department_staff"]
    User = get_user_model()
    user, created = User.objects.get_or_create(username=f"dept-{department.pk}",
                                               defaults={"first_name": f"{department.label}值班员"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    RoleAssignment.objects.get_or_create(user=user, role=Role.DEPARTMENT_STAFF, department=department)
    return user
