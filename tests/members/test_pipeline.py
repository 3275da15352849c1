"""The application pipeline's rules, with dates at their boundaries."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jiceng.members.models import Application, MemberStatus, Stage
from jiceng.members.pipeline import STEPS, StepInput, create_application, due_list, next_steps, record_step
from tests import factories as f

D = dt.date


@pytest.fixture
def branch(tree):
    return f.organization(tree["park1"], "攀达科技党支部")


@pytest.fixture
def introducers(branch):
    return [f.member(branch, name, full_date=D(2016, 7, 1)) for name in ("老党员甲", "老党员乙")]


def new_application(branch, applied_on=D(2022, 3, 1), birth=D(1998, 6, 15)):
    return create_application(name="王小明", gender="M", birth_date=birth, id_number=f.id_number(birth=birth),
                              phone="13900001111", organization=branch, applied_on=applied_on)


def step(app, code, date, **kw):
    return record_step(app, StepInput(code, date, **kw))


def refused(app, code, date, **kw) -> str:
    with pytest.raises(ValidationError) as exc:
        record_step(app, StepInput(code, date, **kw))
    return " ".join(exc.value.messages)


def advance_to_target(app, activist_on=D(2022, 3, 20)):
    step(app, "talk", D(2022, 3, 10), people="书记")
    step(app, "activist", activist_on)
    step(app, "target", activist_on.replace(year=activist_on.year + 1), reference="杨委备〔2023〕1号")
    app.refresh_from_db()
    return app


def test_applicant_must_be_18_on_the_day(branch):
    with pytest.raises(ValidationError) as exc:
        new_application(branch, applied_on=D(2016, 6, 14), birth=D(1998, 6, 15))
    assert "18" in " ".join(exc.value.messages)
    assert not Application.objects.exists()  # nothing half-written
    app = new_application(branch, applied_on=D(2016, 6, 15), birth=D(1998, 6, 15))
    assert app.stage == Stage.APPLICANT and app.steps.get().code == "apply"


def test_talk_within_one_month(branch):
    app = new_application(branch, applied_on=D(2022, 3, 1))
    assert "最迟 2022-04-01" in refused(app, "talk", D(2022, 4, 2), people="书记")
    step(app, "talk", D(2022, 4, 1), people="书记")


def test_steps_in_order(branch):
    app = new_application(branch)
    assert "须先完成" in refused(app, "activist", D(2022, 3, 5))
    assert "不能在" in refused(app, "target", D(2023, 3, 5), reference="x")
    step(app, "talk", D(2022, 3, 5), people="书记")
    assert "不能早于上一步骤" in refused(app, "activist", D(2022, 3, 4))


def test_cultivation_at_least_one_year(branch):
    app = new_application(branch)
    step(app, "talk", D(2022, 3, 10), people="书记")
    step(app, "activist", D(2022, 3, 20))
    app.refresh_from_db()
    assert "最早 2023-03-20" in refused(app, "target", D(2023, 3, 19), reference="备案1")
    assert "备案文号" in refused(app, "target", D(2023, 3, 20))
    step(app, "target", D(2023, 3, 20), reference="备案1")
    app.refresh_from_db()
    assert app.stage == Stage.TARGET


def test_two_full_member_introducers_and_training(branch, introducers):
    app = advance_to_target(new_application(branch))
    probationary = f.member(branch, "预备党员丙", status=MemberStatus.PROBATIONARY, join_date=D(2023, 1, 1))
    assert "2 名" in refused(app, "introducers", D(2023, 4, 1), introducers=[introducers[0]])
    assert "正式党员" in refused(app, "introducers", D(2023, 4, 1), introducers=[introducers[0], probationary])
    step(app, "introducers", D(2023, 4, 1), introducers=introducers)
    assert "3 天或 24 学时" in refused(app, "training", D(2023, 4, 5), training_days=2, training_hours=23)
    step(app, "training", D(2023, 4, 5), training_hours=24)


def admitted(branch, introducers, admit_on=D(2023, 5, 1)):
    app = advance_to_target(new_application(branch))
    step(app, "introducers", D(2023, 4, 1), introducers=introducers)
    step(app, "training", D(2023, 4, 5), training_days=3)
    step(app, "admit", admit_on, reference="支部大会决议")
    app.refresh_from_db()
    return app


def test_admission_creates_probationary_member(branch, introducers):
    app = admitted(branch, introducers)
    assert app.stage == Stage.PROBATIONARY
    assert app.member.status == MemberStatus.PROBATIONARY and app.member.organization == branch
    assert app.member.join_date == D(2023, 5, 1)


def test_higher_approval_within_three_months(branch, introducers):
    app = admitted(branch, introducers)
    assert "最迟 2023-08-01" in refused(app, "approve", D(2023, 8, 2), reference="审批")
    step(app, "approve", D(2023, 8, 1), reference="审批")


def test_full_membership_after_exactly_one_year_by_decision(branch, introducers):
    app = admitted(branch, introducers)
    step(app, "approve", D(2023, 6, 1), reference="审批")
    assert "最早于 2024-05-01" in refused(app, "full", D(2024, 4, 30), reference="转正决议")
    assert "转正决议" in refused(app, "full", D(2024, 5, 1))
    step(app, "full", D(2024, 5, 1), reference="转正决议")
    app.refresh_from_db()
    assert app.stage == Stage.FULL
    assert app.member.status == MemberStatus.FULL and app.member.full_date == D(2024, 5, 1)


def test_probation_extended_once_by_6_to_12_months(branch, introducers):
    app = admitted(branch, introducers)
    step(app, "approve", D(2023, 6, 1), reference="审批")
    assert "6 至 12" in refused(app, "extend", D(2024, 4, 1), extension_months=13, reference="决议")
    step(app, "extend", D(2024, 4, 1), extension_months=6, reference="决议")
    assert "已记录过" in refused(app, "extend", D(2024, 4, 2), extension_months=6, reference="决议")
    assert "2024-11-01" in refused(app, "full", D(2024, 10, 31), reference="转正决议")
    step(app, "full", D(2024, 11, 1), reference="转正决议")


def test_unknown_step_and_future_date(branch):
    app = new_application(branch)
    assert "未知的步骤" in refused(app, "promote", D(2022, 3, 2))
    assert "晚于今天" in refused(app, "talk", D(2099, 1, 1), people="书记")


def test_due_list_shows_next_and_overdue(branch):
    app = new_application(branch, applied_on=D(2022, 3, 1))
    (due,) = [d for d in next_steps(app) if not d.blocked_by]
    assert due.rule.code == "talk" and due.deadline == D(2022, 4, 1) and due.overdue
    rows = due_list(Application.objects.all())
    assert [(r.application, r.rule.code) for r in rows] == [(app, "talk")]


def test_steps_are_declared_as_data():
    # Every rule references steps that exist; a local rule is one more entry with existing check types.
    for rule in STEPS.values():
        assert all(code in STEPS for code in rule.requires)


def test_late_talk_recorded_with_reason(branch):
    app = new_application(branch, applied_on=D(2022, 3, 1))
    step(app, "talk", D(2022, 4, 20), people="书记", note="书记外出学习,延期谈话")
    assert app.steps.filter(code="talk").exists()


def test_duplicate_open_application_named_clearly(branch):
    new_application(branch)
    existing = Application.objects.get()
    with pytest.raises(ValidationError) as exc:
        create_application(name="王小明", gender="M", birth_date=existing.birth_date, id_number=existing.id_number,
                            organization=branch, applied_on=D(2022, 5, 1))
    assert "进行中的入党申请" in str(exc.value)


def test_application_birth_date_must_match_id(branch):
    with pytest.raises(ValidationError) as exc:
        create_application(name="李四", gender="M", birth_date=D(1991, 1, 1),
                           id_number=f.id_number(birth=D(1990, 1, 1)), organization=branch, applied_on=D(2022, 5, 1))
    assert "birth_date" in exc.value.message_dict
