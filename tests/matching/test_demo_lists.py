"""The demo's three lists: a conference with a rotating chair, lists in every state, suggestions for the demo's
unit contact, and a second load adds nothing."""

import pytest
from django.contrib.auth import get_user_model

from jiceng.matching import services
from jiceng.matching.models import JointConference, Need, Project, ProjectStatus, Resource
from jiceng.operations.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_lists(client):
    load_demo()
    conference = JointConference.objects.get(name="五角场街道区域化党建联席会议")
    current, upcoming = conference.chair_terms_around()
    assert current is not None and upcoming is not None and current.unit != upcoming.unit
    assert {p.status for p in Project.objects.all()} >= {ProjectStatus.EVALUATED, ProjectStatus.IN_PROGRESS,
                                                          ProjectStatus.PROPOSED}
    contact = get_user_model().objects.get(username="unit_contact")
    units = list(services.acting_units(contact))
    assert [u.name for u in units] == ["上海攀达信息科技有限公司"]
    suggestions = services.suggest_needs_for_units(units)
    assert suggestions and suggestions[0].need.title == "居民夜间停车位"
    counts = (Need.objects.count(), Resource.objects.count(), Project.objects.count())
    load_demo()
    assert (Need.objects.count(), Resource.objects.count(), Project.objects.count()) == counts
    client.force_login(contact)
    assert "居民夜间停车位" in client.get("/lists/needs/").content.decode()
