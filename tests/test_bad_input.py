"""Absurd input anywhere gets a clear 400 or a field error, never a 500."""

import datetime as dt

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.members import dues
from jiceng.organizations.models import OrgKind
from tests import factories as f

HUGE = "99999999999999999999999"


@pytest.fixture
def staff(tree):
    return f.user("staff", Role.STREET_STAFF, tree["street1"])


@pytest.mark.parametrize("url", ["/members/", "/enterprises/", "/places/", "/organizations/", "/demands/",
                                 "/members/applications/", "/members/applications/due/"])
@pytest.mark.parametrize("param", ["organization", "employer", "street", "place", "parent"])
def test_huge_ids_in_list_filters(client, staff, url, param):
    client.force_login(staff)
    assert client.get(url, {param: HUGE}).status_code in (200, 400)


def test_huge_ids_in_api_filters(staff):
    api = APIClient()
    api.force_authenticate(staff)
    assert api.get("/api/members/", {"organization": HUGE}).status_code == 400
    assert api.get(f"/api/members/{HUGE}/").status_code in (400, 404)


def test_huge_money_refused(tree):
    m = f.member(f.organization(tree["park1"]))
    for bad in ("99999999999", "1e30", "1e308"):
        with pytest.raises(Exception) as exc:
            dues.declare_base(m, category="in_service", base=bad, effective_month=dt.date(2026, 1, 1))
        assert "base" in exc.value.message_dict


def test_far_future_dates_refused_with_field_errors(client, tree):
    client.force_login(f.user("admin_d", Role.DISTRICT_ADMIN, tree["district"]))
    org = f.organization(tree["park1"])
    r = client.post(reverse("members:member_add"), {
        "name": "未来人", "gender": "M", "ethnicity": "汉族", "birth_date": "9999-12-31", "id_number": f.id_number(),
        "join_date": "2015-07-01", "status": "full", "organization": org.pk, "households_contacted": 0})
    assert r.status_code == 200 and "birth_date" in r.context["form"].errors
    # A branch under a committee with transfer authority, which the district admin acts for: the letter is issued.
    committee = f.organization(tree["street1"], kind=OrgKind.COMMITTEE, transfer_authority=True)
    m = f.member(f.organization(tree["park1"], parent=committee))
    r = client.post(reverse("members:transfer_issue", args=[m.pk]), {"external_organization": "外地",
                                                                      "issue_date": "9999-12-31"})
    assert r.status_code == 200 and "issue_date" in str(r.context["form"].errors)
    assert client.get(reverse("members:dues_report"), {"organization": org.pk, "year": "99999"}).status_code == 200


def test_empty_multipart_update_of_a_prefetched_object_is_not_a_server_error(tree):
    """A PATCH with an empty multipart body validates the stored object (list views prefetch into attributes)."""
    admin = f.user("patcher", Role.DISTRICT_ADMIN, tree["district"])
    ent = f.enterprise(tree["building1"], "空表单企业")
    api = APIClient()
    api.force_authenticate(admin)
    response = api.patch(f"/api/enterprises/{ent.pk}/", {}, format="multipart")
    assert response.status_code == 200 and response.json()["name"] == "空表单企业"


def test_year_outside_the_calendar_is_bad_input(tree):
    admin = f.user("yearly", Role.DISTRICT_ADMIN, tree["district"])
    api = APIClient()
    api.force_authenticate(admin)
    for year in ("0", "0.0", "99999"):
        response = api.get("/api/lists/projects/", {"year": year})
        assert response.status_code == 400 and "year" in response.json(), year
