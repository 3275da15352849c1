"""Transfer use cases: issue, receive, complete, return, expire. Each is one transaction."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.dates import validate_plausible_date
from jiceng.organizations.models import Organization

from .identity import check_id_number
from .models import Member, MemberStatus, Transfer, TransferDirection, TransferState
from .models.transfer import OPEN_STATES


def next_letter_no(issue_date: dt.date) -> str:
    prefix = f"ZJ{issue_date:%Y}"
    last = (Transfer.objects.filter(letter_no__startswith=prefix).order_by("-letter_no")
            .values_list("letter_no", flat=True).first())
    seq = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{seq:05d}"


def _validity(issue_date: dt.date) -> dt.date:
    try:
        validate_plausible_date(issue_date)
    except ValidationError as exc:
        raise ValidationError({"issue_date": exc.messages}) from None
    return issue_date + relativedelta(months=settings.JICENG["TRANSFER_VALID_MONTHS"])


@transaction.atomic
def issue_transfer(member: Member, *, to_organization: Organization | None = None, external_organization: str = "",
                   issue_date: dt.date | None = None, valid_until: dt.date | None = None, letter_no: str = "",
                   reason: str = "", user=None) -> Transfer:
    """An outgoing letter for a member of the platform (to another organization here or outside)."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.left_on:
        raise ValidationError(_("该党员已转出平台,不能再开具介绍信。"))
    if Transfer.objects.filter(member=member, state__in=OPEN_STATES).exists():
        raise ValidationError(_("该党员已有正在办理的组织关系转接,不能重复开具。"))
    issue_date = issue_date or timezone.localdate()
    transfer = Transfer(
        member=member, from_organization=member.organization, to_organization=to_organization,
        external_organization=external_organization,
        direction=TransferDirection.INTERNAL if to_organization else TransferDirection.OUTGOING,
        letter_no=letter_no or next_letter_no(issue_date), issue_date=issue_date,
        valid_until=valid_until or _validity(issue_date), reason=reason, created_by=user)
    transfer.full_clean()
    transfer.save()
    return transfer


@transaction.atomic
def register_incoming(*, details: dict, to_organization: Organization, external_organization: str,
                      letter_no: str, issue_date: dt.date, valid_until: dt.date | None = None,
                      user=None) -> Transfer:
    """An incoming letter from outside the platform; the member record is created on completion."""
    probe = _member_from_details(details, to_organization, issue_date)
    check_id_number(probe.id_number, user, member_message=_("该身份证号码的党员已在册,请使用平台内转接。"))
    probe.full_clean(exclude=["organization"])
    transfer = Transfer(direction=TransferDirection.INCOMING, to_organization=to_organization,
                        external_organization=external_organization, letter_no=letter_no, issue_date=issue_date,
                        valid_until=valid_until or _validity(issue_date), incoming_details=details, created_by=user)
    transfer.full_clean()
    transfer.save()
    return transfer


def _member_from_details(details: dict, organization: Organization, fallback_join: dt.date) -> Member:
    def day(key):
        value = details.get(key)
        return dt.date.fromisoformat(value) if isinstance(value, str) and value else value

    return Member(name=details.get("name", ""), gender=details.get("gender", ""), birth_date=day("birth_date"),
                  id_number=(details.get("id_number") or "").upper(), phone=details.get("phone", ""),
                  join_date=day("join_date") or fallback_join,
                  status=details.get("status") or MemberStatus.FULL, full_date=day("full_date"),
                  organization=organization)


def acting_side(transfer: Transfer, action: str) -> str:
    """Which end of a transfer acts: the receiving end receives and completes (the issuing end when the member
    leaves the platform), the issuing end records the receipt, and either end may return a letter."""
    if action == "return":
        return "either"
    if action == "receipt" or transfer.direction == TransferDirection.OUTGOING:
        return "from"
    return "to"


