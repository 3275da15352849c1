"""The five-colour analysis in a real browser: a worker records a visit with risk findings → the building's grid
shows the enterprise orange → the street's follow-up board lists the follow-up → the risk page draws the chart."""

import datetime as dt

import pytest

from jiceng.accounts.models import Role
from jiceng.risk import defaults
from jiceng.risk.models import FollowUp
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def data():
    defaults.install()  # transactional tests flush the tables the data migration filled
    tree = f.district_tree()
    ent = f.enterprise(tree["building1"], "攀达科技", lease_end=dt.date.today() + dt.timedelta(days=61))
    f.enterprise(tree["building1"], "安稳咨询")
    f.user("worker", Role.BUILDING_WORKER, tree["park1"])
    f.user("staff", Role.STREET_STAFF, tree["street1"])
    return {"tree": tree, "ent": ent}


def test_visit_findings_turn_the_enterprise_orange(page, data, browser, live_server):
    ent, tree = data["ent"], data["tree"]
    # 1. The building worker records a visit, ticking "lease ending soon" and "needs a bigger office" (seed 003).
    login(page, "worker")
    page.goto("/demands/visits/new/")
    page.select_option("#id_enterprise", label="攀达科技")
    page.fill("#id_findings", "租约两个月后到期,企业发展快,想找更大的办公室")
    page.get_by_label("租约即将到期").check()
    page.get_by_label("有扩租/新增发展需求").check()  # "looking for a bigger office"
    with page.expect_navigation():
        page.click("button:has-text('保存')")
    assert "已记录走访" in page.inner_text("body")

    # 2. The building's colour grid shows the enterprise orange (level 4), its neighbour green.
    page.goto(f"/risk/?place={tree['building1'].pk}")
    tile = page.locator(f"[data-testid=tile][data-enterprise='{ent.pk}']")
    assert tile.get_attribute("data-level") == "4"
    assert "bg-orange" in tile.get_attribute("class")
    assert page.locator("[data-testid=tile][data-level='1']").count() == 1
    assert page.get_by_test_id("count-4").get_by_test_id("count-value").inner_text() == "1"

    # 3. Street staff see the follow-up on their street's board, due within 3 working days.
    staff = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    login(staff, "staff")
    staff.goto(f"/risk/follow-ups/?place={tree['street1'].pk}")
    row = staff.locator(f"[data-testid=follow-up][data-enterprise='{ent.pk}']")
    assert row.count() == 1
    assert "较不稳定" in row.inner_text() and "staff" in row.inner_text()
    follow_up = FollowUp.objects.get(enterprise=ent)
    assert follow_up.due_date.isoformat() in row.inner_text()

    # 4. The enterprise's risk page explains the score and draws the level history with ECharts.
    staff.goto(f"/risk/enterprises/{ent.pk}/")
    assert staff.get_by_test_id("risk-level").get_attribute("data-level") == "4"
    assert staff.get_by_test_id("explained-score").inner_text() == "60"  # 30 + (−20) + 50
    staff.wait_for_selector("#risk-level-chart canvas")

    # 5. Staff close the follow-up with an outcome from the board.
    staff.goto(f"/risk/follow-ups/?place={tree['street1'].pk}")
    row = staff.locator(f"[data-testid=follow-up][data-enterprise='{ent.pk}']")
    row.locator("input[name=outcome]").fill("已会同投促办上门,协助寻找新办公单元")
    with staff.expect_navigation():
        row.locator("button").click()
    staff.wait_for_load_state("networkidle")
    staff.context.close()
    follow_up.refresh_from_db()
    assert follow_up.status == "closed" and follow_up.outcome.startswith("已会同投促办上门")
