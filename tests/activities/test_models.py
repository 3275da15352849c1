"""Model invariants of the activities app: one organizer, shipped rules, six-month rule source."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from jiceng.activities.models import Activity, ActivityKind, ComplianceRule
from jiceng.members import inactivity
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_shipped_compliance_rules():
    rules = {r.kind: (r.period, r.minimum) for r in ComplianceRule.objects.all()}
    assert rules == {
        "branch_meeting": ("quarter", 1), "committee_meeting": ("month", 1), "group_meeting": ("month", 1),
        "party_lecture": ("quarter", 1), "theme_day": ("month", 1), "life_meeting": ("year", 1),
        "appraisal": ("year", 1),
    }


def test_attendance_is_an_inactivity_source():
    assert "attendance" in inactivity.source_labels()


def test_exactly_one_organizer_and_host_copied(tree):
    org = f.organization(tree["building1"])
    start = timezone.make_aware(dt.datetime(2026, 3, 12, 12))
    activity = Activity(title="主题党日", kind=ActivityKind.THEME_DAY, start=start, end=start + dt.timedelta(hours=1))
    with pytest.raises(ValidationError) as exc:
        activity.full_clean()
    assert "organization" in exc.value.message_dict
    activity.organization = org
    activity.full_clean()
    activity.save()
    assert (activity.host, activity.district, activity.street) == (tree["building1"], tree["district"],
                                                                    tree["street1"])
