"""一推三公示: every path of choosing the building head (no objection, objection upheld, objection dismissed, a
period across a holiday), the appointment and its role, and the bad input of the issue."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jiceng.accounts.models import Role, RoleAssignment
from jiceng.governance import services
from jiceng.governance.models import (
    HeadSelection,
    NoticeRule,
    NoticeStage,
    NoticeStatus,
    ObjectionStatus,
    SelectionStatus,
)
from jiceng.holidays.calendar import WorkCalendar

from .conftest import DAY, run_to_head

pytestmark = pytest.mark.django_db


def test_no_objection_three_notices_then_the_head_is_appointed(gov):
    council, candidate, staff = gov["council"], gov["members"]["candidate"], gov["staff"]
    selection = services.nominate(council, candidate, by=staff, today=DAY, note="楼事会会议 7 票全票推荐")
    notice = services.current_notice(selection)
    assert (notice.stage, notice.published_on, notice.status) == (NoticeStage.NOMINEE, DAY, NoticeStatus.RUNNING)
    # Five working days after Monday 16 March: Monday 23 March (the weekend is not counted).
    assert notice.ends_on == dt.date(2026, 3, 23)
    assert "王楼长" in notice.text and "2026-03-23" in notice.text
    # Not before the period is over.
    with pytest.raises(ValidationError) as exc:
        services.advance(selection, by=staff, today=notice.ends_on)
    assert "notice" in exc.value.message_dict
    appointed_on = run_to_head(selection, staff, DAY)
    assert [n.stage for n in selection.notices.all()] == [1, 2, 3]
    assert all(n.status == NoticeStatus.PASSED for n in selection.notices.all())
    assert selection.status == SelectionStatus.APPOINTED and selection.appointed_on == appointed_on
    council.refresh_from_db()
    assert council.head == candidate and council.head_since == appointed_on
    assert RoleAssignment.objects.filter(user=gov["candidate_user"], role=Role.BUILDING_HEAD,
                                         place=council.place).count() == 1
    assert gov["candidate_user"].notifications.filter(message__contains="楼长").exists()


def test_objection_upheld_ends_the_selection(gov):
    council, staff = gov["council"], gov["staff"]
    selection = services.nominate(council, gov["members"]["candidate"], by=staff, today=DAY)
    services.advance(selection, by=staff, today=dt.date(2026, 3, 24))  # second notice: the candidate
    objection = services.raise_objection(selection, text="被推荐人长期不在楼内办公", raised_by_name="某企业员工",
                                         by=staff, today=dt.date(2026, 3, 26))
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.PAUSED
    notice = services.current_notice(selection)
    assert notice.status == NoticeStatus.PAUSED and notice.paused_on == dt.date(2026, 3, 26)
    # Paused: no advancing, even after the period.
    with pytest.raises(ValidationError):
        services.advance(selection, by=staff, today=dt.date(2026, 4, 30))
    services.resolve_objection(objection, outcome=ObjectionStatus.UPHELD, reason="经核实属实", by=staff,
                               today=dt.date(2026, 3, 30))
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.ENDED and "经核实属实" in selection.ended_reason
    assert services.current_notice(selection).status == NoticeStatus.STOPPED
    council.refresh_from_db()
    assert council.head is None
    assert not RoleAssignment.objects.filter(user=gov["candidate_user"], role=Role.BUILDING_HEAD).exists()
    # The council may start again.
    again = services.nominate(council, gov["members"]["property"], by=staff, today=dt.date(2026, 3, 31))
    assert again.status == SelectionStatus.NOTICE


def test_objection_dismissed_continues_with_the_days_left(gov):
    council, staff = gov["council"], gov["staff"]
    selection = services.nominate(council, gov["members"]["candidate"], by=staff, today=DAY)  # ends Mon 23 March
    # Raised on Wednesday 18 March: Thursday, Friday and Monday (3 working days) were still to run.
    objection = services.raise_objection(selection, text="对推荐程序有疑问", by=staff, today=dt.date(2026, 3, 18))
    services.resolve_objection(objection, outcome=ObjectionStatus.DISMISSED, reason="推荐程序符合规定", by=staff,
                               today=dt.date(2026, 3, 25))
    selection.refresh_from_db()
    notice = services.current_notice(selection)
    assert selection.status == SelectionStatus.NOTICE and notice.status == NoticeStatus.RUNNING
    # Resumed on Wednesday 25 March, three working days left: Thursday, Friday, Monday 30 March.
    assert notice.ends_on == dt.date(2026, 3, 30)
    objection.refresh_from_db()
    assert (objection.status, objection.resolution) == (ObjectionStatus.DISMISSED, "推荐程序符合规定")
    run_to_head(selection, staff, dt.date(2026, 3, 25))
    selection.refresh_from_db()
    assert selection.status == SelectionStatus.APPOINTED


def test_a_period_across_a_holiday_counts_working_days_on_the_published_calendar(gov):
    from jiceng.holidays import services as holidays
    from tests.holidays.conftest import NOTICE_2027

    holidays.import_notice(NOTICE_2027, 2027, user=gov["admin"])  # 国庆 1–7 Oct off, Sat 9 Oct a working day
    with time_machine.travel(dt.datetime(2027, 9, 29, 10, 0, tzinfo=dt.UTC), tick=False):
        selection = services.nominate(gov["council"], gov["members"]["candidate"], by=gov["staff"])
    notice = services.current_notice(selection)
    # Thu 30 Sep (1), Fri 8 Oct (2), Sat 9 Oct (3, 调休), Mon 11 Oct (4), Tue 12 Oct (5): never calendar days.
    assert notice.published_on == dt.date(2027, 9, 29)
    assert notice.ends_on == dt.date(2027, 10, 12)
    assert WorkCalendar().working_days_between(notice.published_on, notice.ends_on) == 5
    with time_machine.travel(dt.datetime(2027, 10, 12, 10, 0, tzinfo=dt.UTC), tick=False), \
            pytest.raises(ValidationError):
        services.advance(selection, by=gov["staff"])
    with time_machine.travel(dt.datetime(2027, 10, 13, 10, 0, tzinfo=dt.UTC), tick=False):
        assert services.advance_due() == 1
    assert services.current_notice(selection).stage == NoticeStage.CANDIDATE


def test_the_notice_period_is_data(gov):
    district = gov["tree"]["district"]
    NoticeRule.objects.create(district=district, working_days=7)
    with pytest.raises(ValidationError) as exc:
        services.nominate(gov["council"], gov["members"]["candidate"], by=gov["staff"], today=DAY, notice_days=5)
    assert "7" in exc.value.message_dict["notice_days"][0]
    selection = services.nominate(gov["council"], gov["members"]["candidate"], by=gov["staff"], today=DAY)
    assert selection.notice_days == 7


@pytest.mark.parametrize("case", ["short_period", "not_a_member", "second_open", "no_account"])
def test_bad_input_names_the_field_and_saves_nothing(gov, case):
    council, members, staff = gov["council"], gov["members"], gov["staff"]
    if case == "second_open":
        services.nominate(council, members["candidate"], by=staff, today=DAY)
    before = HeadSelection.objects.count()
    nominee, days, field = members["candidate"], None, None
    if case == "short_period":
        days, field = 3, "notice_days"
    elif case == "not_a_member":
        nominee, field = gov["outsider"], "nominee"
    elif case == "second_open":
        nominee, field = members["property"], "council"
    else:
        nominee, field = members["secretary"], "nominee"
    with pytest.raises(ValidationError) as exc:
        services.nominate(council, nominee, by=staff, today=DAY, notice_days=days)
    assert field in exc.value.message_dict
    assert HeadSelection.objects.count() == before


def test_a_new_head_replaces_the_old_one_and_their_role(gov):
    council, staff = gov["council"], gov["staff"]
    first = services.nominate(council, gov["members"]["candidate"], by=staff, today=DAY)
    day = run_to_head(first, staff, DAY)
    second = services.nominate(council, gov["members"]["property"], by=staff, today=day)
    run_to_head(second, staff, day)
    council.refresh_from_db()
    assert council.head == gov["members"]["property"]
    assert not RoleAssignment.objects.filter(user=gov["candidate_user"], role=Role.BUILDING_HEAD).exists()
    assert RoleAssignment.objects.filter(user=gov["members"]["property"].user, role=Role.BUILDING_HEAD,
                                         place=council.place).exists()
