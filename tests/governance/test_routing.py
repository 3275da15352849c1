"""有事找楼长: a demand at a building with a head goes to the head's inbox first; the head handles it or forwards
it to the street. And a council decision becomes a demand, a need or a project in one step."""

import datetime as dt

import pytest
from django.test import Client
from rest_framework.test import APIClient

from jiceng.demands import workflow
from jiceng.demands.models import Category, Demand, DemandStatus
from jiceng.governance import services
from jiceng.matching.models import MemberUnit, Need, Project
from tests import factories as f

from .conftest import DAY, run_to_head

pytestmark = pytest.mark.django_db


@pytest.fixture
def headed(gov):
    selection = services.nominate(gov["council"], gov["members"]["candidate"], by=gov["staff"], today=DAY)
    run_to_head(selection, gov["staff"], DAY)
    return gov


def test_a_demand_at_the_building_goes_to_the_head_first(headed):
    head, building = headed["candidate_user"], headed["tree"]["building1"]
    unit = f.place("12层", "unit", building)
    demand = workflow.submit(text="12楼卫生间漏水,请物业尽快维修", place=unit, requester_name="白领小李")
    assert demand.status == DemandStatus.SUBMITTED and demand.assignee_user == head
    assert [e.action for e in demand.events.all()] == ["submit", "route"]
    assert head.notifications.filter(message__contains="有事找楼长").exists()
    # In the head's inbox, and in their scope.
    web = Client()
    web.force_login(head)
    page = web.get("/demands/inbox/")
    assert page.status_code == 200 and "12楼卫生间漏水" in page.content.decode()
    assert web.get(demand.get_absolute_url()).status_code == 200
    # A demand elsewhere is not routed.
    other = workflow.submit(text="殷行2号楼门禁坏了", place=headed["tree"]["building2"])
    assert other.assignee_user is None and [e.action for e in other.events.all()] == ["submit"]


def test_the_head_handles_it(headed):
    head = headed["candidate_user"]
    demand = workflow.submit(text="大堂灯坏了,需要更换", place=headed["tree"]["building1"])
    category = Category.objects.get(code="property")
    workflow.accept(demand, user=head, category=category)
    workflow.assign(demand, user=head, assignee_user=head)
    resolved = workflow.resolve(demand, user=head, note="已请物业更换")
    assert resolved.status == DemandStatus.RESOLVED and resolved.assignee_user == head


def test_the_head_forwards_it_to_the_street(headed):
    head, staff = headed["candidate_user"], headed["staff"]
    demand = workflow.submit(text="楼前道路占道经营,需要城管处理", place=headed["tree"]["building1"])
    assert not workflow.can_forward(demand, staff)
    api = APIClient()
    api.force_authenticate(head)
    response = api.post(f"/api/demands/{demand.pk}/forward/", {"note": "需街道协调城管"}, format="json")
    assert response.status_code == 200, response.content
    demand.refresh_from_db()
    assert demand.status == DemandStatus.SUBMITTED and demand.assignee_user is None
    assert demand.events.last().action == "forward" and demand.events.last().note == "需街道协调城管"
    assert staff.notifications.filter(message__contains="楼长转来").exists()
    # Once forwarded it is no longer the head's to forward.
    again = api.post(f"/api/demands/{demand.pk}/forward/", {}, format="json")
    assert again.status_code == 400


def test_no_head_no_routing_and_the_head_is_not_routed_their_own_demand(gov):
    demand = workflow.submit(text="电梯经常停运,请协调", place=gov["tree"]["building1"])
    assert demand.assignee_user is None
    selection = services.nominate(gov["council"], gov["members"]["candidate"], by=gov["staff"], today=DAY)
    run_to_head(selection, gov["staff"], DAY)
    own = workflow.submit(text="楼长自己登记的需求", place=gov["tree"]["building1"], user=gov["candidate_user"])
    assert own.assignee_user is None


def _meeting_with_decision(gov):
    meeting = services.record_meeting(
        gov["council"], title="楼事会例会", held_at=dt.datetime(2026, 3, 20, 14, tzinfo=dt.UTC), by=gov["staff"],
        decisions=[services.DecisionInput("请街道协调楼前非机动车停放点", gov["members"]["property"], 10)])
    return meeting.decisions.get()


def test_decision_to_demand_in_one_step(headed):
    decision = _meeting_with_decision(headed)
    web = Client()
    web.force_login(headed["candidate_user"])  # the head runs the council's meetings
    response = web.post(f"/governance/decisions/{decision.pk}/convert/", {"to": "demand"})
    decision.refresh_from_db()
    demand = decision.demand
    assert demand is not None and response.status_code == 302 and response.url == demand.get_absolute_url()
    assert demand.place == headed["council"].place and "非机动车" in demand.text
    assert demand.status == DemandStatus.SUBMITTED
    # Not routed back to the head: the council asks the street.
    assert demand.assignee_user is None
    again = web.post(f"/governance/decisions/{decision.pk}/convert/", {"to": "demand"})
    assert again.status_code == 302 and Demand.objects.count() == 1


def test_decision_to_need_and_to_project_on_the_buildings_lists(headed):
    head = headed["candidate_user"]
    decision = _meeting_with_decision(headed)
    api = APIClient()
    api.force_authenticate(head)
    response = api.post(f"/api/council-decisions/{decision.pk}/convert/", {"to": "need", "category": "parking"},
                        format="json")
    assert response.status_code == 201, response.content
    need = Need.objects.get(pk=response.json()["need"])
    assert need.conference == headed["council"].conference and need.category == "parking"
    # A project: a member unit of the building's lists claims it at once.
    conference = headed["council"].conference
    ent = f.enterprise(headed["tree"]["building1"], "攀达科技")
    unit = MemberUnit.objects.create(conference=conference, name="攀达科技", enterprise=ent)
    second = services.add_decision(decision.meeting, services.DecisionInput(
        "组织白领志愿者清理楼道", headed["members"]["secretary"], 5))
    response = api.post(f"/api/council-decisions/{second.pk}/convert/",
                        {"to": "project", "category": "volunteers", "unit": unit.pk}, format="json")
    assert response.status_code == 201, response.content
    project = Project.objects.get(pk=response.json()["project"])
    assert project.provider == unit and project.need.conference == conference


def test_the_head_manages_the_buildings_lists(headed):
    from jiceng.matching import services as lists

    conference = headed["council"].conference
    assert lists.can_manage(headed["candidate_user"], conference)
    assert not lists.can_manage(headed["members"]["property"].user, conference)  # no head role
    other = f.user("other_head", "building_head", headed["tree"]["building2"])
    assert not lists.can_manage(other, conference)
