"""签收 / 退单 / 回访 and the sign deadline on the working-day calendar (frozen clock), with their history and
notifications; departments for text assignments."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jiceng.accounts.models import Notification
from jiceng.demands import workflow
from jiceng.demands.models import Demand, DemandStatus
from jiceng.departments.models import DepartmentState
from jiceng.departments.services import link_text_departments, seed_departments

from .conftest import accepted, handed

S = DemandStatus
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_assign_to_a_department_waits_for_its_signature(world):
    d = handed(world)
    assert d.status == S.ASSIGNED and d.department == world["invest"]
    assert d.department_state == DepartmentState.PENDING and d.assignee_department == "杨浦区投资促进办公室"
    assert d.sign_due == dt.date(2026, 9, 15)  # Monday + 1 working day
    note = Notification.objects.get(user=world["dept_user"], key="department.assigned")
    assert "请于 2026-09-15 前签收" in note.text
    assert not Notification.objects.filter(user=world["dept_user2"]).exists()


def test_assign_by_name_or_id_and_text_kept(world):
    by_name = workflow.assign(accepted(world), user=world["staff"], department="市场监管所")
    assert by_name.department == world["market"]
    by_id = workflow.assign(accepted(world, "楼道的灯坏了好几天了没人修"), user=world["staff"],
                            department=str(world["invest"].pk))
    assert by_id.department == world["invest"]
    text = workflow.assign(accepted(world, "空调坏了三天了请物业来修"), user=world["staff"], department="物业公司")
    assert text.department is None and text.assignee_department == "物业公司" and text.department_state == ""


def test_a_department_of_another_district_is_refused(world):
    d = accepted(world)
    with pytest.raises(ValidationError) as exc:
        workflow.assign(d, user=world["staff"], department=str(world["foreign"].pk))
    assert "department" in exc.value.message_dict
    d.refresh_from_db()
    assert d.status == S.ACCEPTED and d.department is None


def test_sign_then_resolve_then_callback(world):
    d = handed(world)
    with pytest.raises(ValidationError):
        workflow.resolve(d, user=world["dept_user"], note="已办")  # sign first
    with pytest.raises(ValidationError):
        workflow.sign(d, user=world["dept_user2"])  # another department
    d = workflow.sign(d, user=world["dept_user"])
    assert d.department_state == DepartmentState.SIGNED and d.signed_at is not None
    assert Notification.objects.filter(user=world["staff"], key="department.signed").count() == 1
    assert not Notification.objects.filter(user=world["staff2"]).exists()
    d = workflow.resolve(d, user=world["dept_user"], note="区投资促进办已协调扩租政策")
    assert d.status == S.RESOLVED
    assert Notification.objects.filter(user=world["staff"], key="department.resolved").count() == 1
    with pytest.raises(ValidationError) as exc:
        workflow.call_back(d, user=world["staff"], result="great")
    assert "result" in exc.value.message_dict
    d = workflow.call_back(d, user=world["staff"], result="basic", note="希望再快一些")
    assert d.callback_result == "basic" and d.callback_at is not None
    # No rating of their own: the callback is the requester's rating (基本满意 counts as satisfied) and it closes.
    assert d.rating == 4 and d.status == S.CLOSED
    assert Notification.objects.filter(user=world["dept_user"], key="department.callback").exists()
    assert [e.action for e in d.events.all()] == ["submit", "accept", "assign", "sign", "resolve", "callback"]
    with pytest.raises(ValidationError):
        workflow.call_back(d, user=world["staff"], result="satisfied")  # once


def test_callback_keeps_the_requesters_own_rating(world):
    d = workflow.sign(handed(world), user=world["dept_user"])
    d = workflow.resolve(d, user=world["dept_user"], note="已办")
    d.requester_user = world["worker"]
    d.save()
    d = workflow.rate(d, rating=5, user=world["worker"])
    d = workflow.call_back(d, user=world["staff"], result="unsatisfied", note="电话里说不满意")
    assert d.rating == 5 and d.callback_result == "unsatisfied"


def test_return_needs_a_reason_and_changes_nothing_without_one(world):
    d = handed(world)
    for reason in ("", "   "):
        with pytest.raises(ValidationError) as exc:
            workflow.return_to_street(d, user=world["dept_user"], reason=reason)
        assert "reason" in exc.value.message_dict and "退单理由" in exc.value.message_dict["reason"][0]
    d.refresh_from_db()
    assert d.department_state == DepartmentState.PENDING and d.status == S.ASSIGNED
    assert not d.events.filter(action="return").exists()


def test_return_goes_back_to_the_street(world):
    d = handed(world)
    d = workflow.return_to_street(d, user=world["dept_user"], reason="不属于本部门职责,建议派市场监管所")
    assert d.status == S.ACCEPTED and d.department_state == DepartmentState.RETURNED
    assert d.return_reason.startswith("不属于本部门")
    note = Notification.objects.get(user=world["staff"], key="department.returned")
    assert "不属于本部门职责" in note.text
    # The street assigns it again, to the right department: a fresh sign deadline.
    d = workflow.assign(d, user=world["staff"], department=world["market"], today=dt.date(2026, 9, 16))
    assert d.department_state == DepartmentState.PENDING and d.sign_due == dt.date(2026, 9, 17) and not d.return_reason


def test_sign_deadline_across_a_weekend_escalates_after_it(world):
    # Friday 6 November 2026, 16:00 in Shanghai: 1 working day → Monday 9 November.
    with time_machine.travel(dt.datetime(2026, 11, 6, 16, 0, tzinfo=SHANGHAI), tick=False):
        d = workflow.assign(accepted(world, day=dt.date(2026, 11, 6)), user=world["staff"],
                            department=world["invest"])
    assert d.sign_due == dt.date(2026, 11, 9)
    assert workflow.escalate_overdue(today=dt.date(2026, 11, 9)) == 0  # the deadline day itself: not late
    with time_machine.travel(dt.datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI), tick=False):
        assert workflow.escalate_overdue() == 1
        assert workflow.escalate_overdue() == 0  # once
    d.refresh_from_db()
    assert d.sign_escalated_at is not None and d.events.filter(action="sign_overdue").count() == 1
    for who in ("staff", "admin"):  # the street and the department's district admin
        assert Notification.objects.filter(user=world[who], key="department.sign_overdue").count() == 1
    assert not Notification.objects.filter(user=world["staff2"], key="department.sign_overdue").exists()


def test_sign_deadline_across_national_day(world):
    d = handed(world, day=dt.date(2026, 9, 30))
    assert d.sign_due == dt.date(2026, 10, 8)  # 1–7 October are the holiday
    assert workflow.escalate_overdue(today=dt.date(2026, 10, 8)) == 0
    workflow.sign(d, user=world["dept_user"])
    assert workflow.escalate_overdue(today=dt.date(2026, 10, 9)) == 0  # signed in time: nothing to escalate


def test_sign_days_are_data(world, settings):
    world["invest"].sign_days = 3
    world["invest"].save()
    assert handed(world).sign_due == dt.date(2026, 9, 17)


def test_seed_and_link_text_assignments(world):
    d = workflow.assign(accepted(world), user=world["staff"], department="区金融服务办")
    assert d.department is None  # no such department yet
    made = seed_departments(world["tree"]["district"])
    assert {m.short_name for m in made} >= {"区投资促进办", "市场监管所", "税务所", "人社", "城管"}
    assert seed_departments(world["tree"]["district"]) == made  # idempotent
    assert link_text_departments() == 1
    d = Demand.objects.get(pk=d.pk)
    assert d.department.short_name == "区金融服务办" and d.department_state == DepartmentState.SIGNED


def test_a_return_reaches_the_streets_work_group_robot(world, django_capture_on_commit_callbacks):
    """退单 is a street-level event (jiceng.channels.events.STREET_EVENTS): the street's WeCom group sees it."""
    from jiceng.channels.models import Channel, Delivery, Robot

    Robot.objects.create(name="五角场街道工作群", webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=k",
                         place=world["tree"]["street1"], kinds=["demands"])
    d = handed(world)
    with django_capture_on_commit_callbacks(execute=False):
        workflow.return_to_street(d, user=world["dept_user"], reason="不属于本部门职责")
    post = Delivery.objects.get(channel=Channel.WECOM, event="department.returned")
    assert post.street_id == world["tree"]["street1"].pk and "不属于本部门职责" in post.summary
