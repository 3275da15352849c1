"""The demo shows the portal: the demo buildings' public pages, the wall, the enterprise updates."""

from __future__ import annotations

import pytest
from django.test import Client

from jiceng.activities.models import ActivityMessage
from jiceng.enterprises.models import EnterpriseUpdate
from jiceng.governance.models import Council
from jiceng.members.models import Member
from jiceng.operations.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_buildings_public_pages(clock):
    load_demo()
    councils = list(Council.objects.filter(head__isnull=False).select_related("place", "head"))
    assert councils
    member_names = list(Member.objects.values_list("name", flat=True)[:200])
    for council in councils:
        html = Client().get(f"/p/{council.place_id}/").content.decode()
        assert council.head.name in html
        assert 'data-testid="station-link"' in html
        assert "暂无公开活动" not in html
        assert not [name for name in member_names if len(name) > 1 and name in html and name != council.head.name]
    assert ActivityMessage.objects.filter(status="approved").count() == 2
    assert ActivityMessage.objects.filter(status="pending").count() == 1
    assert sorted(EnterpriseUpdate.objects.values_list("status", flat=True)) == ["approved", "pending"]
