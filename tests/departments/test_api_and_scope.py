"""A department user's scope (its own work; not another department's, not the district's other demands) on the
API and the pages, both ways; the API actions; /api/departments/."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.demands import workflow
from jiceng.demands.models import Demand
from jiceng.departments.models import Department, DepartmentState
from jiceng.risk.models import FollowUp

from .conftest import accepted, handed


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_department_user_sees_its_own_work_only(world, client):
    mine = handed(world)
    theirs = handed(world, world["market"], text="餐饮店招牌要换新,需要办理什么手续")
    other = accepted(world, "楼道的灯坏了好几天了没人修")  # the district's, not handed to anyone
    ids = set(Demand.objects.restrict(world["dept_user"]).values_list("pk", flat=True))
    assert ids == {mine.pk}
    listed = {row["id"] for row in api(world["dept_user"]).get("/api/demands/").json()["results"]}
    assert listed == {mine.pk}
    assert api(world["dept_user"]).get(f"/api/demands/{theirs.pk}/").status_code == 404
    assert api(world["dept_user"]).get(f"/api/demands/{other.pk}/").status_code == 404
    client.force_login(world["dept_user"])
    assert client.get(mine.get_absolute_url()).status_code == 200
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(other.get_absolute_url()).status_code == 404
    # …and the other way: the street still sees all of its demands, the other street none of them.
    assert set(Demand.objects.restrict(world["staff"]).values_list("pk", flat=True)) >= {mine.pk, theirs.pk, other.pk}
    assert not Demand.objects.restrict(world["staff2"]).filter(pk__in=[mine.pk, theirs.pk, other.pk]).exists()


def test_a_returned_demand_stays_readable_until_handed_elsewhere(world):
    d = handed(world)
    d = workflow.return_to_street(d, user=world["dept_user"], reason="不属于本部门")
    assert Demand.objects.restrict(world["dept_user"]).filter(pk=d.pk).exists()
    assert workflow.department_actions(d, world["dept_user"]) == []  # nothing left to do for it
    workflow.assign(d, user=world["staff"], department=world["market"])
    fresh = type(world["dept_user"]).objects.get(pk=world["dept_user"].pk)  # a new request: its scope anew
    assert not Demand.objects.restrict(fresh).filter(pk=d.pk).exists()
    assert Demand.objects.restrict(world["dept_user2"]).filter(pk=d.pk).exists()


def test_api_sign_return_callback(world):
    d = handed(world)
    url = f"/api/demands/{d.pk}"
    # The street may not sign for the department, the other department may not see it.
    assert api(world["staff"]).post(f"{url}/sign/", {}).status_code == 403
    assert api(world["dept_user2"]).post(f"{url}/sign/", {}).status_code == 404
    r = api(world["dept_user"]).post(f"{url}/return/", {"note": "x"}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    d.refresh_from_db()
    assert d.department_state == DepartmentState.PENDING
    r = api(world["dept_user"]).post(f"{url}/sign/", {}, format="json")
    assert r.status_code == 200 and r.json()["department_state"] == "signed" and r.json()["department"] == \
        world["invest"].pk and r.json()["assignee_department"] == "杨浦区投资促进办公室"
    # A department user cannot accept, assign or reject (the street's steps).
    assert api(world["dept_user"]).post(f"{url}/assign/", {"department": "市场监管所"}).status_code == 403
    r = api(world["dept_user"]).post(f"{url}/resolve/", {"note": "已协调"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    assert api(world["dept_user"]).post(f"{url}/callback/", {"result": "satisfied"}).status_code == 403
    r = api(world["staff"]).post(f"{url}/callback/", {}, format="json")
    assert r.status_code == 400 and "result" in r.json()
    r = api(world["staff"]).post(f"{url}/callback/", {"result": "satisfied", "note": "很满意"}, format="json")
    assert r.status_code == 200 and r.json()["callback_result"] == "satisfied" and r.json()["rating"] == 5


def test_api_assign_by_department_id_and_return(world):
    d = accepted(world)
    r = api(world["staff"]).post(f"/api/demands/{d.pk}/assign/", {"department": str(world["market"].pk)})
    assert r.status_code == 200 and r.json()["department"] == world["market"].pk
    assert r.json()["department_state"] == "pending" and r.json()["sign_due"]
    r = api(world["dept_user2"]).post(f"/api/demands/{d.pk}/return/", {"reason": "请派区投资促进办"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "accepted" and r.json()["department_state"] == "returned"
    bad = api(world["staff"]).post(f"/api/demands/{d.pk}/assign/", {"department": str(world["foreign"].pk)})
    assert bad.status_code == 400 and "department" in bad.json()


def test_departments_api_scoped(world):
    names = {row["name"] for row in api(world["staff"]).get("/api/departments/").json()["results"]}
    assert names == {"杨浦区投资促进办公室", "杨浦区市场监管所"}
    mine = {row["name"] for row in api(world["dept_user"]).get("/api/departments/").json()["results"]}
    assert mine == {"杨浦区投资促进办公室"}
    assert api(world["staff"]).get(f"/api/departments/{world['foreign'].pk}/").status_code == 404
    # District admins maintain them; streets read.
    new = {"name": "杨浦区人力资源和社会保障局", "short_name": "人社", "district": world["tree"]["district"].pk}
    assert api(world["staff"]).post("/api/departments/", new).status_code == 403
    assert api(world["admin"]).post("/api/departments/", new).status_code == 201
    assert Department.objects.filter(short_name="人社").exists()


def test_pages_and_board_filter(world, client):
    pending = handed(world)
    returned = handed(world, world["market"], text="餐饮店招牌要换新,需要办理什么手续")
    workflow.return_to_street(returned, user=world["dept_user2"], reason="请派城管")
    client.force_login(world["staff"])
    board = client.get(reverse("demands:demand_list") + "?department_state=returned").content.decode()
    assert returned.get_absolute_url() in board and pending.get_absolute_url() not in board
    board = client.get(reverse("demands:demand_list") + "?department_state=pending").content.decode()
    assert pending.get_absolute_url() in board and returned.get_absolute_url() not in board
    inbox = client.get(reverse("demands:inbox")).content.decode()
    assert 'data-testid="department-board"' in inbox
    assert client.get(reverse("departments:department_list")).status_code == 200
    assert client.get(world["invest"].get_absolute_url()).status_code == 200
    assert client.get(world["foreign"].get_absolute_url()).status_code == 404
    # The department user's inbox lists its work; the page offers 签收 and 退单.
    client.force_login(world["dept_user"])
    inbox = client.get(reverse("demands:inbox")).content.decode()
    assert 'data-testid="department-work"' in inbox and pending.get_absolute_url() in inbox
    page = client.get(pending.get_absolute_url()).content.decode()
    assert 'data-testid="sign"' in page and 'data-testid="return"' in page
    r = client.post(reverse("demands:demand_action", args=[pending.pk, "return"]), {"reason": ""})
    pending.refresh_from_db()
    assert r.status_code == 302 and pending.department_state == DepartmentState.PENDING
    r = client.post(reverse("demands:demand_action", args=[pending.pk, "sign"]))
    pending.refresh_from_db()
    assert pending.department_state == DepartmentState.SIGNED
    # Not the street's buttons.
    assert client.post(reverse("demands:demand_action", args=[pending.pk, "reject"]), {"note": "x"}).status_code == 403


@pytest.fixture
def follow_up(world):
    from jiceng.risk.choices import RiskLevel

    return FollowUp.objects.create(enterprise=world["ent"], level=RiskLevel.values[-1], action="上门走访了解扩租需求",
                                   due_date=dt.date(2026, 9, 20), created="2026-09-14T09:00:00+08:00")


def test_follow_up_handed_to_a_department(world, follow_up, client):
    url = f"/api/risk/follow-ups/{follow_up.pk}"
    assert api(world["dept_user"]).get(f"{url}/").status_code == 404
    r = api(world["staff"]).post(f"{url}/assign/", {"department": world["invest"].pk}, format="json")
    assert r.status_code == 200 and r.json()["department_state"] == "pending"
    assert api(world["dept_user"]).get(f"{url}/").status_code == 200
    assert api(world["dept_user2"]).get(f"{url}/").status_code == 404
    r = api(world["dept_user"]).post(f"{url}/return/", {}, format="json")
    assert r.status_code == 400 and "reason" in r.json()
    assert api(world["dept_user"]).post(f"{url}/sign/", {}, format="json").json()["department_state"] == "signed"
    client.force_login(world["dept_user"])
    assert 'data-testid="department-follow-ups"' in client.get(reverse("demands:inbox")).content.decode()
    r = api(world["dept_user"]).post(f"{url}/close/", {"outcome": "已上门,企业决定留在区内"}, format="json")
    assert r.status_code == 200 and r.json()["status"] == "closed"


def test_follow_up_sign_escalates(world, follow_up):
    from jiceng.accounts.models import Notification
    from jiceng.risk import services

    services.assign_follow_up(follow_up, department=world["invest"], user=world["staff"],
                              today=dt.date(2026, 11, 6))  # Friday → Monday the 9th
    assert workflow.escalate_overdue(today=dt.date(2026, 11, 9)) == 0
    assert workflow.escalate_overdue(today=dt.date(2026, 11, 10)) == 1
    assert Notification.objects.filter(user=world["admin"], key="department.follow_up_sign_overdue").count() == 1
