"""Organization-relationship transfers: states, the one-open-transfer rule, completion moves the member."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jiceng.members import transfers
from jiceng.members.models import Member, Transfer, TransferState
from tests import factories as f

D = dt.date


@pytest.fixture
def orgs(tree):
    return f.organization(tree["park1"], "甲支部"), f.organization(tree["park2"], "乙支部")


def test_internal_transfer_moves_member_only_on_completion(orgs):
    a, b = orgs
    m = f.member(a)
    t = transfers.issue_transfer(m, to_organization=b, issue_date=D(2026, 1, 5))
    assert t.letter_no == "ZJ202600001" and t.valid_until == D(2026, 4, 5)
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
    assert transfers.expire_overdue(today=D(2026, 4, 5)) == 0  # the last valid day
    assert transfers.expire_overdue(today=D(2026, 4, 6)) == 1
    t.refresh_from_db()
    assert t.state == TransferState.EXPIRED
    with pytest.raises(ValidationError):
        transfers.complete(t, on=D(2026, 4, 6))


def test_completion_after_validity_refused(orgs):
    a, b = orgs
    t = transfers.issue_transfer(f.member(a), to_organization=b, issue_date=D(2026, 1, 5))
    with pytest.raises(ValidationError, match="有效期"):
        transfers.complete(t, on=D(2026, 4, 6))


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
    a, b = f.organization(tree["park1"]), f.organization(tree["park2"])
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