def may_act(user, transfer: Transfer, action: str) -> bool:
    side = acting_side(transfer, action)
    visible = Organization.objects.restrict(user)
    ends = {"from": [transfer.from_organization_id], "to": [transfer.to_organization_id],
            "either": [transfer.from_organization_id, transfer.to_organization_id]}[side]
    return visible.filter(pk__in=[pk for pk in ends if pk]).exists()


def _locked(transfer: Transfer) -> Transfer:
    return Transfer.objects.select_for_update().get(pk=transfer.pk)


def _require_open(transfer: Transfer) -> None:
    if transfer.state == TransferState.COMPLETED:
        raise ValidationError(_("转接已完成,不能再变更(已完成的转接不能重新打开)。"))
    if transfer.state not in OPEN_STATES:
        raise ValidationError(_("转接状态为“%(state)s”,不能再办理。") % {"state": transfer.get_state_display()})


@transaction.atomic
def receive(transfer: Transfer, *, on: dt.date | None = None, user=None) -> Transfer:
    transfer = _locked(transfer)
    _require_open(transfer)
    if transfer.state != TransferState.ISSUED:
        raise ValidationError(_("只有“已开具”的介绍信可以接收。"))
    on = on or timezone.localdate()
    if on > transfer.valid_until:
        raise ValidationError(_("介绍信已超过有效期(%(date)s)。") % {"date": transfer.valid_until})
    transfer.state, transfer.received_on = TransferState.RECEIVED, on
    transfer._history_user = user
    transfer.save()
    return transfer


@transaction.atomic
def complete(transfer: Transfer, *, on: dt.date | None = None, user=None) -> Transfer:
    """Moves the member in the same transaction; of two concurrent completions exactly one succeeds."""
    transfer = _locked(transfer)
    _require_open(transfer)
    on = on or timezone.localdate()
    if on > transfer.valid_until:
        raise ValidationError(_("介绍信已超过有效期(%(date)s)。") % {"date": transfer.valid_until})
    if transfer.direction == TransferDirection.INCOMING:
        member = _member_from_details(transfer.incoming_details, transfer.to_organization, on)
        member.full_clean()
        member.save()
        transfer.member = member
    else:
        member = Member.objects.select_for_update().get(pk=transfer.member_id)
        if member.organization_id != transfer.from_organization_id:
            raise ValidationError(_("党员当前所在党组织与介绍信不符。"))
        member._history_user = user
        if transfer.direction == TransferDirection.INTERNAL:
            member.organization = transfer.to_organization
        else:
            member.left_on, member.left_to = on, transfer.external_organization
        member.save()
    transfer.state, transfer.completed_on = TransferState.COMPLETED, on
    transfer.received_on = transfer.received_on or on
    transfer._history_user = user
    transfer.save()
    return transfer


@transaction.atomic
def return_letter(transfer: Transfer, *, reason: str, user=None) -> Transfer:
    transfer = _locked(transfer)
    _require_open(transfer)
    if not reason.strip():
        raise ValidationError({"reason": _("退回须说明原因。")})
    transfer.state, transfer.reason = TransferState.RETURNED, reason
    transfer._history_user = user
    transfer.save()
    return transfer


@transaction.atomic
def record_receipt(transfer: Transfer, *, on: dt.date, user=None) -> Transfer:
    transfer = _locked(transfer)
    if transfer.state != TransferState.COMPLETED:
        raise ValidationError(_("转接完成后才能登记回执。"))
    transfer.receipt_returned_on = on
    transfer._history_user = user
    transfer.save()
    return transfer


def expire_overdue(today: dt.date | None = None) -> int:
    """Open letters past their validity become expired (run daily by the task queue)."""
    today = today or timezone.localdate()
    expired = 0
    for transfer in Transfer.objects.filter(state__in=OPEN_STATES, valid_until__lt=today):
        with transaction.atomic():
            locked = _locked(transfer)
            if locked.state in OPEN_STATES and locked.valid_until < today:
                locked.state = TransferState.EXPIRED
                locked.save()
                expired += 1
    return expired
