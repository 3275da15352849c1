"""A white-collar worker's whole journey (issue 19): on a phone, from the building's QR page, they register with
an SMS code (a fake gateway on loopback), sign up for an activity and submit a demand; the street hands it to a
department, which signs for it and resolves it; the worker is told in the app and by SMS."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model

from jiceng.accounts.models import Notification, Role
from jiceng.channels.models import Channel, Delivery, Status
from jiceng.demands import intake, workflow
from jiceng.demands.models import Demand, DemandStatus
from jiceng.departments.models import Department
from tests import factories as f
from tests.channels.conftest import fake_server  # noqa: F401 - the fake SMS gateway fixture
from tests.conftest import login
from tests.portal.conftest import build_portal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

START = dt.datetime(2026, 5, 12, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
MOBILE = "13912345678"
TEXT = "十二楼茶水间的饮水机漏电跳闸,物业说要市场监管所来看,麻烦协调。"


def test_register_sign_up_submit_then_a_department_resolves_and_the_worker_is_told(
        browser, live_server, default_data, tree, fake_server, settings, monkeypatch):  # noqa: F811
    settings.JICENG_SMS_URL = f"{fake_server.url}/sms"
    settings.JICENG_SMS_KEY = "gateway-key"
    fake_server.script = [(200, {"ok": True})]
    monkeypatch.setattr(intake, "MIN_SECONDS", 0)
    with time_machine.travel(START, tick=True):
        data = build_portal(tree)
        building = data["building"]
        department = Department.objects.create(district=tree["district"], name="杨浦区市场监管所",
                                               short_name="市场监管所")
        staff = f.user("staff", Role.STREET_STAFF, tree["street1"])
        f.user("inspector", Role.DEPARTMENT_STAFF, department)

        phone = browser.new_context(base_url=live_server.url, locale="zh-CN", is_mobile=True, has_touch=True,
                                    viewport={"width": 390, "height": 844})
        page = phone.new_page()
        page.set_default_timeout(15_000)

        # The lobby's QR code opens the building's page; the worker registers from it and comes back signed in.
        page.goto(f"/p/{building.pk}/")
        page.get_by_test_id("register-link").click()
        page.fill("[data-testid=send-mobile]", MOBILE)
        page.click("[data-testid=send-code]")
        page.wait_for_selector("[data-testid=field-code]")
        code = fake_server.requests[-1].json["params"]["code"]
        page.fill("[data-testid=field-code]", code)
        page.fill("[data-testid=field-name]", "白领小周")
        page.fill("[data-testid=field-password]", "Lujiazui-2026")
        page.click("[data-testid=register-submit]")
        page.wait_for_url(f"**/p/{building.pk}/")
        assert page.get_by_test_id("signed-in").is_visible()
        worker = get_user_model().objects.get(username=MOBILE)

        # An activity from the page: name and mobile are filled in from the account.
        page.get_by_test_id("activities").get_by_text("午间微课堂:个税汇算").click()
        assert page.input_value("#id_name") == "白领小周" and page.input_value("#id_phone") == MOBILE
        with page.expect_navigation():
            page.get_by_test_id("public-form").locator("button[type=submit]").click()
        assert data["public"].signups.get(phone=MOBILE).user == worker

        # The demand, from the same page: it is the worker's own.
        page.goto(f"/p/{building.pk}/")
        form = page.get_by_test_id("public-form")
        form.locator("#id_text").fill(TEXT)
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        demand = Demand.objects.get(text=TEXT)
        assert demand.requester_user == worker and demand.place == building
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling

        # The street accepts it and hands it to the department.
        workflow.accept(demand, user=staff)
        office = browser.new_context(base_url=live_server.url, locale="zh-CN")
        street = office.new_page()
        street.set_default_timeout(15_000)
        login(street, "staff")
        street.goto(demand.get_absolute_url())
        street.select_option("[data-testid=assign-form] select[name=to_department]", label=department.name)
        street.click("[data-testid=assign]")
        street.wait_for_selector("[data-testid=department-state]")

        # The department signs for it from its inbox and resolves it.
        desk = browser.new_context(base_url=live_server.url, locale="zh-CN")
        inspector = desk.new_page()
        inspector.set_default_timeout(15_000)
        login(inspector, "inspector")
        inspector.goto("/demands/inbox/")
        inspector.locator("[data-testid=department-work] a", has_text="饮水机漏电").click()
        inspector.click("[data-testid=sign]")
        inspector.wait_for_selector("[data-testid=department-resolve]")
        inspector.fill("[data-testid=department-resolve-note]", "已上门检查,更换漏电保护器")
        inspector.click("[data-testid=department-resolve]")
        inspector.wait_for_selector(".alert-success")
        assert Demand.objects.get(pk=demand.pk).status == DemandStatus.RESOLVED

        # The worker is told: in the app (their home page) and by SMS through the gateway.
        assert Notification.objects.filter(user=worker, key="demand.resolved").exists()
        sms = Delivery.objects.get(user=worker, channel=Channel.SMS, event="demand.resolved")
        assert sms.status == Status.SENT and sms.recipient == MOBILE
        assert any(r.json.get("mobile") == MOBILE and "饮水机" in str(r.json) for r in fake_server.requests[1:])
        page.goto("/")
        assert "饮水机漏电" in page.get_by_test_id("section-my_demands").inner_text()
        for context in (phone, office, desk):
            context.close()
