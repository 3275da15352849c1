"""In a real browser: the member edit form shows masks; the district admin's reveal fills the full values in
(audited); saving with the masks unchanged keeps the stored values."""

import pytest
from playwright.sync_api import expect

from jiceng.accounts.models import AuditEvent, Role
from jiceng.members.models import Member
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_reveal_in_the_edit_form_and_save_unchanged(page):
    tree = f.district_tree()
    member = f.member(f.organization(tree["park1"], "攀达科技党支部"), "张三", phone="13912345678")
    f.user("admin1", Role.DISTRICT_ADMIN, tree["district"])
    login(page, "admin1")
    page.goto(f"/members/{member.pk}/edit/")
    assert page.input_value("#id_phone") == "139****5678"
    assert "*" in page.input_value("#id_id_number")
    page.fill("#id_name", "张三丰")
    page.click("button:has-text('保存')")
    page.wait_for_url(f"**/members/{member.pk}/")
    member.refresh_from_db()
    assert (member.name, member.phone) == ("张三丰", "13912345678") and "*" not in member.id_number
    assert not AuditEvent.objects.filter(action="reveal").exists()
    page.goto(f"/members/{member.pk}/edit/")
    page.get_by_test_id("reveal").click()
    # expect() polls through Playwright's own script; a polled wait_for_function string needs eval, which the
    # Content-Security-Policy forbids.
    expect(page.locator("#id_phone")).to_have_value("13912345678")
    assert page.input_value("#id_id_number") == member.id_number
    assert AuditEvent.objects.filter(action="reveal", object_id=str(member.pk)).count() == 1
    assert Member.objects.get(pk=member.pk).phone == "13912345678"
