"""三会一课 compliance per quarter, by structure: 支委会 only with a committee (7+ full members and seats), 党小组会
only with party groups and per group, a parent's 党课 for the branches whose members attended, met/gap/open/
not_applicable with the period's last day still open, totals consistent with the rows, bounded queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jiceng.activities import compliance
from jiceng.activities.models import Activity, ActivityKind, ActivityStatus, Attendance, ComplianceRule
from jiceng.organizations.models import CommitteeMember, Organization, OrgKind
from tests import factories as f

from .conftest import at

pytestmark = pytest.mark.django_db

MONTHS = (1, 2, 3)


def held(org, kind, day, *, attendee=None, status=ActivityStatus.HELD, title="会议"):
    start = at(day, 19)
    activity = Activity.objects.create(title=title, kind=kind, organization=org, start=start,
                                       end=start + dt.timedelta(hours=1), status=status)
    if attendee is not None:
        Attendance.objects.create(activity=activity, member=attendee)
    return activity


def staff(branch, full: int, *, seats: int = 0, probationary: int = 0, existing: int = 0):
    """Bring `branch` to `full` full members (it has `existing`), `probationary` more, and `seats` seats."""
    members = [f.member(branch, f"党员{n}") for n in range(full - existing)]
    members += [f.member(branch, f"预备{n}", status="probationary", join_date=dt.date(2025, 9, 1))
                for n in range(probationary)]
    pool = list(branch.members.filter(status="full").order_by("pk"))
    for member in pool[:seats]:
        CommitteeMember.objects.create(organization=branch, member=member, position="member")
    return members


def one(branch, year=2026, quarter=1, today=dt.date(2026, 4, 10)):
    report = compliance.report(Organization.objects.filter(pk=branch.pk), year, quarter, today=today)
    return report, {r.rule.kind: r for r in report.rows[0].rules}


@pytest.fixture
def quarter_data(world):
    branch, group, m1 = world["branch"], world["group"], world["m1"]
    staff(branch, 7, seats=3, existing=3)  # m1, m2, m3 and four more: 7 full members, 3 seats
    # Committee meetings: January (held) and March (attended but still "planned"); February has none.
    held(branch, ActivityKind.COMMITTEE_MEETING, dt.date(2026, 1, 8))
    held(branch, ActivityKind.COMMITTEE_MEETING, dt.date(2026, 3, 5), attendee=m1, status=ActivityStatus.PLANNED)
    # A planned meeting nobody attended and a cancelled one do not count.
    held(branch, ActivityKind.COMMITTEE_MEETING, dt.date(2026, 2, 5), status=ActivityStatus.PLANNED)
    held(branch, ActivityKind.COMMITTEE_MEETING, dt.date(2026, 2, 12), status=ActivityStatus.CANCELLED)
    # Theme party days every month; the party group holds its meetings.
    for month in MONTHS:
        held(branch, ActivityKind.THEME_DAY, dt.date(2026, month, 12))
        held(group, ActivityKind.GROUP_MEETING, dt.date(2026, month, 20))
    held(branch, ActivityKind.BRANCH_MEETING, dt.date(2026, 3, 26))
    # Outside the quarter.
    held(branch, ActivityKind.PARTY_LECTURE, dt.date(2026, 4, 2))
    return world


def test_branch_quarter(quarter_data):
    report, rules = one(quarter_data["branch"])
    assert report.branches == 1 and report.label == "2026 年第 1 季度"
    committee = rules[ActivityKind.COMMITTEE_MEETING]
    assert [(p.label, p.held, p.status) for p in committee.periods] == [
        ("2026-01", 1, "met"), ("2026-02", 0, "gap"), ("2026-03", 1, "met")]
    assert [p.held for p in rules[ActivityKind.GROUP_MEETING].periods] == [1, 1, 1]
    assert rules[ActivityKind.THEME_DAY].status == "met"
    assert (rules[ActivityKind.BRANCH_MEETING].held, rules[ActivityKind.BRANCH_MEETING].status) == (1, "met")
    assert (rules[ActivityKind.PARTY_LECTURE].held, rules[ActivityKind.PARTY_LECTURE].status) == (0, "gap")
    # Yearly rules are not a gap before the fourth quarter.
    assert rules[ActivityKind.LIFE_MEETING].status == "open"
    assert report.rows[0].gaps == ["2026-02 支委会:0/1 次", "2026 年第 1 季度 党课:0/1 次"]
    assert not report.rows[0].compliant


def test_six_full_members_have_a_secretary_not_a_committee_seven_have_one(world):
    branch = world["branch"]  # three full members already
    staff(branch, 6, seats=3, probationary=2, existing=3)  # 6 full (+2 probationary), seats even so
    _report, rules = one(branch)
    committee = rules[ActivityKind.COMMITTEE_MEETING]
    assert (committee.status, committee.reason, committee.periods) == (
        "not_applicable", "支部正式党员不足7人,不设支委会", [])
    f.member(branch, "第七位正式党员")
    _report, rules = one(branch)
    committee = rules[ActivityKind.COMMITTEE_MEETING]
    assert committee.status == "gap" and [p.status for p in committee.periods] == ["gap"] * 3


def test_seven_full_members_without_seats_are_not_asked_for_committee_meetings(world):
    branch = world["branch"]
    staff(branch, 9, seats=1, existing=3)  # a secretary's seat only: no committee to meet
    _report, rules = one(branch)
    committee = rules[ActivityKind.COMMITTEE_MEETING]
    assert committee.status == "not_applicable" and "应设而未设支委会" in committee.reason


def test_members_who_left_do_not_count_towards_a_committee(world):
    branch = world["branch"]
    staff(branch, 7, seats=3, existing=3)
    Organization.objects.get(pk=branch.pk).members.filter(name="党员0").update(left_on=dt.date(2026, 1, 1))
    assert one(branch)[1][ActivityKind.COMMITTEE_MEETING].status == "not_applicable"


def test_group_meetings_only_where_there_are_groups(world):
    other = world["other"]  # no party group
    held(other, ActivityKind.GROUP_MEETING, dt.date(2026, 1, 20))  # a branch's own "group meeting": no group's
    _report, rules = one(other)
    group = rules[ActivityKind.GROUP_MEETING]
    assert (group.status, group.reason, group.held) == ("not_applicable", "支部未设党小组", 0)


def test_each_party_group_holds_its_own(world):
    branch, first = world["branch"], world["group"]
    second = f.organization(branch.place, "第二党小组", kind=OrgKind.PARTY_GROUP, parent=branch)
    held(first, ActivityKind.GROUP_MEETING, dt.date(2026, 1, 10))
    held(first, ActivityKind.GROUP_MEETING, dt.date(2026, 1, 24))  # two in January do not cover the second group
    held(branch, ActivityKind.GROUP_MEETING, dt.date(2026, 1, 25))  # nor does one the branch organized
    for month in (2, 3):
        held(first, ActivityKind.GROUP_MEETING, dt.date(2026, month, 10))
        held(second, ActivityKind.GROUP_MEETING, dt.date(2026, month, 12))
    report, rules = one(branch)
    group = rules[ActivityKind.GROUP_MEETING]
    january, february, _march = group.periods
    assert (january.held, january.required, january.status) == (2, 2, "gap")
    assert [(g.name, g.held, g.status) for g in january.groups] == [("第一党小组", 2, "met"), ("第二党小组", 0, "gap")]
    assert (february.held, february.required, february.status) == (2, 2, "met")
    assert "2026-01 党小组会(第二党小组):0/1 次" in report.rows[0].gaps
    assert not any("第一党小组" in gap for gap in report.rows[0].gaps)


def test_a_parent_committees_lecture_counts_for_the_branches_whose_members_attended(world):
    tree = world["tree"]
    park = f.organization(tree["park1"], "园区综合党委", kind=OrgKind.COMMITTEE)
    branch = world["branch"]
    branch.parent = park
    branch.save()  # the path follows the parent
    absent = f.organization(tree["park1"], "未参加党支部", parent=park)
    absent_member = f.member(absent, "未参加者")
    elsewhere = world["other"]  # not under the park committee, though its member attended
    lecture = held(park, ActivityKind.PARTY_LECTURE, dt.date(2026, 2, 3), attendee=world["m1"], title="党课")
    Attendance.objects.create(activity=lecture, member=world["outsider"])
    # A parent's branch meeting is not the branch's (counts_parent is off for it), attended or not.
    held(park, ActivityKind.BRANCH_MEETING, dt.date(2026, 2, 4), attendee=world["m2"])
    held(park, ActivityKind.PARTY_LECTURE, dt.date(2026, 3, 3), attendee=absent_member, status=ActivityStatus.CANCELLED)
    report = compliance.report(Organization.objects.filter(pk__in=[branch.pk, absent.pk, elsewhere.pk]), 2026, 1,
                               today=dt.date(2026, 4, 10))
    by_name = {row.organization.name: {r.rule.kind: r for r in row.rules} for row in report.rows}
    assert by_name["攀达科技党支部"][ActivityKind.PARTY_LECTURE].status == "met"
    assert by_name["攀达科技党支部"][ActivityKind.BRANCH_MEETING].status == "gap"
    assert by_name["未参加党支部"][ActivityKind.PARTY_LECTURE].status == "gap"  # its member's lecture was cancelled
    assert by_name["殷行贸易党支部"][ActivityKind.PARTY_LECTURE].status == "gap"
    ComplianceRule.objects.filter(kind=ActivityKind.PARTY_LECTURE).update(counts_parent=False)
    assert one(branch)[1][ActivityKind.PARTY_LECTURE].status == "gap"


@pytest.mark.parametrize(("now", "status"), [
    (dt.datetime(2026, 3, 31, 23, 50), "open"),  # the quarter's (and March's) last day: still open
    (dt.datetime(2026, 4, 1, 0, 10), "gap"),  # the day after: a gap
])
def test_a_period_is_open_through_its_last_day(world, now, status):
    branch = world["branch"]
    for month in (1, 2):
        held(branch, ActivityKind.THEME_DAY, dt.date(2026, month, 12))
    with time_machine.travel(now.replace(tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        report = compliance.report(Organization.objects.filter(pk=branch.pk), 2026, 1)
    rules = {r.rule.kind: r for r in report.rows[0].rules}
    assert [p.status for p in rules[ActivityKind.THEME_DAY].periods] == ["met", "met", status]
    assert rules[ActivityKind.PARTY_LECTURE].status == status
    assert rules[ActivityKind.THEME_DAY].status == status


def test_open_periods_are_not_gaps(quarter_data):
    _report, rules = one(quarter_data["branch"], today=dt.date(2026, 2, 15))
    assert [p.status for p in rules[ActivityKind.COMMITTEE_MEETING].periods] == ["met", "open", "met"]
    assert rules[ActivityKind.PARTY_LECTURE].status == "open"


def test_yearly_rule_in_the_fourth_quarter(world):
    branch = world["branch"]
    held(branch, ActivityKind.APPRAISAL, dt.date(2026, 3, 1))
    _report, rules = one(branch, 2026, 4, today=dt.date(2027, 1, 5))
    assert (rules[ActivityKind.APPRAISAL].held, rules[ActivityKind.APPRAISAL].status) == (1, "met")
    assert rules[ActivityKind.LIFE_MEETING].status == "gap"


def test_rules_are_data(quarter_data):
    ComplianceRule.objects.filter(kind=ActivityKind.PARTY_LECTURE).update(active=False)
    ComplianceRule.objects.filter(kind=ActivityKind.COMMITTEE_MEETING).update(minimum=2)
    report, rules = one(quarter_data["branch"])
    assert ActivityKind.PARTY_LECTURE not in rules
    assert len(report.rows[0].gaps) == 3  # every month short of two committee meetings


def _street_with_structures(tree, n: int):
    """n more branches in street 1 of varied structure: committees, groups, a parent's lecture attended."""
    park = f.organization(tree["park1"], f"园区党委{n}", kind=OrgKind.COMMITTEE)
    for i in range(n):
        org = f.organization(tree["building1"], f"园区联合党支部{n}-{i}", kind="joint_branch", parent=park)
        members = staff(org, 7 if i % 2 else 3, seats=3 if i % 2 else 0)
        if i % 3 == 0:
            group = f.organization(tree["building1"], f"党小组{n}-{i}", kind=OrgKind.PARTY_GROUP, parent=org)
            held(group, ActivityKind.GROUP_MEETING, dt.date(2026, 1, 9))
        held(org, ActivityKind.THEME_DAY, dt.date(2026, 1, 8))
        held(org, ActivityKind.COMMITTEE_MEETING, dt.date(2026, 1, 8))
        lecture = held(park, ActivityKind.PARTY_LECTURE, dt.date(2026, 2, 8 + i))
        Attendance.objects.create(activity=lecture, member=members[0])


