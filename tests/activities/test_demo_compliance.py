"""After the demo, the last full quarter's 三会一课 figures are ones a secretary would sign: most branches hold
what their structure asks, a few show real gaps, and no branch is asked for what does not apply to it."""

import pytest
from django.urls import reverse

from jiceng.activities import compliance
from jiceng.activities.models import ActivityKind, MeetingRecord
from jiceng.members import inactivity
from jiceng.members.models import AssignedWork, Member
from jiceng.operations.demo import load_demo
from jiceng.organizations.models import BRANCH_KINDS, Organization

pytestmark = pytest.mark.django_db


def test_last_full_quarter_of_the_demo(client):
    load_demo()
    year, quarter = compliance.last_full_quarter()
    branches = Organization.objects.filter(kind__in=BRANCH_KINDS)
    report = compliance.report(Organization.objects.all(), year, quarter)
    assert report.branches == branches.count() >= 20
    assert report.compliant * 2 >= report.branches, [row.gaps for row in report.rows]
    assert 0 < report.branches - report.compliant <= report.branches // 4  # a few real gaps
    structures = {b.pk: compliance.structure_of(b) for b in branches}
    kinds_met = set()
    for row in report.rows:
        structure = structures[row.organization.pk]
        for result in row.rules:
            applies = not structure.reason(result.rule.kind)
            # Nothing that does not apply is asked for, and everything that applies is.
            assert (result.status == "not_applicable") == (not applies), (row.organization.name, result.rule.kind)
            assert result.status in (("met", "gap") if quarter == 4 or result.rule.period != "year"
                                     else ("met", "gap", "open")) or not applies
            if result.status == "met":
                kinds_met.add(result.rule.kind)
    assert {ActivityKind.COMMITTEE_MEETING, ActivityKind.GROUP_MEETING, ActivityKind.PARTY_LECTURE} <= kinds_met
    assert any(s.groups for s in structures.values()) and any(not s.has_committee for s in structures.values())
    for total in report.totals:
        assert total.met + total.gaps + total.open + total.not_applicable == report.branches
    assert MeetingRecord.objects.filter(absences__isnull=False).exists()

    client.login(username="street_staff", password="jiceng-demo")
    r = client.get(reverse("activities:compliance"), {"year": year, "quarter": quarter})
    assert r.status_code == 200 and "legend-na" in r.content.decode()


def test_demo_assigned_work_feeds_the_six_month_report():
    load_demo()
    overdue = AssignedWork.objects.overdue().get(task="走访园区流动党员并登记")
    listed = inactivity.inactive_members(Member.objects.filter(pk=overdue.member_id))
    assert listed and "work" in listed[0].missing
