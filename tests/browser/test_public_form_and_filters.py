"""In a real browser: the public form after a validation error (fix it, resubmit at once → the success page with
the tracking code and a working copy button), and a list filter chosen by name as one types."""

import time

import pytest
from playwright.sync_api import expect

from jiceng.accounts.models import Role
from jiceng.demands import intake
from jiceng.demands.models import Demand
from jiceng.places.models import PlaceKind
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_fix_an_error_and_resubmit_at_once(page, monkeypatch):
    # A person needs more than a second to write a demand; the test waits that long before the first submit.
    monkeypatch.setattr(intake, "MIN_SECONDS", 1)
    tree = f.district_tree()
    f.place("创智天地党群服务站", PlaceKind.STATION, tree["park1"], address="淞沪路 100 号")
    page.goto("/demands/submit/")
    page.fill("#id_text", "创智天地1号楼三楼的电梯经常停运,上下班很不方便,希望尽快检修")
    page.select_option("#id_place", label="创智天地1号楼")
    page.fill("#id_requester_phone", "1391234")  # a digit short of a mobile number
    time.sleep(1.2)
    with page.expect_navigation():
        page.click("button:has-text('提交')")
    assert page.locator("[data-field=requester_phone]").is_visible()
    assert not Demand.objects.exists()
    # Fixed and resubmitted straight away: well under MIN_SECONDS after the error page came back.
    page.fill("#id_requester_phone", "13912345678")
    with page.expect_navigation():
        page.click("button:has-text('提交')")
    body = page.inner_text("body")
    assert "提交过快" not in body and "稍等" not in body
    demand = Demand.objects.get()
    assert page.get_by_test_id("submitted").is_visible()
    code = page.get_by_test_id("tracking-code")
    assert code.inner_text() == demand.tracking_code
    assert float(code.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 28  # large, not small grey
    assert page.get_by_test_id("track-url").input_value().endswith(f"/demands/track/{demand.tracking_code}/")
    assert "创智天地党群服务站" in page.get_by_test_id("contact").inner_text()
    # The copy button: the clipboard (granted here; a phone asks) or, without it, the code selected by hand.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    button = page.get_by_test_id("copy-code")
    button.click()
    copied = page.evaluate(
        "() => navigator.clipboard ? navigator.clipboard.readText() : window.getSelection().toString()")
    assert copied.strip() == demand.tracking_code


def test_choose_a_street_by_typing_its_name(page):
    tree = f.district_tree()
    f.enterprise(tree["building1"], "攀达科技")
    f.enterprise(tree["building2"], "殷行贸易")
    f.user("district", Role.DISTRICT_ADMIN, tree["district"])
    login(page, "district")
    page.goto("/enterprises/")
    search = page.locator("#id_street")  # the label's target is now the search box
    assert search.get_attribute("role") == "combobox"
    assert page.locator("select[name=street]").is_hidden()
    search.fill("殷行")
    suggestions = page.locator("#" + search.get_attribute("aria-controls"))
    option = suggestions.get_by_role("option", name="殷行街道 · 杨浦区")
    option.wait_for()
    expect(suggestions.get_by_role("option")).to_have_count(1)
    option.click()
    assert page.locator("select[name=street]").input_value() == str(tree["street2"].pk)
    with page.expect_navigation():
        page.click("button:has-text('查询')")
    assert f"street={tree['street2'].pk}" in page.url
    table = page.get_by_test_id("object-table").inner_text()
    assert "殷行贸易" in table and "攀达科技" not in table
    # The chosen street is shown by name when the page comes back, and clearing it means 全部 again.
    assert page.locator("#id_street").input_value() == "殷行街道 · 杨浦区"
    page.locator("#id_street").fill("")
    with page.expect_navigation():
        page.click("button:has-text('查询')")
    assert "攀达科技" in page.get_by_test_id("object-table").inner_text()


def test_a_street_officer_is_offered_only_their_street(page):
    tree = f.district_tree()
    f.user("staff", Role.STREET_STAFF, tree["street1"])
    login(page, "staff")
    page.goto("/enterprises/")
    search = page.locator("#id_street")
    suggestions = page.locator("#" + search.get_attribute("aria-controls"))
    search.focus()
    suggestions.get_by_role("option").first.wait_for()
    assert suggestions.get_by_role("option").all_inner_texts() == ["五角场街道 · 杨浦区"]
    search.fill("殷行")
    suggestions.get_by_text("没有匹配的名称").wait_for()