def test_totals_agree_with_the_rows_and_queries_are_bounded(quarter_data):
    tree = quarter_data["tree"]
    branches = Organization.objects.filter(place__path__startswith=tree["street1"].path)
    _street_with_structures(tree, 2)
    with CaptureQueriesContext(connection) as few:
        compliance.report(branches, 2026, 1, today=dt.date(2026, 4, 10))
    _street_with_structures(tree, 6)
    with CaptureQueriesContext(connection) as many:
        report = compliance.report(branches, 2026, 1, today=dt.date(2026, 4, 10))
    assert len(many) == len(few) <= 5
    assert report.branches == 9  # party groups and committees are not branches; street 2 is not included
    for total in report.totals:
        rows = [next(r for r in row.rules if r.rule.kind == total.rule.kind) for row in report.rows]
        assert total.met + total.gaps + total.open + total.not_applicable == report.branches
        assert total.held == sum(r.held for r in rows)
        assert total.met == sum(r.status == "met" for r in rows)
        assert total.not_applicable == sum(r.status == "not_applicable" for r in rows)
        assert total.held >= total.met * total.rule.minimum  # never "0 held" next to "13 met"
    assert report.compliant == sum(row.compliant for row in report.rows)
    sheets = compliance.excel_sheets(report)
    rows = list(sheets[0][2])
    assert len(rows) == 9 and rows[0][0] == "攀达科技党支部"


