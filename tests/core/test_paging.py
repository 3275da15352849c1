"""The late-row paginator gives the same pages as Django's: same rows, same order, same totals."""

from __future__ import annotations

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiceng.accounts.models import Role
from jiceng.core.views import LateRowPaginator
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
