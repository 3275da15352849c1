"""三会一课 compliance per quarter: monthly rules counted per month, quarterly and yearly rules, party groups
folded into their branch, cancelled and unattended activities not counted, gaps listed; bounded queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.activities import compliance
from jiceng.activities.models import Activity, ActivityKind, ActivityStatus, Attendance, ComplianceRule
from jiceng.organizations.models import Organization
from tests import factories as f

from .conftest import at

pytestmark = pytest.mark.django_db


def held(org, kind, day, *, attendee=None, status=ActivityStatus.HELD, title="会议"):
    start = at(day, 19)
    activity = Activity.objects.create(title=title, kind=kind, organization=org, start=start,
                                       end=start + dt.timedelta(hours=1), status=status)
    if attendee is not None:
        Attendance.objects.create(activity=activity, member=attendee)
    return activity


@pytest.fixture
def quarter_data(world):
    branch, group, m1 = world["branch"], world["group"], world["m1"]
    # Committee meetings: January (held) and March (attended but still "planned"); February has none.
    held(branch, ActivityKind.COMMITTEE_MEETING, dt.date(2026, 1, 8))
    held(branch, ActivityKind.COMMITTEE_MEETING, dt.date(2026, 3, 5), attendee=m1, status=ActivityStatus.PLANNED)
    # A planned meeting nobody attended and a cancelled one do not count.
    held(branch, ActivityKind.COMMITTEE_MEETING, dt.date(2026, 2, 5), status=ActivityStatus.PLANNED)
    held(branch, ActivityKind.COMMITTEE_MEETING, dt.date(2026, 2, 12), status=ActivityStatus.CANCELLED)
    # Theme party days every month; group meetings by the party group count for the branch.
    for month in (1, 2, 3):
        held(branch, ActivityKind.THEME_DAY, dt.date(2026, month, 12))
        held(group, ActivityKind.GROUP_MEETING, dt.date(2026, month, 20))
    held(branch, ActivityKind.BRANCH_MEETING, dt.date(2026, 3, 26))
    # Outside the quarter.
    held(branch, ActivityKind.PARTY_LECTURE, dt.date(2026, 4, 2))
    return world


def test_branch_quarter(quarter_data):
    branch = quarter_data["branch"]
    report = compliance.report(Organization.objects.filter(pk=branch.pk), 2026, 1, today=dt.date(2026, 4, 10))
    assert report.branches == 1 and report.label == "2026 年第 1 季度"
    row = report.rows[0]
    rules = {r.rule.kind: r for r in row.rules}
    committee = rules[ActivityKind.COMMITTEE_MEETING]
    assert [(p.label, p.held, p.status) for p in committee.periods] == [
        ("2026-01", 1, "ok"), ("2026-02", 0, "gap"), ("2026-03", 1, "ok")]
    assert [p.held for p in rules[ActivityKind.GROUP_MEETING].periods] == [1, 1, 1]
    assert rules[ActivityKind.THEME_DAY].status == "ok"
    assert (rules[ActivityKind.BRANCH_MEETING].held, rules[ActivityKind.BRANCH_MEETING].status) == (1, "ok")
    assert (rules[ActivityKind.PARTY_LECTURE].held, rules[ActivityKind.PARTY_LECTURE].status) == (0, "gap")
    # Yearly rules are not a gap before the fourth quarter.
    assert rules[ActivityKind.LIFE_MEETING].status == "open"
    assert row.gaps == ["2026-02 支委会:0/1 次", "2026 年第 1 季度 党课:0/1 次"]
    assert not row.compliant


def test_open_periods_are_not_gaps(quarter_data):
    branch = quarter_data["branch"]
    report = compliance.report(Organization.objects.filter(pk=branch.pk), 2026, 1, today=dt.date(2026, 2, 15))
    rules = {r.rule.kind: r for r in report.rows[0].rules}
    assert [p.status for p in rules[ActivityKind.COMMITTEE_MEETING].periods] == ["ok", "open", "ok"]
    assert rules[ActivityKind.PARTY_LECTURE].status == "open"


def test_yearly_rule_in_the_fourth_quarter(world):
    branch = world["branch"]
    held(branch, ActivityKind.APPRAISAL, dt.date(2026, 3, 1))
    report = compliance.report(Organization.objects.filter(pk=branch.pk), 2026, 4, today=dt.date(2027, 1, 5))
    rules = {r.rule.kind: r for r in report.rows[0].rules}
    assert (rules[ActivityKind.APPRAISAL].held, rules[ActivityKind.APPRAISAL].status) == (1, "ok")
    assert rules[ActivityKind.LIFE_MEETING].status == "gap"


def test_rules_are_data(quarter_data):
    ComplianceRule.objects.filter(kind=ActivityKind.PARTY_LECTURE).update(active=False)
    ComplianceRule.objects.filter(kind=ActivityKind.COMMITTEE_MEETING).update(minimum=2)
    report = compliance.report(Organization.objects.filter(pk=quarter_data["branch"].pk), 2026, 1,
                               today=dt.date(2026, 4, 10))
    kinds = [r.rule.kind for r in report.rows[0].rules]
    assert ActivityKind.PARTY_LECTURE not in kinds
    assert len(report.rows[0].gaps) == 3  # every month short of two committee meetings


def test_all_branches_totals_and_bounded_queries(quarter_data):
    tree = quarter_data["tree"]
    for n in range(5):
        org = f.organization(tree["building1"], f"园区联合党支部{n}", kind="joint_branch")
        held(org, ActivityKind.THEME_DAY, dt.date(2026, 1, 8))
    branches = Organization.objects.filter(place__path__startswith=tree["street1"].path)
    with CaptureQueriesContext(connection) as queries:
        report = compliance.report(branches, 2026, 1, today=dt.date(2026, 4, 10))
    assert len(queries) <= 4
    assert report.branches == 6  # the party group is not a branch; the other street's branch is not included
    totals = {t.rule.kind: t for t in report.totals}
    assert (totals[ActivityKind.THEME_DAY].held, totals[ActivityKind.THEME_DAY].met) == (8, 1)
    assert totals[ActivityKind.THEME_DAY].gaps == 5
    assert report.compliant == 0
    sheets = compliance.excel_sheets(report)
    rows = list(sheets[0][2])
    assert len(rows) == 6 and rows[0][0] == "攀达科技党支部"


def test_parse_quarter_names_fields():
    with pytest.raises(Exception) as exc:
        compliance.parse_quarter("abc", 5)
    assert set(exc.value.message_dict) == {"year", "quarter"}
