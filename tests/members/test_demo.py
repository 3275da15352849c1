"""The demo's applications: spread over the steps of the 2014 procedure, every one recorded through the rules."""

import pytest
from django.urls import reverse
from django.utils import timezone

from jiceng.members.models import Application, ApplicationStep, Member, Stage
from jiceng.members.pipeline import STEPS, next_steps
from jiceng.operations.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_applications_cover_every_step(client):
    load_demo()
    apps = Application.objects.filter(organization__name="攀达科技党支部")
    today = timezone.localdate()
    assert {a.stage for a in apps} == set(Stage.values)
    # Every step of the procedure appears at least once, so each step's page and form has an example.
    assert set(ApplicationStep.objects.filter(application__in=apps).values_list("code", flat=True)) == set(STEPS)
    in_notice = ApplicationStep.objects.filter(application__in=apps, code="publicity", ends_on__gte=today)
    assert {s.application.stage for s in in_notice} == {Stage.TARGET, Stage.PROBATIONARY}
    cancelled = apps.get(steps__code="cancel_probation")
    assert cancelled.stage == Stage.CLOSED and Member.objects.get(pk=cancelled.member_id).left_on is not None
    assert apps.filter(stage=Stage.PROBATIONARY).count() >= 3
    overdue = [d for a in apps for d in next_steps(a) if d.overdue]
    assert overdue, "the due-list shows at least one overdue step"
    count = apps.count()
    load_demo()
    assert Application.objects.filter(organization__name="攀达科技党支部").count() == count

    client.login(username="org_secretary", password="jiceng-demo")
    assert client.get(reverse("members:due_list")).status_code == 200
    for app in apps:
        r = client.get(app.get_absolute_url())
        assert r.status_code == 200 and app.name in r.content.decode()
