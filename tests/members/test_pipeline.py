"""The application pipeline's rules (2014 细则), with dates at their boundaries.

The default timeline below walks an applicant through every step; each test stops where its rule applies and
tries the day before/after the limit. Dates are in the past, so "not later than today" never interferes; the tests
of the public notice freeze the clock because they use a year's holiday calendar.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jiceng.holidays import services as holidays
from jiceng.members.models import Application, ApplicationStep, Member, MemberStatus, Stage
from jiceng.members.pipeline import (
    STEP_LIST,
    STEPS,
    StepInput,
    create_application,
    due_list,
    next_steps,
    record_step,
    rule_for,
)
from tests import factories as f
from tests.holidays.conftest import NOTICE_2027

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def frozen(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10, 0), tzinfo=SHANGHAI), tick=False)


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


def refusal(app, code, date, **kw) -> dict[str, list[str]]:
    """The refusal by field; asserts nothing was written."""
    before = ApplicationStep.objects.filter(application=app).count()
    with pytest.raises(ValidationError) as exc:
        record_step(app, StepInput(code, date, **kw))
    assert ApplicationStep.objects.filter(application=app).count() == before
    return exc.value.message_dict


def refused(app, code, date, **kw) -> str:
    return " ".join(m for messages in refusal(app, code, date, **kw).values() for m in messages)


def fresh(app):
    app.refresh_from_db()
    return app


def to_activist(app, activist_on=D(2022, 3, 20)):
    step(app, "talk", D(2022, 3, 10), people="书记")
    step(app, "activist", activist_on)
    return fresh(app)


def to_target(app, contacts, activist_on=D(2022, 3, 20)):
    to_activist(app, activist_on)
    step(app, "contacts", activist_on + dt.timedelta(days=5), contacts=contacts)
    step(app, "assessment", D(2022, 9, 15), reference="2022年上半年考察")
    step(app, "assessment", D(2023, 3, 10), reference="2022年下半年考察")
    step(app, "target", activist_on.replace(year=activist_on.year + 1), reference="杨委备〔2023〕1号")
    return fresh(app)


def prepared(app, introducers):
    """A development target with introducers, political review and training: ready for the public notice."""
    step(app, "introducers", D(2023, 4, 1), introducers=introducers)
    step(app, "political_review", D(2023, 4, 3), reference="政审结论")
    step(app, "training", D(2023, 4, 5), training_days=3)
    return app


def admitted(branch, introducers, admit_on=D(2023, 5, 1)):
    app = prepared(to_target(new_application(branch), introducers), introducers)
    step(app, "publicity", D(2023, 4, 10), ends_on=D(2023, 4, 14))  # Monday to Friday: five working days
    step(app, "pre_review", D(2023, 4, 17), reference="预审通知")
    step(app, "volunteer_form", D(2023, 4, 20))
    step(app, "admit", admit_on, reference="支部大会决议")
    return fresh(app)


def approved(branch, introducers):
    app = admitted(branch, introducers)
    step(app, "superior_talk", D(2023, 5, 10), people="组织员")
    step(app, "approve", D(2023, 6, 1), reference="审批")
    step(app, "oath", D(2023, 6, 5))
    return fresh(app)


def up_to_full_meeting(branch, introducers):
    app = approved(branch, introducers)
    step(app, "full_application", D(2024, 4, 1))
    step(app, "publicity", D(2024, 4, 8), ends_on=D(2024, 4, 12))
    return app


# --- applicants ---------------------------------------------------------------------------------------
def test_applicant_must_be_18_on_the_day(branch):
    with pytest.raises(ValidationError) as exc:
        new_application(branch, applied_on=D(2016, 6, 14), birth=D(1998, 6, 15))
    assert "18" in " ".join(exc.value.messages)
    assert not Application.objects.exists()  # nothing half-written
    app = new_application(branch, applied_on=D(2016, 6, 15), birth=D(1998, 6, 15))
    assert app.stage == Stage.APPLICANT and app.steps.get().code == "apply"


def test_talk_within_one_month(branch):
    app = new_application(branch, applied_on=D(2022, 3, 1))
    errors = refusal(app, "talk", D(2022, 4, 2), people="书记")
    assert "最迟 2022-04-01" in errors["note"][0] and "第七条" in errors["note"][0]
    step(app, "talk", D(2022, 4, 1), people="书记")


def test_late_talk_recorded_with_reason(branch):
    app = new_application(branch, applied_on=D(2022, 3, 1))
    step(app, "talk", D(2022, 4, 20), people="书记", note="书记外出学习,延期谈话")
    assert app.steps.filter(code="talk").exists()


def test_steps_in_order(branch):
    app = new_application(branch)
    errors = refusal(app, "activist", D(2022, 3, 5))
    assert "须先完成:党组织派人谈话" in errors["code"][0] and "《细则》第八条" in errors["code"][0]
    assert "不能在" in refused(app, "target", D(2023, 3, 5), reference="x")
    step(app, "talk", D(2022, 3, 5), people="书记")
    assert "不能早于上一步骤" in refusal(app, "activist", D(2022, 3, 4))["date"][0]


# --- activists: contacts and the half-yearly assessment ---------------------------------------------------
def test_two_full_member_contacts(branch, introducers):
    app = to_activist(new_application(branch))
    probationary = f.member(branch, "预备党员丙", status=MemberStatus.PROBATIONARY, join_date=D(2022, 1, 1))
    errors = refusal(app, "contacts", D(2022, 3, 25), contacts=[introducers[0]])
    assert "2 名培养联系人" in errors["contacts"][0] and "第九条" in errors["contacts"][0]
    assert "正式党员" in refused(app, "contacts", D(2022, 3, 25), contacts=[introducers[0], probationary])
    step(app, "contacts", D(2022, 3, 25), contacts=introducers)
    assert set(app.steps.get(code="contacts").contacts.all()) == set(introducers)


def test_assessment_due_six_calendar_months_after_the_last(branch, introducers):
    app = to_activist(new_application(branch))  # activist on 2022-03-20
    step(app, "contacts", D(2022, 3, 25), contacts=introducers)
    (due,) = [d for d in next_steps(app) if d.rule.code == "assessment"]
    assert due.deadline == D(2022, 9, 20)
    errors = refusal(app, "assessment", D(2022, 9, 21), reference="考察表")
    assert "最迟 2022-09-20" in errors["note"][0] and "第十一条" in errors["note"][0]
    step(app, "assessment", D(2022, 9, 20), reference="考察表")
    (due,) = [d for d in next_steps(app) if d.rule.code == "assessment"]
    assert due.deadline == D(2023, 3, 20)


def test_month_end_assessment_falls_on_the_last_day_of_february(branch, introducers):
    app = to_activist(new_application(branch), activist_on=D(2022, 8, 31))
    step(app, "contacts", D(2022, 9, 1), contacts=introducers)
    assert "最迟 2023-02-28" in refused(app, "assessment", D(2023, 3, 1), reference="考察表")
    step(app, "assessment", D(2023, 2, 28), reference="考察表")


def test_a_late_assessment_needs_its_reason(branch, introducers):
    app = to_activist(new_application(branch))
    step(app, "contacts", D(2022, 3, 25), contacts=introducers)
    step(app, "assessment", D(2022, 10, 10), reference="考察表", note="培养联系人出差,推迟考察")
    assert app.steps.filter(code="assessment").count() == 1


def test_target_refused_while_a_half_year_has_no_assessment(branch, introducers):
    app = to_activist(new_application(branch))
    step(app, "contacts", D(2022, 3, 25), contacts=introducers)
    step(app, "assessment", D(2022, 9, 20), reference="考察表")
    # One year of cultivation is served on 2023-03-20; the half-year after 2022-09-20 ends that same day.
    step_count = app.steps.count()
    errors = refusal(app, "target", D(2023, 3, 21), reference="备案1")
    assert "缺少半年考察" in errors["code"][0] and "最迟应在 2023-03-20" in errors["code"][0]
    assert "《细则》第十一条" in errors["code"][0]
    assert app.steps.count() == step_count and fresh(app).stage == Stage.ACTIVIST
    step(app, "assessment", D(2023, 3, 20), reference="考察表")
    step(app, "target", D(2023, 3, 21), reference="备案1")
    assert fresh(app).stage == Stage.TARGET


def test_target_on_the_last_day_of_the_half_year_is_accepted(branch, introducers):
    app = to_activist(new_application(branch))
    step(app, "contacts", D(2022, 3, 25), contacts=introducers)
    step(app, "assessment", D(2022, 9, 20), reference="考察表")
    step(app, "target", D(2023, 3, 20), reference="备案1")  # exactly six months after the last assessment
    assert fresh(app).stage == Stage.TARGET


def test_target_needs_contacts_and_an_assessment(branch):
    app = to_activist(new_application(branch))
    message = refused(app, "target", D(2023, 3, 20), reference="备案1")
    assert "指定培养联系人" in message and "党支部考察" in message


def test_cultivation_at_least_one_year(branch, introducers):
    app = to_activist(new_application(branch))
    step(app, "contacts", D(2022, 3, 25), contacts=introducers)
    step(app, "assessment", D(2022, 9, 15), reference="考察表")
    step(app, "assessment", D(2023, 3, 10), reference="考察表")
    assert "最早 2023-03-20" in refusal(app, "target", D(2023, 3, 19), reference="备案1")["date"][0]
    assert "备案文号" in refusal(app, "target", D(2023, 3, 20))["reference"][0]
    step(app, "target", D(2023, 3, 20), reference="备案1")
    assert fresh(app).stage == Stage.TARGET


# --- development targets ------------------------------------------------------------------------------
def test_two_full_member_introducers_political_review_and_training(branch, introducers):
    app = to_target(new_application(branch), introducers)
    probationary = f.member(branch, "预备党员丙", status=MemberStatus.PROBATIONARY, join_date=D(2023, 1, 1))
    assert "2 名" in refusal(app, "introducers", D(2023, 4, 1), introducers=[introducers[0]])["introducers"][0]
    assert "正式党员" in refused(app, "introducers", D(2023, 4, 1), introducers=[introducers[0], probationary])
    step(app, "introducers", D(2023, 4, 1), introducers=introducers)
    assert "政审结论材料" in refusal(app, "political_review", D(2023, 4, 3))["reference"][0]
    step(app, "political_review", D(2023, 4, 3), reference="政审结论")
    assert "3 天或 24 学时" in refusal(app, "training", D(2023, 4, 5), training_days=2,
                                     training_hours=23)["training_days"][0]
    step(app, "training", D(2023, 4, 5), training_hours=24)


def test_publicity_waits_for_introducers_political_review_and_training(branch, introducers):
    app = to_target(new_application(branch), introducers)
    step(app, "introducers", D(2023, 4, 1), introducers=introducers)
    message = refusal(app, "publicity", D(2023, 4, 10), ends_on=D(2023, 4, 14))["code"][0]
    assert "政治审查" in message and "短期集中培训" in message


def test_publicity_needs_its_last_day(branch, introducers):
    app = prepared(to_target(new_application(branch), introducers), introducers)
    assert "公示截止日期" in refusal(app, "publicity", D(2023, 4, 10))["ends_on"][0]
    assert "不能早于公示开始日期" in refusal(app, "publicity", D(2023, 4, 10), ends_on=D(2023, 4, 9))["ends_on"][0]


def test_publicity_of_five_working_days_over_a_weekend_and_national_day(branch, introducers):
    # Friday 27 September 2024; Sunday the 29th is a make-up working day, 1–7 October are the holiday:
    # working days 27, 29, 30 September, 8 and 9 October.
    with frozen(D(2024, 11, 1)):
        app = prepared(to_target(new_application(branch), introducers), introducers)
        for day in (D(2023, 9, 5), D(2024, 3, 1), D(2024, 8, 30)):  # the half-yearly assessments go on
            step(app, "assessment", day, reference="考察表")
        errors = refusal(app, "publicity", D(2024, 9, 27), ends_on=D(2024, 10, 8))
        message = errors["ends_on"][0]
        assert "不少于 5 个工作日" in message and "最早为 2024-10-09" in message and "只有 4 个工作日" in message
        assert "各地发展党员工作实施办法" in message
        step(app, "publicity", D(2024, 9, 27), ends_on=D(2024, 10, 9))
        assert "期满后方可进行(最早 2024-10-10)" in refusal(app, "pre_review", D(2024, 10, 9),
                                                           reference="预审")["date"][0]
        step(app, "pre_review", D(2024, 10, 10), reference="预审")


def test_publicity_counts_a_published_holiday_notice(branch, introducers, django_user_model):
    # 2027 is beyond the calendar package: the published notice decides (9 October, a Saturday, is worked).
    # From Thursday 30 September: 30 Sep, 8, 9, 11, 12 October.
    admin = django_user_model.objects.create_superuser("calendar", password="x")
    holidays.import_notice(NOTICE_2027, 2027, user=admin)
    with frozen(D(2027, 11, 1)):
        app = new_application(branch, applied_on=D(2025, 3, 1))
        step(app, "talk", D(2025, 3, 10), people="书记")
        step(app, "activist", D(2025, 3, 20))
        step(app, "contacts", D(2025, 3, 25), contacts=introducers)
        for day in (D(2025, 9, 15), D(2026, 3, 10), D(2026, 9, 1), D(2027, 2, 26), D(2027, 8, 20)):
            step(app, "assessment", day, reference="考察表")
        step(app, "target", D(2027, 9, 1), reference="备案")
        step(app, "introducers", D(2027, 9, 2), introducers=introducers)
        step(app, "political_review", D(2027, 9, 3), reference="政审结论")
        step(app, "training", D(2027, 9, 10), training_days=3)
        assert "只有 4 个工作日" in refusal(app, "publicity", D(2027, 9, 30), ends_on=D(2027, 10, 11))["ends_on"][0]
        step(app, "publicity", D(2027, 9, 30), ends_on=D(2027, 10, 12))


def test_publicity_still_running_today(branch, introducers):
    # The notice's last day may be in the future: the application is "in publicity" until then.
    with frozen(D(2023, 4, 11)):
        app = prepared(to_target(new_application(branch), introducers), introducers)
        step(app, "publicity", D(2023, 4, 10), ends_on=D(2023, 4, 14))
        (due,) = [d for d in next_steps(fresh(app)) if d.rule.code == "pre_review"]
        assert due.earliest == D(2023, 4, 15) and not due.ready and not due.blocked_by


def test_admission_order_pre_review_volunteer_form(branch, introducers):
    app = prepared(to_target(new_application(branch), introducers), introducers)
    step(app, "publicity", D(2023, 4, 10), ends_on=D(2023, 4, 14))
    assert "须先完成:基层党委预审" in refused(app, "volunteer_form", D(2023, 4, 20))
    assert "须先完成:填写入党志愿书" in refused(app, "admit", D(2023, 4, 20), reference="决议")
    step(app, "pre_review", D(2023, 4, 17), reference="预审通知")
    step(app, "volunteer_form", D(2023, 4, 20))
    step(app, "admit", D(2023, 5, 1), reference="支部大会决议")
    assert fresh(app).stage == Stage.PROBATIONARY


def test_admission_refused_when_the_assessment_lapsed(branch, introducers):
    app = prepared(to_target(new_application(branch), introducers), introducers)  # last assessment 2023-03-10
    step(app, "publicity", D(2023, 4, 10), ends_on=D(2023, 4, 14))
    step(app, "pre_review", D(2023, 4, 17), reference="预审通知")
    step(app, "volunteer_form", D(2023, 4, 20))
    assert "缺少半年考察" in refusal(app, "admit", D(2023, 9, 11), reference="决议")["code"][0]
    step(app, "assessment", D(2023, 9, 10), reference="考察表")
    step(app, "admit", D(2023, 9, 11), reference="决议")


def test_admission_creates_probationary_member(branch, introducers):
    app = admitted(branch, introducers)
    assert app.stage == Stage.PROBATIONARY
    assert app.member.status == MemberStatus.PROBATIONARY and app.member.organization == branch
    assert app.member.join_date == D(2023, 5, 1)


# --- probation --------------------------------------------------------------------------------------------
def test_superior_talk_before_approval_within_three_months(branch, introducers):
    app = admitted(branch, introducers)
    assert "须先完成:上级党委派人谈话" in refused(app, "approve", D(2023, 6, 1), reference="审批")
    step(app, "superior_talk", D(2023, 5, 10), people="组织员")
    assert "最迟 2023-08-01" in refusal(app, "approve", D(2023, 8, 2), reference="审批")["note"][0]
    step(app, "approve", D(2023, 8, 1), reference="审批")


def test_oath_after_approval(branch, introducers):
    app = admitted(branch, introducers)
    step(app, "superior_talk", D(2023, 5, 10), people="组织员")
    assert "须先完成:上级党委审批" in refused(app, "oath", D(2023, 5, 20))
    step(app, "approve", D(2023, 6, 1), reference="审批")
    step(app, "oath", D(2023, 6, 5))


def test_the_admission_notice_does_not_count_before_full_membership(branch, introducers):
    app = approved(branch, introducers)
    step(app, "full_application", D(2024, 4, 1))
    assert "须先完成:公示" in refused(app, "full_meeting", D(2024, 5, 1), reference="决议")
    assert [d.rule.code for d in next_steps(app) if not d.blocked_by] == ["publicity"]


def test_full_membership_after_exactly_one_year_by_decision(branch, introducers):
    app = up_to_full_meeting(branch, introducers)
    assert "最早于 2024-05-01" in refusal(app, "full_meeting", D(2024, 4, 30), reference="决议")["date"][0]
    assert "支部大会决议" in refused(app, "full_meeting", D(2024, 5, 1))
    step(app, "full_meeting", D(2024, 5, 1), reference="支部大会决议")
    assert fresh(app).stage == Stage.PROBATIONARY  # until the higher committee approves
    step(app, "full", D(2024, 6, 3), reference="转正批复")
    app = fresh(app)
    assert app.stage == Stage.FULL
    # The party standing counts from the day the probation was served, not from the approval.
    assert app.member.status == MemberStatus.FULL and app.member.full_date == D(2024, 5, 1)


def test_full_membership_approved_within_three_months_of_the_probations_end(branch, introducers):
    app = up_to_full_meeting(branch, introducers)
    step(app, "full_meeting", D(2024, 5, 6), reference="支部大会决议")
    (due,) = [d for d in next_steps(fresh(app)) if d.rule.code == "full"]
    assert due.deadline == D(2024, 8, 1)
    errors = refusal(app, "full", D(2024, 8, 2), reference="转正批复")
    assert "预备期满(2024-05-01)" in errors["note"][0] and "最迟 2024-08-01" in errors["note"][0]
    assert "第三十二条" in errors["note"][0]
    step(app, "full", D(2024, 8, 1), reference="转正批复")
    assert fresh(app).stage == Stage.FULL


def test_late_full_approval_with_reason(branch, introducers):
    app = up_to_full_meeting(branch, introducers)
    step(app, "full_meeting", D(2024, 5, 6), reference="支部大会决议")
    step(app, "full", D(2024, 8, 2), reference="转正批复", note="党委换届,审批顺延")
    assert fresh(app).member.full_date == D(2024, 5, 1)


def test_probation_extended_once_by_6_to_12_months(branch, introducers):
    app = up_to_full_meeting(branch, introducers)
    assert "6 至 12" in refused(app, "extend", D(2024, 5, 6), extension_months=13, reference="决议")
    step(app, "extend", D(2024, 5, 6), extension_months=6, reference="决议")
    assert "已记录过" in refused(app, "extend", D(2024, 5, 7), extension_months=6, reference="决议")
    # The extension opens a new round: a new request and a new public notice before the branch meeting.
    assert "须先完成:公示" in refused(app, "full_meeting", D(2024, 11, 1), reference="决议")
    step(app, "full_application", D(2024, 10, 8))
    step(app, "publicity", D(2024, 10, 14), ends_on=D(2024, 10, 18))
    assert "2024-11-01" in refused(app, "full_meeting", D(2024, 10, 31), reference="决议")
    step(app, "full_meeting", D(2024, 11, 1), reference="决议")
    step(app, "full", D(2024, 12, 2), reference="转正批复")
    assert fresh(app).member.full_date == D(2024, 11, 1)


def test_cancel_probation_ends_the_application_and_records_history(branch, introducers, django_user_model):
    secretary = django_user_model.objects.create_user("secretary", password="x")
    app = approved(branch, introducers)
    member = app.member
    errors = refusal(app, "cancel_probation", D(2024, 5, 6))
    assert "决定文号" in errors["reference"][0] and "原因" in errors["note"][0]
    record_step(app, StepInput("cancel_probation", D(2024, 5, 6), reference="支部大会决议、党委批复",
                               note="预备期内不履行党员义务"), user=secretary)
    app, member = fresh(app), Member.objects.get(pk=member.pk)
    assert app.stage == Stage.CLOSED and next_steps(app) == []
    assert member.left_on == D(2024, 5, 6) and member.left_to == "取消预备党员资格"
    assert not Member.objects.active().filter(pk=member.pk).exists()
    latest = app.history.latest()
    assert latest.stage == Stage.CLOSED and latest.history_user == secretary
    assert member.history.latest().left_on == D(2024, 5, 6)
    assert "不能在" in refused(app, "full_application", D(2024, 5, 7))


def test_cancel_probation_only_in_probation(branch):
    app = new_application(branch)
    assert "不能在“入党申请人”阶段进行" in refusal(app, "cancel_probation", D(2022, 3, 5), reference="x",
                                                   note="y")["code"][0]


# --- general ----------------------------------------------------------------------------------------------
def test_unknown_step_and_future_date(branch):
    app = new_application(branch)
    assert "未知的步骤" in refusal(app, "promote", D(2022, 3, 2))["code"][0]
    assert "晚于今天" in refusal(app, "talk", D(2099, 1, 1), people="书记")["date"][0]


def test_due_list_shows_next_and_overdue(branch):
    app = new_application(branch, applied_on=D(2022, 3, 1))
    (due,) = [d for d in next_steps(app) if not d.blocked_by]
    assert due.rule.code == "talk" and due.deadline == D(2022, 4, 1) and due.overdue
    rows = due_list(Application.objects.all())
    assert [(r.application, r.rule.code) for r in rows] == [(app, "talk")]


def test_steps_are_declared_as_data_in_the_order_of_the_rules():
    codes = [rule.code for rule in STEP_LIST]
    assert codes == ["apply", "talk", "activist", "contacts", "assessment", "target", "introducers",
                     "political_review", "training", "publicity", "pre_review", "volunteer_form", "admit",
                     "superior_talk", "approve", "oath", "extend", "full_application", "publicity", "full_meeting",
                     "full", "cancel_probation", "close"]
    for rule in STEP_LIST:
        # Every rule references steps that exist, and cites its source (but the branch's own termination).
        assert all(code in STEPS for code in rule.requires)
        assert rule.source or rule.code == "close"
    # The public notice is held once before admission and once before full membership.
    assert rule_for("publicity", Stage.TARGET).requires == ("introducers", "political_review", "training")
    assert rule_for("publicity", Stage.PROBATIONARY).requires == ("full_application",)


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


def test_refusals_cite_their_article_in_english(branch):
    from django.utils import translation

    app = new_application(branch)
    with translation.override("en"):
        message = refusal(app, "activist", D(2022, 3, 5))["code"][0]
    assert message == ("Before “Designate as activist”, complete: Interview by the party organization. "
                       "(basis: Work Rules, art. 8)")
