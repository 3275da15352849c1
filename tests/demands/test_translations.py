"""Demand categories and notifications in the reader's language (decisions 048 and 049)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from jiceng.demands import workflow
from jiceng.demands.models import Category


def english(client):
    client.cookies["django_language"] = "en"
    return client


def logged_in(user, language="zh-hans"):
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = language
    return client


@pytest.fixture
def assigned(world):
    with translation.override("zh-hans"):  # dispatched by someone working in Chinese
        d = workflow.submit(text="办公室空调坏了,已经三天没人来修", place=world["tree"]["building1"],
                            requester_enterprise=world["ent"])
        d = workflow.accept(d, user=world["staff"], today=dt.date(2026, 9, 14),
                            category=Category.objects.get(code="property"))
        return workflow.assign(d, user=world["staff"], assignee_user=world["worker"])


def test_category_label_follows_the_active_language(db):
    category = Category.objects.get(code="property")
    with translation.override("en"):
        assert str(category) == category.label == "Property and facilities"
    with translation.override("zh-hans"):
        assert str(category) == "物业与设施"
    category.name_en = ""  # not translated yet: the Chinese shows
    with translation.override("en"):
        assert category.label == "物业与设施"


def test_demand_list_and_detail_show_categories_in_english(world, assigned):
    page = logged_in(world["staff"], "en").get("/demands/").content.decode()
    assert "Property and facilities" in page and "物业与设施" not in page  # the column and the filter's choices
    assert "Hiring and labour relations" in page  # a filter choice
    detail = logged_in(world["staff"], "en").get(f"/demands/{assigned.pk}/").content.decode()
    # The category field and the change history (the workflow's notes keep the words they were written in).
    assert '<dd class="col-sm-8">Property and facilities</dd>' in detail
    assert "<strong>Category</strong>: — → Property and facilities" in detail
    assert "物业与设施" in logged_in(world["staff"]).get("/demands/").content.decode()


def test_category_api_keeps_name_and_adds_english(world):
    api = APIClient()
    api.force_authenticate(world["staff"])
    rows = {row["code"]: row for row in english(api).get("/api/demand-categories/").json()}
    assert rows["property"]["name"] == "物业与设施" and rows["property"]["name_en"] == "Property and facilities"


def test_assignment_made_in_chinese_reads_in_english(world, assigned):
    page = logged_in(world["worker"], "en").get("/demands/notifications/").content.decode()
    assert f"New assignment: {assigned} (due {assigned.due_date.isoformat()})" in page
    assert "新派单" not in page
    inbox = logged_in(world["worker"], "en").get("/demands/inbox/").content.decode()
    assert "New assignment:" in inbox
    assert "新派单:" in logged_in(world["worker"]).get("/demands/notifications/").content.decode()


def test_notification_api_renders_in_the_request_language(world, assigned):
    api = APIClient()
    api.force_authenticate(world["worker"])
    row = english(api).get("/api/notifications/").json()["results"][0]
    assert row["message"] == f"New assignment: {assigned} (due {assigned.due_date.isoformat()})"
    assert row["key"] == "demand.assigned" and row["params"] == {"t": str(assigned), "d": assigned.due_date.isoformat()}
    api.cookies.clear()
    assert api.get("/api/notifications/").json()["results"][0]["message"].startswith("新派单:")
    # Marking read still works, and the text cannot be written.
    r = api.patch(f"/api/notifications/{row['id']}/", {"read": True, "message": "x"}, format="json")
    assert r.status_code == 200 and r.json()["read"] is True and r.json()["message"].startswith("新派单:")


def test_resolution_made_in_english_reads_in_chinese(world):
    d = workflow.submit(text="想了解人才公寓申请条件", place=world["tree"]["building1"], user=world["contact"])
    d = workflow.accept(d, user=world["staff"], today=dt.date(2026, 9, 14))
    d = workflow.assign(d, user=world["staff"], department="人才办")
    with translation.override("en"):  # resolved by someone working in English
        workflow.resolve(d, user=world["staff"], note="已解答")
    page = logged_in(world["contact"]).get("/demands/notifications/").content.decode()
    assert f"您的需求已办结:{d},请评价。" in page