def test_parse_quarter_names_fields():
    with pytest.raises(Exception) as exc:
        compliance.parse_quarter("abc", 5)
    assert set(exc.value.message_dict) == {"year", "quarter"}


def hold_everything_required(branch, groups, *, committee: bool, year=2026, quarter=1):
    """Hold each requirement that applies once per period of the quarter (yearly ones once in the year)."""
    first = 3 * quarter - 2
    months = range(first, first + 3)
    for rule in ComplianceRule.objects.filter(active=True):
        if rule.kind == ActivityKind.COMMITTEE_MEETING and not committee:
            continue
        organizers = groups if rule.kind == ActivityKind.GROUP_MEETING else [branch]
        days = ([dt.date(year, m, 10) for m in months] if rule.period == "month"
                else [dt.date(year, first, 11)])
        for organizer in organizers:
            for day in days:
                for n in range(rule.minimum):
                    held(organizer, rule.kind, day + dt.timedelta(days=n))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(full=st.integers(0, 12), probationary=st.integers(0, 3), seats=st.integers(0, 5), groups=st.integers(0, 3),
       quarter=st.integers(1, 4))
def test_a_branch_holding_every_required_meeting_is_compliant_whatever_its_structure(
        tree, full, probationary, seats, groups, quarter):
    with transaction.atomic():
        branch = f.organization(tree["building1"], "结构测试党支部")
        staff(branch, full, seats=min(seats, full), probationary=probationary)
        party_groups = [f.organization(tree["building1"], f"第{n}党小组", kind=OrgKind.PARTY_GROUP, parent=branch)
                        for n in range(groups)]
        committee = compliance.structure_of(branch).has_committee
        hold_everything_required(branch, party_groups, committee=committee, quarter=quarter)
        report = compliance.report(Organization.objects.filter(pk=branch.pk), 2026, quarter,
                                   today=dt.date(2027, 2, 1))
        row = report.rows[0]
        assert row.compliant and not row.gaps
        statuses = {r.rule.kind: r.status for r in row.rules}
        assert set(statuses.values()) <= {"met", "not_applicable"}
        assert (statuses[ActivityKind.COMMITTEE_MEETING] == "met") == (full >= 7 and min(seats, full) >= 3)
        assert (statuses[ActivityKind.GROUP_MEETING] == "met") == (groups > 0)
        transaction.set_rollback(True)
