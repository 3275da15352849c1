"""Each role's workbench in a real browser: what it lists matches the database, and its links open the filtered
lists that explain it (street staff, building worker, secretary, unit contact, member, district admin)."""

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.activities.models import SignUp, SignUpStatus
from jiceng.demands.models import Demand, DemandStatus, overdue_q
from jiceng.members import dues
from tests import factories as f
from tests.activities.conftest import make_activity
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def world():
    tree = f.district_tree()
    b1, b2 = tree["building1"], tree["building2"]
    e1 = f.enterprise(b1, "攀达科技")
    f.enterprise(b2, "殷行贸易")
    branch = f.organization(b1, "攀达科技党支部")
    m1 = f.member(branch, "张三")
    today = timezone.localdate()
    users = {
        "staff": f.user("staff", Role.STREET_STAFF, tree["street1"]),
        "worker": f.user("worker", Role.BUILDING_WORKER, tree["park1"]),
        "secretary": f.user("secretary", Role.ORG_SECRETARY, branch),
        "contact": f.user("contact", Role.UNIT_CONTACT, e1),
        "member": f.user("member", Role.MEMBER, m1),
        "admin": f.user("admin", Role.DISTRICT_ADMIN, tree["district"]),
    }
    for text, place, status, due, extra in [
        ("电梯维修超期", b1, DemandStatus.ACCEPTED, today - dt.timedelta(days=2), {}),
        ("空调今天到期", b1, DemandStatus.ASSIGNED, today, {"assignee_user": users["worker"]}),
        ("停车下周到期", b1, DemandStatus.ASSIGNED, today + dt.timedelta(days=3), {"assignee_user": users["worker"]}),
        ("路灯新提交", b1, DemandStatus.SUBMITTED, None, {"requester_enterprise": e1}),
        ("殷行超期", b2, DemandStatus.ACCEPTED, today - dt.timedelta(days=1), {}),
    ]:
        Demand.objects.create(text=text, title=text, place=place, status=status, due_date=due, **extra)
    month = today.replace(day=1)
    dues.declare_base(m1, category="in_service", base="4000", effective_month=month)
    activity = make_activity(branch, start=timezone.now() + dt.timedelta(days=2), title="主题党日")
    make_activity(branch, start=timezone.now() + dt.timedelta(days=9), title="微党课")
    SignUp.objects.create(activity=activity, member=m1, status=SignUpStatus.CONFIRMED)
    return {"tree": tree, "users": users}


def section(page, key):
    return page.get_by_test_id(f"section-{key}")


def count(page, key) -> int:
    return int(section(page, key).get_by_test_id("count").inner_text())


def test_street_staff_workbench_matches_and_links_to_filtered_lists(page, world):
    login(page, "staff")
    page.goto("/")
    assert page.get_by_test_id("roles").inner_text().strip() == "街道党工委工作人员"
    overdue = Demand.objects.filter(overdue_q(timezone.localdate()), street=world["tree"]["street1"])
    assert count(page, "overdue_demands") == overdue.count() == 1
    assert count(page, "due_today") == 1
    assert "殷行超期" not in page.inner_text("body")  # another street's
    assert section(page, "transfers").get_by_test_id("empty").inner_text().strip() == "没有待办理的组织关系转接"
    # The chart is drawn by the static script from the json_script data (the CSP allows no inline code).
    page.wait_for_selector("[data-chart-data] canvas")
    with page.expect_navigation():
        section(page, "overdue_demands").get_by_test_id("more").click()
    assert "overdue=true" in page.url
    body = page.inner_text("body")
    assert "电梯维修超期" in body and "空调今天到期" not in body and "殷行超期" not in body
    page.go_back()
    with page.expect_navigation():
        section(page, "due_today").get_by_test_id("more").click()
    body = page.inner_text("body")
    assert "due_today=true" in page.url and "空调今天到期" in body and "电梯维修超期" not in body


def test_each_role_sees_its_own_sections(page, world, browser, live_server):
    expectations = {
        "worker": ("楼宇党群工作者", ["inbox", "visits_due", "colours", "activities_week"]),
        "secretary": ("党组织书记", ["compliance", "applications", "transfers", "dues"]),
        "contact": ("联席会议成员单位联系人", ["unit_needs", "unit_claims", "unit_projects", "unit_demands"]),
        "member": ("党员", ["my_activities", "my_dues", "my_pioneer", "sign_up"]),
        "admin": ("区委组织部管理员", ["areas"]),
    }
    for username, (label, keys) in expectations.items():
        other = as_user(browser, live_server, username)
        other.goto("/")
        assert other.get_by_test_id("roles").inner_text().strip() == label
        shown = other.locator("[data-testid^=section-]").evaluate_all(
            "els => els.map(e => e.dataset.testid.slice(8))")
        assert shown == keys, username
        other.context.close()


def as_user(browser, live_server, username):
    page = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    login(page, username)
    return page


def test_links_open_what_they_count(page, world, browser, live_server):
    login(page, "worker")
    page.goto("/")
    mine = section(page, "inbox").get_by_test_id("figure-mine")
    assert mine.get_by_test_id("value").inner_text() == "2"
    with page.expect_navigation():
        mine.click()
    body = page.inner_text("body")
    assert "mine=true" in page.url and "空调今天到期" in body and "停车下周到期" in body and "电梯维修超期" not in body

    page = as_user(browser, live_server, "member")
    page.goto("/")
    assert [r.inner_text() for r in section(page, "my_activities").get_by_test_id("row").all()] == ["主题党日"]
    assert section(page, "my_dues").get_by_test_id("figure-months").get_by_test_id("value").inner_text() == "1"
    with page.expect_navigation():
        section(page, "sign_up").get_by_test_id("row").first.click()
    assert "微党课" in page.inner_text("body")

    page = as_user(browser, live_server, "admin")
    page.goto("/")
    row = page.get_by_test_id("table").locator("tr", has_text="五角场街道")
    cells = row.locator("td").all_inner_texts()
    assert cells[4:] == ["4", "1"]  # open demands (submitted, accepted, two assigned) and the overdue one
    with page.expect_navigation():
        row.locator("td").nth(5).get_by_role("link").click()
    assert "overdue=true" in page.url and "street=" in page.url and "电梯维修超期" in page.inner_text("body")
