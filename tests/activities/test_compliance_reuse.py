"""A computed 三会一课 report is reused while nothing it reads has changed, and never after a recorded change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.activities import compliance
from jiceng.activities.models import ActivityKind, Attendance
from jiceng.organizations.models import CommitteeMember, Organization

from .test_compliance import held, staff

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 4, 10)


@pytest.fixture
def reuse(settings):
    settings.JICENG = {**settings.JICENG, "COMPLIANCE_REPORT_SECONDS": 300}
    compliance.REPORTS.clear()
    yield compliance.REPORTS
    compliance.REPORTS.clear()


def status(branch, kind):
    report = compliance.report(Organization.objects.filter(pk=branch.pk), 2026, 1, today=TODAY)
    return report, {r.rule.kind: r.status for r in report.rows[0].rules}[kind]


def test_the_same_report_is_reused_without_reading_the_activities_again(world, reuse):
    held(world["branch"], ActivityKind.BRANCH_MEETING, dt.date(2026, 2, 3))
    first, _ = status(world["branch"], ActivityKind.BRANCH_MEETING)
    with CaptureQueriesContext(connection) as queries:
        again, _ = status(world["branch"], ActivityKind.BRANCH_MEETING)
    assert again is first
    assert len(queries.captured_queries) == 1  # the highest attendance id


def test_a_recorded_meeting_shows_at_once(world, reuse):
    _, before = status(world["branch"], ActivityKind.BRANCH_MEETING)
    held(world["branch"], ActivityKind.BRANCH_MEETING, dt.date(2026, 2, 3))
    _, after = status(world["branch"], ActivityKind.BRANCH_MEETING)
    assert (before, after) == (compliance.Status.GAP, compliance.Status.MET)


def test_a_new_committee_seat_shows_at_once(world, reuse):
    staff(world["branch"], 7, existing=3)
    _, before = status(world["branch"], ActivityKind.COMMITTEE_MEETING)
    for member in world["branch"].members.order_by("pk")[:3]:
        CommitteeMember.objects.create(organization=world["branch"], member=member, position="member")
    _, after = status(world["branch"], ActivityKind.COMMITTEE_MEETING)
    assert (before, after) == (compliance.Status.NOT_APPLICABLE, compliance.Status.GAP)


def test_attendance_inserted_in_bulk_shows_at_once(world, reuse):
    activity = held(world["branch"], ActivityKind.BRANCH_MEETING, dt.date(2026, 2, 3),
                    status=compliance.ActivityStatus.PLANNED)  # counts once someone attended
    _, before = status(world["branch"], ActivityKind.BRANCH_MEETING)
    Attendance.objects.bulk_create([Attendance(activity=activity, member=world["m1"], hours=1)])
    _, after = status(world["branch"], ActivityKind.BRANCH_MEETING)
    assert (before, after) == (compliance.Status.GAP, compliance.Status.MET)


def test_another_day_is_another_report(world, reuse):
    held(world["branch"], ActivityKind.BRANCH_MEETING, dt.date(2026, 2, 3))
    first = compliance.report(Organization.objects.filter(pk=world["branch"].pk), 2026, 1, today=TODAY)
    other = compliance.report(Organization.objects.filter(pk=world["branch"].pk), 2026, 1,
                              today=TODAY + dt.timedelta(days=1))
    assert other is not first


def test_a_report_over_no_branches_is_kept_too(world, reuse):
    empty = compliance.report(Organization.objects.none(), 2026, 1, today=TODAY)
    assert empty.rows == [] and compliance.report(Organization.objects.none(), 2026, 1, today=TODAY) is empty
