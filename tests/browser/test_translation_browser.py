"""Switching to English shows a notification made in Chinese, and the demand's category, in English
(decisions 048 and 049)."""

import datetime as dt

import pytest
from django.utils import translation

from jiceng.accounts.models import Role
from jiceng.demands import workflow
from jiceng.demands.models import Category
from tests import factories as f
from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def assigned():
    tree = f.district_tree()
    staff = f.user("staff", Role.STREET_STAFF, tree["street1"])
    worker = f.user("worker", Role.BUILDING_WORKER, tree["park1"])
    with translation.override("zh-hans"):
        d = workflow.submit(text="创智天地1号楼三楼的电梯经常停运,希望尽快检修", place=tree["building1"])
        d = workflow.accept(d, user=staff, today=dt.date(2026, 9, 14), category=Category.objects.get(code="property"))
        return workflow.assign(d, user=staff, assignee_user=worker)


def test_switch_to_english_shows_notification_and_category_in_english(page, assigned):
    login(page, "worker")
    page.goto("/demands/notifications/")
    note = page.locator(".list-group-item", has_text=str(assigned)).first
    assert note.inner_text().startswith("新派单:")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    note = page.locator(".list-group-item", has_text=str(assigned)).first
    assert note.inner_text().startswith(f"New assignment: {assigned} (due {assigned.due_date.isoformat()})")
    with page.expect_navigation():
        note.click()
    assert "Property and facilities" in page.inner_text("body")
    # And back: the same row reads in Chinese again.
    with page.expect_navigation():
        page.select_option("select[name=language]", "zh-hans")
    page.goto("/demands/notifications/")
    assert page.locator(".list-group-item", has_text=str(assigned)).first.inner_text().startswith("新派单:")
