"""The late-row paginator gives the same pages as Django's: same rows, same order, same totals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.accounts.models import Role
from jiceng.core.pagination import JoinedLateRowPaginator, LateRowPaginator
from jiceng.members.models import Member
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(tree):
    branch = f.organization(tree["building1"], "攀达科技党支部")
    other = f.organization(tree["building2"], "殷行贸易党支部")
    names = ["王五", "李四", "张三", "赵六", "王五", "陈七", "周八", "吴九", "郑十", "王五", "孙一", "钱二", "冯三"]
    for i, name in enumerate(names):
        f.member(branch if i % 3 else other, name)
    return Member.objects.select_related("organization", "employer").order_by("name", "pk")


@pytest.mark.parametrize("per_page, orphans", [(5, 0), (4, 2), (13, 0), (50, 0)])
def test_every_page_is_the_same_as_djangos(members, per_page, orphans):
    late, plain = LateRowPaginator(members, per_page, orphans=orphans), Paginator(members, per_page, orphans=orphans)
    assert late.num_pages == plain.num_pages
    for number in plain.page_range:
        assert [m.pk for m in late.page(number)] == [m.pk for m in plain.page(number)]
        assert late.page(number).has_next() == plain.page(number).has_next()


def test_filters_and_related_rows_are_kept(members, tree):
    street1 = members.filter(organization__street=tree["street1"])
    page = LateRowPaginator(street1, 3).page(2)
    assert all(m.organization.street_id == tree["street1"].pk for m in page)
    with CaptureQueriesContext(connection) as queries:
        [m.organization.name for m in page]  # noqa: B018 - the related rows came with the page
    assert not queries.captured_queries


def test_the_member_list_pages_in_name_order(client, members, tree):
    client.force_login(f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"]))
    seen = []
    for number in (1, 2):
        response = client.get("/members/", {"per_page": 10, "page": number})
        assert response.status_code == 200
        seen += [m.pk for m in response.context["object_list"]]
    assert seen == list(members.values_list("pk", flat=True))


def test_the_joined_variant_runs_only_on_postgresql(members):
    """JoinedLateRowPaginator finds ids first on PostgreSQL alone (one query more a page); elsewhere it is Django's
    paginator. Either way the pages are Django's."""
    for number in Paginator(members, 4).page_range:
        with CaptureQueriesContext(connection) as late_queries:
            rows = [m.pk for m in JoinedLateRowPaginator(members, 4).page(number)]
        with CaptureQueriesContext(connection) as plain_queries:
            expected = [m.pk for m in Paginator(members, 4).page(number)]
        assert rows == expected
        extra = 1 if connection.vendor == "postgresql" else 0
        assert len(late_queries.captured_queries) == len(plain_queries.captured_queries) + extra


def test_the_activity_list_and_api_page_in_date_order(client, tree):
    from rest_framework.test import APIClient

    from jiceng.activities.models import Activity
    from jiceng.activities.services import create_activity
    from jiceng.core.pagination import JoinedLateRowPagination

    branch = f.organization(tree["building1"], "攀达科技党支部")
    start = dt.datetime(2026, 3, 2, 14, tzinfo=dt.UTC)
    for day in range(12):
        create_activity(organization=branch, title=f"主题党日{day}", kind="theme_day",
                        start=start + dt.timedelta(days=day), end=start + dt.timedelta(days=day, hours=2))
    admin = f.user("district_admin", Role.DISTRICT_ADMIN, tree["district"])
    newest = list(Activity.objects.order_by("-start", "-pk").values_list("pk", flat=True))
    client.force_login(admin)
    seen = []
    for number in (1, 2):
        response = client.get("/activities/", {"per_page": 10, "page": number})
        seen += [a.pk for a in response.context["object_list"]]
    assert seen == newest
    api = APIClient()
    api.force_authenticate(admin)
    assert JoinedLateRowPagination.django_paginator_class is JoinedLateRowPaginator
    body = api.get("/api/activities/activities/", {"page_size": 5, "page": 2}).json()
    assert body["count"] == 12 and [a["id"] for a in body["results"]] == newest[5:10]
