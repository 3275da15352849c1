"""Assignees are people with a unit, not login names; every demand action's message says what happened and to whom."""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from jiceng.accounts.models import Role
from jiceng.accounts.people import display_name, person_label, with_units
from jiceng.demands import workflow
from jiceng.demands.forms import AssignForm
from jiceng.demands.models import Demand, DemandStatus
from tests import factories as f


def named(username, role, target, name):
    user = f.user(username, role, target)
    user.first_name = name
    user.save(update_fields=["first_name"])
    return user


@pytest.fixture
def people(tree):
    return {
        "tree": tree,
        "staff": named("street_staff", Role.STREET_STAFF, tree["street1"], "陈静"),
        "worker": named("building_worker", Role.BUILDING_WORKER, tree["park1"], "孙丽华"),
        "nameless": f.user("w2", Role.BUILDING_WORKER, tree["building1"]),
        "other": named("far", Role.BUILDING_WORKER, tree["park2"], "刘洋"),
    }


def last_message(response) -> str:
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


# --- people -----------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_person_label_is_name_and_unit(people):
    assert person_label(people["worker"]) == "孙丽华 · 创智天地"
    assert person_label(people["nameless"]) == "w2 · 创智天地1号楼"  # no name recorded: the login name
    family = f.user("lisi")
    family.last_name, family.first_name = "李", "四"
    assert display_name(family) == "李四" and person_label(family) == "李四"
    assert person_label(None) == ""


@pytest.mark.django_db
def test_assign_choices_are_people_of_the_demands_place_in_name_order(people, django_assert_max_num_queries):
    demand = workflow.submit(text="电梯经常停运需要检修", place=people["tree"]["building1"])
    form = AssignForm(demand=demand, user=people["staff"])
    with django_assert_max_num_queries(1):  # the users with their units
        labels = [label for value, label in form.fields["assignee_user"].choices if value]
    assert labels == ["w2 · 创智天地1号楼", "孙丽华 · 创智天地", "陈静 · 五角场街道"]
    assert "刘洋 · 殷行园区" not in labels  # another street's worker is not offered
    assert not any(label in ("street_staff", "building_worker") for label in labels)


@pytest.mark.django_db
def test_demand_list_and_page_show_the_assignee_as_a_person(client, people, django_assert_max_num_queries):
    tree = people["tree"]
    for i in range(3):
        d = workflow.submit(text=f"门禁卡坏了需要补办{i}", place=tree["building1"])
        d = workflow.accept(d, user=people["staff"], today=dt.date(2026, 9, 14))
        workflow.assign(d, user=people["staff"], assignee_user=people["worker"], department="物业")
    client.force_login(people["staff"])
    page = client.get(reverse("demands:demand_list")).content.decode()
    assert page.count("孙丽华 · 创智天地 / 物业") == 3 and "building_worker" not in page
    demand = Demand.objects.first()
    page = client.get(demand.get_absolute_url()).content.decode()
    assert "孙丽华 · 创智天地 / 物业" in page and "陈静 · 五角场街道" in page  # the timeline's actor too


@pytest.mark.django_db
def test_units_are_read_in_one_query_for_many_users(people, django_assert_num_queries):
    from django.contrib.auth import get_user_model
    from django.db.models import prefetch_related_objects

    from jiceng.accounts.people import units_prefetch

    with django_assert_num_queries(1):
        annotated = [person_label(u) for u in with_units(get_user_model().objects.order_by("pk"))]
    users = list(get_user_model().objects.order_by("pk"))
    with django_assert_num_queries(1):
        prefetch_related_objects(users, units_prefetch())
        prefetched = [person_label(u) for u in users]
    assert annotated == prefetched and "陈静 · 五角场街道" in annotated


# --- messages ---------------------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_every_action_says_what_happened(client, people):
    tree = people["tree"]
    client.force_login(people["staff"])
    demand = workflow.submit(text="楼里电梯经常停运希望检修", place=tree["building1"])

    def act(action, **data):
        r = client.post(reverse("demands:demand_action", args=[demand.pk, action]), data)
        assert r.status_code == 302
        return last_message(r)

    message = act("accept", category="property")
    demand.refresh_from_db()
    assert message == f"已受理“{demand}”:类别 物业与设施,办理期限 {demand.due_label}。下一步:派单。"
    assert "已办理" not in message
    message = act("assign", assignee_user=people["worker"].pk)
    assert message == f"已派给 孙丽华 · 创智天地,办理期限 {demand.due_label},已通知承办人。"
    assert act("recategorize", category="safety_environment") == "类别已改为 安全与环境,办理期限不变。"
    message = act("resolve", note="已更换控制板")
    assert message == f"已办结“{demand}”,提出人可凭查询码 {demand.tracking_code} 查看结果并评价。"
    assert act("reopen", note="电梯又停了") == "已重新交回 孙丽华 · 创智天地 办理。"
    act("resolve", note="已彻底修好")
    assert act("close") == f"已关闭“{demand}”。"

    other = workflow.submit(text="门口路灯坏了好几天", place=tree["building1"])
    r = client.post(reverse("demands:demand_action", args=[other.pk, "reject"]), {"note": "不属于本平台受理范围"})
    assert last_message(r) == f"已驳回“{other}”,提出人可在办理进度中看到原因。"
    dup = workflow.submit(text="楼里电梯又经常停运了", place=tree["building1"])
    r = client.post(reverse("demands:demand_action", args=[dup.pk, "merge"]), {"duplicate_of": demand.pk})
    assert last_message(r) == f"已将“{dup}”合并到需求 #{demand.pk}“{demand}”。"


@pytest.mark.django_db
def test_assign_to_a_department_and_resolve_for_a_signed_in_requester(client, people):
    tree = people["tree"]
    requester = f.user("requester")
    demand = workflow.submit(text="园区停车位不够用", place=tree["building1"], user=requester)
    workflow.accept(demand, user=people["staff"], today=dt.date(2026, 9, 14))
    client.force_login(people["staff"])
    r = client.post(reverse("demands:demand_action", args=[demand.pk, "assign"]), {"department": "物业公司"})
    demand.refresh_from_db()
    assert last_message(r) == f"已派给 物业公司,办理期限 {demand.due_label}。"
    r = client.post(reverse("demands:demand_action", args=[demand.pk, "resolve"]), {"note": "已协调增加车位"})
    assert last_message(r) == f"已办结“{demand}”,已通知提出人评价。"
    client.force_login(requester)
    r = client.post(reverse("demands:demand_action", args=[demand.pk, "rate"]), {"rating": "4"})
    assert last_message(r) == "感谢您的评价(4 星),需求已关闭。"
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.CLOSED


@pytest.mark.django_db
def test_a_refused_action_shows_the_reason_not_a_success(client, people):
    demand = workflow.submit(text="楼里电梯经常停运希望检修", place=people["tree"]["building1"])
    client.force_login(people["staff"])
    r = client.post(reverse("demands:demand_action", args=[demand.pk, "resolve"]), {"note": "x"})
    assert "已办结" not in last_message(r)
