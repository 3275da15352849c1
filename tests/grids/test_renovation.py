"""Renovation projects: signing rate, the temporary branch beside the home branch, its dissolution, rounds and
three-party mediation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from jiceng.grids import services
from jiceng.grids.models import (
    ConsultationRound,
    MediationCase,
    MediationOutcome,
    ProjectStatus,
    RenovationMember,
    RenovationProject,
)
from jiceng.organizations.models import Organization, OrgKind

from .conftest import DAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(g):
    p = RenovationProject(name="蓬莱路地块旧改", place=g["street"], started=DAY - dt.timedelta(days=200),
                          households=120, signed=90)
    p.full_clean()
    p.save()
    return p


def test_signing_rate(project):
    assert project.signing_rate == 0.75


@pytest.mark.parametrize("signed, ok", [(120, True), (121, False)])
def test_signing_count_above_the_households_is_refused(project, signed, ok):
    project.signed = signed
    if ok:
        project.full_clean()
        return
    with pytest.raises(ValidationError) as exc:
        project.full_clean()
    assert "121" in exc.value.message_dict["signed"][0]


def test_temporary_branch_keeps_home_branches_and_is_dissolved_at_the_end(g, project):
    a, b = g["members"][0], g["members"][1]
    branch = services.set_up_branch(project, parent=g["committee"], members=[a, b], on=DAY - dt.timedelta(days=190))
    assert branch.kind == OrgKind.TEMPORARY_BRANCH and branch.place == g["street"]
    a.refresh_from_db()
    assert a.organization == g["branch"]  # home branch unchanged
    assert RenovationMember.objects.filter(project=project, left_on=None).count() == 2
    with pytest.raises(ValidationError) as exc:
        services.join_branch(project, a)
    assert "member" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.set_up_branch(project)
    services.end_project(project, on=DAY)
    project.refresh_from_db()
    assert project.status == ProjectStatus.ENDED and project.ended == DAY
    assert not Organization.objects.filter(pk=branch.pk).exists()  # dissolved
    assert project.branch_name == branch.name
    assert set(RenovationMember.objects.values_list("left_on", flat=True)) == {DAY}
    with pytest.raises(ValidationError):
        services.end_project(project, on=DAY)


def test_a_branch_still_referred_to_is_closed_not_removed(g, project):
    from tests import factories as f

    branch = services.set_up_branch(project, parent=g["committee"], on=DAY - dt.timedelta(days=190))
    f.member(branch, "常驻党员")  # a member whose home branch it became
    services.end_project(project, on=DAY)
    branch.refresh_from_db()
    assert branch.end_date == DAY


def test_rounds_cannot_count_more_than_the_households(project):
    with pytest.raises(ValidationError) as exc:
        ConsultationRound(project=project, number=1, held_on=DAY, responded=121, agreed=100).full_clean()
    assert "responded" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        ConsultationRound(project=project, number=1, held_on=DAY, responded=100, agreed=101).full_clean()
    assert "agreed" in exc.value.message_dict
    ConsultationRound(project=project, number=2, held_on=DAY, responded=118, agreed=116).full_clean()


def test_mediation_needs_three_parties_and_a_closing_date_for_an_outcome(project):
    case = MediationCase(project=project, household="蓬莱路 12 弄 3 号", resident_party="张家兄妹",
                         enterprise_party="", street_party="小西门居民区党总支", issue="析产分歧", opened_on=DAY)
    with pytest.raises(ValidationError) as exc:
        case.full_clean()
    assert "enterprise_party" in exc.value.message_dict
    case.enterprise_party = "黄浦区第一征收事务所"
    case.outcome = MediationOutcome.AGREED
    with pytest.raises(ValidationError) as exc:
        case.full_clean()
    assert "closed_on" in exc.value.message_dict
    case.closed_on = DAY
    case.full_clean()
