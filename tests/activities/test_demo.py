"""The demo's organizational life: the monthly theme day series for the demo secretary's branch, micro-lectures
with ratings, clubs, and attendance that gives the compliance page content; loading twice changes nothing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.activities import compliance
from jiceng.activities.models import Activity, Attendance, Club, Rating, Series, SignUp
from jiceng.operations.demo import load_demo
from jiceng.organizations.models import Organization

pytestmark = pytest.mark.django_db


def test_demo(client):
    load_demo()
    series = Series.objects.get(title="主题党日", organization__name="攀达科技党支部")
    assert series.rrule == "FREQ=MONTHLY;BYDAY=+2TH"
    assert series.activities.count() >= 7
    assert Attendance.objects.filter(activity__series=series).exists()
    # The activities' own (the portal's demo adds an upcoming public lecture to the buildings that had none).
    lectures = Activity.objects.filter(kind="micro_lecture").exclude(title="午间微课堂:个税汇算与专项附加扣除")
    assert lectures.count() == 5 and Rating.objects.filter(activity__in=lectures).count() > 20
    assert Club.objects.count() == 5
    match = Activity.objects.get(title="羽毛球友谊赛")
    assert SignUp.objects.filter(activity=match, status="waitlisted").count() == 2
    counts = (Activity.objects.count(), Attendance.objects.count(), SignUp.objects.count(), Rating.objects.count())

    load_demo()
    assert (Activity.objects.count(), Attendance.objects.count(), SignUp.objects.count(),
            Rating.objects.count()) == counts

    branch = Organization.objects.get(name="攀达科技党支部")
    year, quarter = compliance.current_quarter()
    report = compliance.report(Organization.objects.filter(pk=branch.pk), year, quarter)
    theme = next(r for r in report.rows[0].rules if r.rule.kind == "theme_day")
    assert theme.held >= 1

    client.login(username="org_secretary", password="jiceng-demo")
    r = client.get(reverse("activities:compliance"), {"organization": branch.pk})
    assert r.status_code == 200 and "攀达科技党支部" in r.content.decode()
    client.login(username="member", password="jiceng-demo")
    r = client.get(reverse("activities:mine"))
    assert r.status_code == 200 and r.context["upcoming"]
    assert timezone.now()
