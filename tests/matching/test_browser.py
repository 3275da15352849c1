"""Two-way claiming in a real browser: a community (through its street's staff) posts a need for 20 parking spaces at
night → a member unit's contact sees it suggested for their night-parking resource and claims it → it becomes a
project → the unit completes it → the community rates it."""

import datetime as dt

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.matching.models import JointConference, MemberUnit, Project, ProjectStatus, Resource
from tests import factories as f
from tests.conftest import login, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def data():
    tree = f.district_tree()
    ent = f.enterprise(tree["building1"], "攀达科技")
    conference = JointConference.objects.create(name="五角场街道区域化党建联席会议", place=tree["street1"])
    unit = MemberUnit.objects.create(conference=conference, name="攀达科技", enterprise=ent)
    MemberUnit.objects.create(conference=conference, name="五角场街道", kind="street", place=tree["street1"])
    f.user("staff", Role.STREET_STAFF, tree["street1"])
    contact = f.user("contact", Role.UNIT_CONTACT, ent)
    now = timezone.now()
    Resource.objects.create(
        conference=conference, unit=unit, title="园区地下车库夜间错时停车", category="parking", capacity=40,
        measure="个", start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=180),
        daily_start=dt.time(19), daily_end=dt.time(7), lat="31.301200", lng="121.514100", radius_m=3000,
        created_by=contact)
    return {"conference": conference, "unit": unit}


def test_need_suggested_claimed_completed_and_rated(page, data, browser, live_server):
    # 1. Street staff post the community's need: 20 parking spaces at night.
    login(page, "staff")
    open_menu(page, "三张清单", "需求清单")
    page.click("a:has-text('新建')")
    page.select_option("#id_conference", label="五角场街道区域化党建联席会议")
    page.select_option("#id_requester_kind", "community")
    page.fill("#id_requester_name", "国和居民区")
    page.fill("#id_title", "居民夜间停车位")
    page.select_option("#id_category", "parking")
    page.fill("#id_description", "老小区夜间停车难,希望周边单位错时开放车位")
    page.fill("#id_quantity", "20")
    page.fill("#id_measure", "个")
    start = timezone.localtime() + dt.timedelta(days=1)
    page.fill("#id_start", start.strftime("%Y-%m-%dT19:00"))
    page.fill("#id_end", (start + dt.timedelta(days=90)).strftime("%Y-%m-%dT07:00"))
    page.fill("#id_daily_start", "19:00")
    page.fill("#id_daily_end", "07:00")
    page.fill("#id_location", "国和路")
    page.fill("#id_lat", "31.3051")
    page.fill("#id_lng", "121.5172")
    with page.expect_navigation():
        page.click("button:has-text('保存')")
    assert "已保存" in page.inner_text("body")
    assert page.get_by_test_id("remaining").inner_text().startswith("剩余 20")

    # 2. The unit's contact sees the need suggested for their night-parking resource, with the reasons.
    contact = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    login(contact, "contact")
    open_menu(contact, "三张清单", "需求清单")
    suggestion = contact.get_by_test_id("suggestions").locator("a", has_text="居民夜间停车位")
    assert "园区地下车库夜间错时停车" in suggestion.inner_text()
    assert "距离" in suggestion.inner_text()
    suggestion.click()

    # 3. They claim all 20 spaces from that resource: the claim becomes a project.
    form = contact.get_by_test_id("claim-need")
    form.locator("#id_quantity").fill("20")
    form.locator("#id_resource").select_option(label="园区地下车库夜间错时停车")
    form.locator("#id_note").fill("工作日 19:00–次日 7:00 开放")
    with contact.expect_navigation():
        form.locator("button:has-text('认领')").click()
    assert "认领成功" in contact.inner_text("body")
    assert contact.get_by_test_id("status").inner_text() == "已认领待确认"
    project = Project.objects.get()
    assert project.quantity == 20 and project.resource.claimed == 20

    # 4. The community side confirms; the unit starts and completes it; the community rates it.
    page.goto(f"/lists/projects/{project.pk}/")
    with page.expect_navigation():
        page.get_by_test_id("project-actions").locator("button:has-text('确认')").click()
    contact.goto(f"/lists/projects/{project.pk}/")
    for label in ("开始实施", "完成"):
        with contact.expect_navigation():
            contact.get_by_test_id("project-actions").locator(f"button:has-text('{label}')").click()
    assert contact.get_by_test_id("status").inner_text() == "已完成"
    page.goto(f"/lists/projects/{project.pk}/")
    evaluate = page.get_by_test_id("evaluate")
    evaluate.locator("#id_rating").select_option("5")
    evaluate.locator("#id_outcome").fill("20 个车位已启用,居民满意")
    with page.expect_navigation():
        evaluate.locator("button:has-text('提交评价')").click()
    assert page.get_by_test_id("status").inner_text() == "已评价"
    assert "5 / 5" in page.get_by_test_id("rating").inner_text()
    project.refresh_from_db()
    assert project.status == ProjectStatus.EVALUATED and project.rating == 5

    # 5. The statistics count it as completed this year.
    page.goto("/lists/statistics/")
    assert f"{timezone.localdate().year} 年全年完成项目 1 个" in page.get_by_test_id("annual-total").inner_text()
