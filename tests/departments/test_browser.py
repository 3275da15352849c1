"""In a browser: the street hands a demand to a department, the department's user signs for it and resolves it,
the street calls the requester back."""

import pytest
from django.utils import timezone

from jiceng.accounts.models import Role
from jiceng.demands import workflow
from jiceng.demands.models import Demand, DemandStatus
from jiceng.departments.models import Department
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_street_assigns_department_signs_and_resolves(page, browser, live_server):
    tree = f.district_tree()
    dept = Department.objects.create(district=tree["district"], name="杨浦区投资促进办公室", short_name="区投资促进办")
    Department.objects.create(district=tree["district"], name="杨浦区市场监管所", short_name="市场监管所")
    staff = f.user("staff", Role.STREET_STAFF, tree["street1"])
    f.user("invest", Role.DEPARTMENT_STAFF, dept)
    demand = workflow.submit(text="公司租约年底到期,想在区内扩租两层,希望了解稳商政策", place=tree["building1"],
                             requester_name="邓经理")
    demand = workflow.accept(demand, user=staff, today=timezone.localdate())

    login(page, "staff")
    page.goto(demand.get_absolute_url())
    page.select_option("[data-testid=assign-form] select[name=to_department]", label="杨浦区投资促进办公室")
    page.click("[data-testid=assign]")
    page.wait_for_selector("[data-testid=department-state]")
    assert "待签收" in page.inner_text("[data-testid=department-state]")

    other = browser.new_context(base_url=live_server.url, locale="zh-CN")
    dept_page = other.new_page()
    dept_page.set_default_timeout(15_000)
    login(dept_page, "invest")
    dept_page.goto("/demands/inbox/")
    dept_page.locator("[data-testid=department-work] a", has_text="公司租约年底到期").click()
    dept_page.click("[data-testid=sign]")
    dept_page.wait_for_selector("[data-testid=department-resolve]")
    assert "已签收" in dept_page.inner_text("[data-testid=department-state]")
    dept_page.fill("[data-testid=department-resolve-note]", "已上门对接,扩租政策已落实")
    dept_page.click("[data-testid=department-resolve]")
    dept_page.wait_for_selector(".alert-success")
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.RESOLVED

    # The street calls the requester back and records their view.
    page.goto("/demands/?department_state=callback")
    page.locator("a", has_text="公司租约年底到期").first.click()
    page.check("[data-testid=callback-form] input[value=satisfied]")
    page.click("[data-testid=callback]")
    page.wait_for_selector("[data-testid=callback-result]")
    demand.refresh_from_db()
    assert demand.callback_result == "satisfied" and demand.status == DemandStatus.CLOSED
    assert [e.action for e in demand.events.all()][-3:] == ["sign", "resolve", "callback"]
