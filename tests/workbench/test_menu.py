"""Menus by role: each role sees the sections it uses (data in NAVIGATION), pages keep their permissions."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from jiceng.accounts.models import Role
from jiceng.core.context_processors import NAVIGATION, menu_url_names, navigation
from jiceng.departments.models import Department
from tests import factories as f


def menu(user) -> dict[str, list[str]]:
    request = RequestFactory().get("/")
    request.user = user
    ctx = navigation(request)
    found = {group["label"]: [str(label) for label, _url, _active in group["items"]] for group in ctx["nav_groups"]}
    if ctx["nav_me"]:
        found = {"我的": ["我的"], **found}
    return found


@pytest.fixture
def people(tree):
    branch = f.organization(tree["building1"], "攀达科技党支部")
    ent = f.enterprise(tree["building1"], "攀达科技")
    member = f.member(branch, "张三")
    return {
        "root": f.user("root", superuser=True),
        "district_admin": f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]),
        "street_staff": f.user("street_staff", Role.STREET_STAFF, tree["street1"]),
        "building_worker": f.user("building_worker", Role.BUILDING_WORKER, tree["park1"]),
        "building_head": f.user("building_head", Role.BUILDING_HEAD, tree["building1"]),
        "org_secretary": f.user("org_secretary", Role.ORG_SECRETARY, branch),
        "unit_contact": f.user("unit_contact", Role.UNIT_CONTACT, ent),
        "member": f.user("member", Role.MEMBER, member),
        "nobody": f.user("nobody"),
        "department_staff": f.user("department_staff", Role.DEPARTMENT_STAFF, Department.objects.create(
            district=tree["district"], name="杨浦区投资促进办公室", short_name="区投资促进办")),
    }


def test_the_members_menu_is_mine_activities_demands(people):
    assert menu(people["member"]) == {"我的": ["我的"], "需求": ["需求"], "活动": ["活动"]}


def test_a_superuser_sees_every_entry(people):
    entries = [label for labels in menu(people["root"]).values() for label in labels]
    assert len(entries) == len(menu_url_names())


def test_each_role_sees_the_sections_it_uses(people):
    every = {"基础信息", "服务阵地", "党员事务", "需求与走访", "三张清单", "楼宇治理", "网格与联系户", "组织生活",
             "分析报告", "上报报表"}
    assert set(menu(people["street_staff"])) == every
    worker = menu(people["building_worker"])
    assert "党员事务" not in worker and worker["分析报告"] == ["大屏", "稳商", "覆盖报告"] and "上报报表" not in worker
    secretary = menu(people["org_secretary"])
    assert secretary["党员事务"] == ["发展党员", "转接", "党费", "六个月未参加组织生活等", "分配的工作"]
    assert "分析报告" not in secretary and "地域" not in secretary["基础信息"] and "楼宇治理" not in secretary
    contact = menu(people["unit_contact"])
    assert contact["基础信息"] == ["两新组织", "单位信息更新"]
    assert "党员事务" not in contact and "分析报告" not in contact
    assert contact["三张清单"] == ["需求清单", "资源清单", "项目清单", "联席会议"]
    assert menu(people["nobody"]) == {"需求": ["需求"], "活动": ["活动"]}
    # A department's staff: its work (the demands handed to it, its inbox) and the district's departments.
    assert menu(people["department_staff"]) == {"需求与走访": ["需求", "我的待办", "职能部门"], "活动": ["活动"]}


def test_entries_name_real_pages_and_real_roles():
    codes = set(Role.values)
    for group in NAVIGATION:
        for item in group.items:
            assert reverse(item.url_name)
            assert item.roles is None or item.roles <= codes, item


def test_pages_left_out_of_a_menu_still_open_as_before(people):
    """Menus show; scope governs. A member following a link to the applications list still gets the page."""
    client = Client()
    client.force_login(people["member"])
    for name in ("members:application_list", "risk:board", "places:place_list", "matching:need_list"):
        assert client.get(reverse(name)).status_code == 200, name


def test_the_navbar_renders_a_single_entry_group_as_a_plain_link(people):
    client = Client()
    client.force_login(people["member"])
    html = client.get("/").content.decode()
    nav = html[html.index('id="main-nav"'):html.index("</ul>", html.index('id="main-nav"'))]
    assert f'href="{reverse("demands:demand_list")}"' in nav and f'href="{reverse("activities:activity_list")}"' in nav
    assert "dropdown-toggle" not in nav and "基础信息" not in nav


def test_the_kept_menu_follows_the_page_the_role_and_the_language(people):
    """The menu's markup is kept per process (decision 081): the active entry, the entries and the language still
    follow each request."""
    def nav_of(client, path: str) -> str:
        html = client.get(path).content.decode()
        start = html.index('id="main-nav"')
        return html[start:html.index("</ul>", start)]

    staff, secretary = Client(), Client()
    staff.force_login(people["street_staff"])
    secretary.force_login(people["org_secretary"])
    members, demands = reverse("members:member_list"), reverse("demands:demand_list")
    on_members = nav_of(staff, members)
    assert f'class="dropdown-item active" href="{members}"' in on_members
    on_demands = nav_of(staff, demands)
    assert f'class="dropdown-item active" href="{demands}"' in on_demands
    assert f'class="dropdown-item" href="{members}"' in on_demands
    assert "两新组织" in on_members and "两新组织" not in nav_of(secretary, members)  # not the secretary's entry
    staff.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = nav_of(staff, members)
    assert "两新组织" not in english and f'class="dropdown-item active" href="{members}"' in english
