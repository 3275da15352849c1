"""The governance demo: 嘉兴大厦's council with its head chosen through all three notices, meetings and decisions,
the four officers for its 93 enterprises, two more pilot buildings and their alliance; idempotent."""

import pytest

from jiceng.accounts.models import Role, RoleAssignment
from jiceng.enterprises.models import Enterprise
from jiceng.governance.models import Alliance, Council, Decision, HeadSelection, OfficerAssignment
from jiceng.operations.demo import load_demo
from jiceng.organizations.coverage import coverage_report

pytestmark = pytest.mark.django_db


def test_demo_council_head_meetings_officers_alliance():
    load_demo()
    council = Council.objects.get(name="嘉兴大厦楼事会")
    assert council.members.count() == 12 and council.head.name == "邵培哲"
    selection = HeadSelection.objects.get(council=council)
    assert selection.status == "appointed" and selection.notices.filter(status="passed").count() == 3
    assert RoleAssignment.objects.filter(user__username="jiaxing_head", role=Role.BUILDING_HEAD,
                                         place=council.place).exists()
    assert Decision.objects.filter(meeting__council=council).count() == 5
    assert Decision.objects.filter(meeting__council=council, demand__isnull=False).count() == 1
    assert Enterprise.objects.filter(place=council.place).count() == 93
    assert OfficerAssignment.objects.filter(enterprise__place=council.place).count() == 4 * 93
    assert coverage_report(council.place).officer_gaps == 0
    alliance = Alliance.objects.get(name="陆家嘴楼宇党群联盟")
    assert alliance.councils.count() == 3
    assert HeadSelection.objects.filter(council__name="上海中心楼事会", status="notice").exists()
    counts = (Council.objects.count(), OfficerAssignment.objects.count(), Decision.objects.count())
    load_demo()
    assert (Council.objects.count(), OfficerAssignment.objects.count(), Decision.objects.count()) == counts
