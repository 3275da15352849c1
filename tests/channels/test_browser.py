"""Registering on a phone-sized page, with a fake SMS gateway whose request carries the code."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_register_on_a_phone(page, fake_server, settings):
    settings.JICENG_SMS_URL = f"{fake_server.url}/sms"
    fake_server.script = [(200, {"ok": True})]
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/login/")
    page.click("[data-testid=register-link]")
    page.fill("[data-testid=send-mobile]", "139 1234 5678")
    page.click("[data-testid=send-code]")
    page.wait_for_selector("[data-testid=field-code]")
    code = fake_server.requests[-1].json["params"]["code"]
    page.fill("[data-testid=field-code]", code)
    page.fill("[data-testid=field-name]", "王小明")
    page.fill("[data-testid=field-password]", "Lujiazui-2026")
    page.click("[data-testid=register-submit]")
    page.wait_for_selector("[data-testid=panel-resident]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling on the phone
    assert page.locator("[data-testid=section-my_demands]").is_visible()
