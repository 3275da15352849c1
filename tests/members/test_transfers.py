"""Organization-relationship transfers: states, the one-open-transfer rule, completion moves the member."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jiceng.members import transfers
from jiceng.members.models import LetterValidity, Member, Transfer, TransferState
from jiceng.organizations.models import OrgKind
from tests import factories as f

D = dt.date


def _authority(tree):
    return f.organization(tree["district"], "区委组织部", kind=OrgKind.COMMITTEE, transfer_authority=True)


@pytest.fixture
def orgs(tree):
    # Both branches sit under an organization with transfer authority, which issues their letters.
    top = _authority(tree)
    return f.organization(tree["park1"], "甲支部", parent=top), f.organization(tree["park2"], "乙支部", parent=top)


def test_internal_transfer_moves_member_only_on_completion(orgs):
    a, b = orgs
    m = f.member(a)
    t = transfers.issue_transfer(m, to_organization=b, issue_date=D(2026, 1, 5))
    # Within the platform (the city): one month (LetterValidity).
    assert t.letter_no == "ZJ202600001" and t.valid_until == D(2026, 2, 5)
    m.refresh_from_db()
    assert m.organization == a
    transfers.receive(t, on=D(2026, 1, 10))
    m.refresh_from_db()
    assert m.organization == a
    transfers.complete(t, on=D(2026, 1, 12))
    m.refresh_from_db()
    t.refresh_from_db()
    assert m.organization == b and t.state == TransferState.COMPLETED


def test_second_open_transfer_refused(orgs):
    a, b = orgs
    m = f.member(a)
    transfers.issue_transfer(m, to_organization=b, issue_date=D(2026, 1, 5))
    with pytest.raises(ValidationError, match="正在办理"):
        transfers.issue_transfer(m, external_organization="外省某支部", issue_date=D(2026, 1, 6))
    assert Transfer.objects.count() == 1


def test_completed_transfer_cannot_be_reopened(orgs):
    a, b = orgs
    t = transfers.issue_transfer(f.member(a), to_organization=b, issue_date=D(2026, 1, 5))
    transfers.complete(t, on=D(2026, 1, 6))
    for action in (lambda: transfers.receive(t, on=D(2026, 1, 7)), lambda: transfers.complete(t, on=D(2026, 1, 7)),
                   lambda: transfers.return_letter(t, reason="错了")):
        with pytest.raises(ValidationError, match="不能重新打开"):
            action()


def test_returned_letter_keeps_member_and_allows_new_one(orgs):
    a, b = orgs
    m = f.member(a)
    t = transfers.issue_transfer(m, to_organization=b, issue_date=D(2026, 1, 5))
    with pytest.raises(ValidationError):
        transfers.return_letter(t, reason=" ")
    transfers.return_letter(t, reason="接收方信息有误")
    m.refresh_from_db()
    assert m.organization == a
    transfers.issue_transfer(m, to_organization=b, issue_date=D(2026, 1, 8))


def test_expiry_job(orgs):
    a, b = orgs
    t = transfers.issue_transfer(f.member(a), to_organization=b, issue_date=D(2026, 1, 5))
    assert transfers.expire_overdue(today=D(2026, 2, 5)) == 0  # the last valid day
    assert transfers.expire_overdue(today=D(2026, 2, 6)) == 1
    t.refresh_from_db()
    assert t.state == TransferState.EXPIRED
    with pytest.raises(ValidationError):
        transfers.complete(t, on=D(2026, 2, 6))


def test_completion_after_validity_refused(orgs):
    a, b = orgs
    t = transfers.issue_transfer(f.member(a), to_organization=b, issue_date=D(2026, 1, 5))
    with pytest.raises(ValidationError, match="有效期"):
        transfers.complete(t, on=D(2026, 2, 6))


def test_outgoing_keeps_the_record_and_shows_where(orgs):
    a, _b = orgs
    m = f.member(a)
    t = transfers.issue_transfer(m, external_organization="江苏省某街道党支部", issue_date=D(2026, 2, 1))
    transfers.complete(t, on=D(2026, 2, 20))
    m.refresh_from_db()
    assert m.left_on == D(2026, 2, 20) and m.left_to == "江苏省某街道党支部" and m.organization == a


def test_incoming_creates_member_on_completion(orgs):
    _a, b = orgs
    details = {"name": "赵六", "gender": "F", "birth_date": "1992-03-04", "id_number": f.id_number(
        birth=D(1992, 3, 4), male=False), "join_date": "2014-06-01", "status": "full", "phone": "13700001111"}
    t = transfers.register_incoming(details=details, to_organization=b, external_organization="浙江某支部",
                                    letter_no="ZJW-001", issue_date=D(2026, 3, 1))
    assert not Member.objects.filter(name="赵六").exists()
    transfers.complete(t, on=D(2026, 3, 3))
    assert Member.objects.get(name="赵六").organization == b


def test_incoming_with_bad_id_refused(orgs):
    _a, b = orgs
    with pytest.raises(ValidationError) as exc:
        transfers.register_incoming(details={"name": "错号", "gender": "M", "birth_date": "1990-01-01",
                                             "id_number": "110105199001010000", "join_date": "2012-01-01"},
                                    to_organization=b, external_organization="外地", letter_no="W2",
                                    issue_date=D(2026, 3, 1))
    assert "id_number" in exc.value.message_dict


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_completion_exactly_one_succeeds(tree):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    top = _authority(tree)
    a, b = f.organization(tree["park1"], parent=top), f.organization(tree["park2"], parent=top)
    m = f.member(a)
    t = transfers.issue_transfer(m, to_organization=b, issue_date=D(2026, 1, 5))
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def attempt():
        barrier.wait()
        try:
            transfers.complete(Transfer.objects.get(pk=t.pk), on=D(2026, 1, 6))
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    assert Member.objects.get(pk=m.pk).organization == b


# --- letter validity by destination, transfer authority, request then issue ------------------------------------
def test_validity_by_destination_is_data(orgs):
    a, _b = orgs
    m1, m2 = f.member(a), f.member(a, "李四")
    outside = transfers.issue_transfer(m1, external_organization="江苏省某党支部", scope="outside_city",
                                       issue_date=D(2026, 1, 31))
    within = transfers.issue_transfer(m2, external_organization="本市某单位党支部", scope="within_city",
                                      issue_date=D(2026, 1, 31))
    assert outside.valid_until == D(2026, 4, 30) and within.valid_until == D(2026, 2, 28)
    LetterValidity.objects.filter(scope="within_city").update(months=2)
    m3 = f.member(a, "王五")
    assert transfers.issue_transfer(m3, external_organization="本市某单位党支部", scope="within_city",
                                    issue_date=D(2026, 1, 5)).valid_until == D(2026, 3, 5)


def test_validity_row_longer_than_three_months_refused(db):
    row = LetterValidity.objects.get(scope="outside_city")
    row.months = 4
    with pytest.raises(ValidationError) as exc:
        row.full_clean()
    assert "months" in exc.value.message_dict and "3" in exc.value.message_dict["months"][0]


def test_letter_from_organization_without_authority_refused_nothing_saved(tree):
    committee = f.organization(tree["street1"], "园区综合党委", kind=OrgKind.COMMITTEE)  # no authority granted
    branch = f.organization(tree["park1"], "甲支部", parent=committee)
    m = f.member(branch)
    with pytest.raises(ValidationError) as exc:
        transfers.issue_transfer(m, external_organization="外省某支部", issued_by=committee, issue_date=D(2026, 1, 5))
    assert "没有组织关系接转权限" in exc.value.message_dict["issued_by"][0]
    with pytest.raises(ValidationError) as exc:  # nor from anything above it
        transfers.issue_transfer(m, external_organization="外省某支部", issue_date=D(2026, 1, 5))
    assert "都没有组织关系接转权限" in exc.value.message_dict["issued_by"][0]
    assert not Transfer.objects.exists()


def test_branch_or_general_branch_cannot_hold_authority(tree):
    from jiceng.organizations.models import Organization

    for kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH):
        org = Organization(name="某组织", kind=kind, place=tree["park1"], transfer_authority=True)
        with pytest.raises(ValidationError) as exc:
            org.full_clean()
        assert "transfer_authority" in exc.value.message_dict


def test_authority_over_another_branch_refused(orgs, tree):
    a, _b = orgs
    other = f.organization(tree["street2"], "殷行街道党工委", kind=OrgKind.COMMITTEE, transfer_authority=True)
    with pytest.raises(ValidationError, match="不是“甲支部”的上级"):
        transfers.issue_transfer(f.member(a), external_organization="外地", issued_by=other, issue_date=D(2026, 1, 5))
    assert not Transfer.objects.exists()


def test_request_then_issue(orgs):
    a, b = orgs
    m = f.member(a)
    t = transfers.request_transfer(m, to_organization=b, on=D(2026, 1, 3))
    assert t.state == TransferState.REQUESTED and not t.letter_no and t.issue_date is None
    with pytest.raises(ValidationError, match="尚未开具"):
        transfers.complete(t, on=D(2026, 1, 4))
    with pytest.raises(ValidationError, match="正在办理"):  # a request is an open transfer
        transfers.request_transfer(m, external_organization="外地")
    with pytest.raises(ValidationError, match="不能早于申请日期"):
        transfers.issue_letter(t, issue_date=D(2026, 1, 2))
    t = transfers.issue_letter(t, issue_date=D(2026, 1, 5))
    assert t.state == TransferState.ISSUED and t.issued_by == a.parent and t.valid_until == D(2026, 2, 5)
    with pytest.raises(ValidationError, match="已申请"):
        transfers.issue_letter(t)
    transfers.complete(t, on=D(2026, 1, 6))
    m.refresh_from_db()
    assert m.organization == b


def test_transfer_to_a_committee_refused(orgs):
    a, _b = orgs
    with pytest.raises(ValidationError) as exc:
        transfers.issue_transfer(f.member(a), to_organization=a.parent, issue_date=D(2026, 1, 5))
    assert "党章第八条" in exc.value.message_dict["to_organization"][0]
    assert not Transfer.objects.exists()
