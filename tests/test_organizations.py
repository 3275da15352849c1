"""Organization pages: coverage and committee management through the UI, with the same rules as the API."""

import pytest
from django.urls import reverse

from jiceng.accounts.models import Role
from jiceng.organizations.coverage import coverage_report
from jiceng.organizations.models import CommitteeMember, Coverage, OrgKind
from tests import factories as f


@pytest.fixture
def staff_client(client, tree):
    client.force_login(f.user("staff", Role.STREET_STAFF, tree["street1"]))
    return client


def action(org, name):
    return reverse("organizations:organization_action", args=[org.pk, name])


def test_add_and_remove_coverage_from_detail_page(staff_client, tree):
    org = f.organization(tree["park1"])
    ent = f.enterprise(tree["building1"])
    page = staff_client.get(org.get_absolute_url()).content.decode()
    assert f'value="{ent.pk}"' in page  # offered as a candidate
    staff_client.post(action(org, "coverage-add"), {"enterprise": ent.pk})
    assert Coverage.objects.filter(organization=org, enterprise=ent).exists()
    staff_client.post(action(org, "coverage-remove"), {"enterprise": ent.pk})
    assert not Coverage.objects.filter(organization=org, enterprise=ent).exists()


def test_second_branch_coverage_refused_with_message(staff_client, tree):
    a, b = f.organization(tree["park1"]), f.organization(tree["park1"])
    ent = f.enterprise(tree["building1"])
    f.cover(a, ent)
    response = staff_client.post(action(b, "coverage-add"), {"enterprise": ent.pk}, follow=True)
    assert "不能同时由两个支部覆盖" in response.content.decode()
    assert not Coverage.objects.filter(organization=b).exists()


def test_enterprise_of_other_street_cannot_be_covered(staff_client, tree):
    org = f.organization(tree["park1"])
    foreign = f.enterprise(tree["building2"])
    staff_client.post(action(org, "coverage-add"), {"enterprise": foreign.pk})
    assert not Coverage.objects.filter(enterprise=foreign).exists()
    other_org = f.organization(tree["park2"])
    assert staff_client.post(action(other_org, "coverage-add"), {"enterprise": foreign.pk}).status_code == 404


def test_committee_seats_and_compliance_list(staff_client, tree):
    org = f.organization(tree["park1"], "大支部", kind=OrgKind.BRANCH)
    members = [f.member(org, f"党员{i}") for i in range(7)]
    report = coverage_report(tree["street1"])
    assert [o for o, _ in report.no_committee] == [org]
    for member, position in zip(members[:3], ["secretary", "organization", "propaganda"], strict=True):
        staff_client.post(action(org, "committee-add"), {"member": member.pk, "position": position})
    assert CommitteeMember.objects.filter(organization=org).count() == 3
    assert coverage_report(tree["street1"]).no_committee == []


def test_member_role_cannot_manage(client, tree):
    org = f.organization(tree["park1"])
    me = f.member(org)
    client.force_login(f.user("m", Role.MEMBER, me))
    ent = f.enterprise(tree["building1"])
    assert client.post(action(org, "coverage-add"), {"enterprise": ent.pk}).status_code == 403


def test_org_tree_page(staff_client, tree):
    top = f.organization(tree["street1"], "街道党工委", kind=OrgKind.COMMITTEE)
    f.organization(tree["park1"], "园区支部", parent=top)
    page = staff_client.get(reverse("organizations:organization_tree")).content.decode()
    assert page.index("街道党工委") < page.index("园区支部")
    page = staff_client.get(reverse("places:place_tree")).content.decode()
    assert "创智天地1号楼" in page and "殷行" not in page
