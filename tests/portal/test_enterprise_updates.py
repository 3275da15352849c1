"""Enterprise contacts propose updates to their own enterprise only; the building worker reviews; approval
applies the change and feeds the five-colour signals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from rest_framework.test import APIClient

from jiceng.accounts.models import Role
from jiceng.enterprises import updates
from jiceng.enterprises.models import UpdateStatus
from jiceng.risk.models import EnterpriseRisk, Signal
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_a_contact_updates_only_their_own_enterprise(portal):
    other = f.enterprise(portal["building"], name="别家公司", employees=80)
    with pytest.raises(PermissionDenied):
        updates.propose(portal["contact"], other, employees=10)
    with pytest.raises(PermissionDenied):  # seeing an enterprise (the worker) is not being its contact
        updates.propose(portal["worker"], portal["enterprise"], employees=10)
    api = APIClient()
    api.force_authenticate(portal["contact"])
    assert api.post("/api/enterprise-updates/", {"enterprise": other.pk, "employees": 1},
                    format="json").status_code == 403
    r = api.post("/api/enterprise-updates/", {"enterprise": portal["enterprise"].pk, "employees": "abc"},
                 format="json")
    assert r.status_code == 400 and "employees" in r.json()
    r = api.post("/api/enterprise-updates/", {"enterprise": portal["enterprise"].pk, "employees": 30},
                 format="json")
    assert r.status_code == 201 and r.json()["old_employees"] == 40
    again = api.post("/api/enterprise-updates/", {"enterprise": portal["enterprise"].pk, "employees": 20},
                     format="json")
    assert again.status_code == 400 and "enterprise" in again.json()
    # The other enterprise's updates are not listed to this contact; nor can they review their own.
    other_contact = f.user("contact2", Role.UNIT_CONTACT, other)
    updates.propose(other_contact, other, contact_name="新联系人")
    assert [u["enterprise"] for u in api.get("/api/enterprise-updates/").json()["results"]] == [
        portal["enterprise"].pk]
    assert api.post(f"/api/enterprise-updates/{r.json()['id']}/approve/").status_code == 403
    portal["enterprise"].refresh_from_db()
    assert portal["enterprise"].employees == 40  # nothing applied before review


def test_nothing_to_change_and_bad_values_name_the_field(portal):
    with pytest.raises(ValidationError) as err:
        updates.propose(portal["contact"], portal["enterprise"], employees=40)
    assert "employees" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        updates.propose(portal["contact"], portal["enterprise"], lease_end="2026-13-01")
    assert "lease_end" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        updates.propose(portal["contact"], portal["enterprise"], contact_phone="<b>")
    assert "contact_phone" in err.value.message_dict


def test_approval_applies_and_feeds_the_signals(portal):
    enterprise = portal["enterprise"]
    update = updates.propose(portal["contact"], enterprise, employees=25, lease_end=dt.date(2026, 7, 31),
                             contact_phone="13700009999")
    with pytest.raises(PermissionDenied):
        updates.review(update, portal["staff2"], approve=True)  # out of scope
    updates.review(update, portal["worker"], approve=True)
    enterprise.refresh_from_db()
    assert (enterprise.employees, enterprise.lease_end, enterprise.contact_phone) == (
        25, dt.date(2026, 7, 31), "13700009999")
    assert Signal.objects.filter(enterprise=enterprise, type__code="headcount_falling").exists()
    risk = EnterpriseRisk.objects.get(enterprise=enterprise)
    # headcount falling (20) + lease ending within 3 months (30) = 50 → level 3 (30..59)
    assert risk.score == 50 and risk.computed_level == 3
    update.refresh_from_db()
    assert update.status == UpdateStatus.APPROVED and update.reviewed_by == portal["worker"]
    assert enterprise.history.first().history_user == portal["worker"]


def test_rejection_needs_a_reason_and_changes_nothing(portal):
    update = updates.propose(portal["contact"], portal["enterprise"], employees=5)
    with pytest.raises(ValidationError) as err:
        updates.review(update, portal["worker"], approve=False)
    assert "reason" in err.value.message_dict
    updates.review(update, portal["worker"], approve=False, reason="人数与社保缴纳记录不符,请核实")
    portal["enterprise"].refresh_from_db()
    assert portal["enterprise"].employees == 40
    assert not Signal.objects.filter(enterprise=portal["enterprise"]).exists()
    with pytest.raises(ValidationError):
        updates.review(update, portal["worker"], approve=True)


def test_small_drop_is_not_a_signal():
    assert updates.headcount_dropped(40, 30) and not updates.headcount_dropped(40, 37)
    assert not updates.headcount_dropped(40, 50) and updates.headcount_dropped(3, 2)


def test_pages(portal):
    contact = Client()
    contact.force_login(portal["contact"])
    assert contact.get("/enterprises/updates/new/").status_code == 200
    r = contact.post("/enterprises/updates/new/", {"enterprise": portal["enterprise"].pk, "employees": "30"})
    assert r.status_code == 302
    detail = r["Location"]
    assert "40" in contact.get(detail).content.decode()
    assert 'data-testid="review-form"' not in contact.get(detail).content.decode()
    worker = Client()
    worker.force_login(portal["worker"])
    assert worker.get("/enterprises/updates/new/").status_code == 403
    assert "云启科技" in worker.get("/enterprises/updates/").content.decode()
    assert 'data-testid="review-form"' in worker.get(detail).content.decode()
    worker.post(detail, {"decision": "approve"})
    portal["enterprise"].refresh_from_db()
    assert portal["enterprise"].employees == 30
    outsider = Client()
    outsider.force_login(portal["staff2"])
    assert outsider.get(detail).status_code == 404
