"""The "全部" defaults hold even when the API schema built the filters' form fields first (its order in a run)."""

import pytest
from django.urls import reverse

from jiceng.accounts.models import Role
from jiceng.members.filters import MemberFilterSet
from tests import factories as f


@pytest.mark.django_db
def test_defaults_survive_fields_built_on_the_class(client, tree):
    for filter_ in MemberFilterSet.base_filters.values():
        filter_.field  # noqa: B018 - what drf-spectacular does while it describes the API
    client.force_login(f.user("district", Role.DISTRICT_ADMIN, tree["district"]))
    page = client.get(reverse("members:member_list")).content.decode()
    assert "---------" not in page and "未知" not in page
