"""Transfer use cases: request, issue, receive, complete, return, expire. Each is one transaction."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.core.dates import validate_plausible_date
from jiceng.organizations.models import Organization

from .identity import check_id_number
from .models import LetterScope, LetterValidity, Member, MemberStatus, Transfer, TransferDirection, TransferState
from .models.transfer import LETTER_STATES, OPEN_STATES


def next_letter_no(issue_date: dt.date) -> str:
    prefix = f"ZJ{issue_date:%Y}"
    last = (Transfer.objects.filter(letter_no__startswith=prefix).order_by("-letter_no")
            .values_list("letter_no", flat=True).first())
    seq = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{seq:05d}"


def letter_validity_months(scope: str) -> int:
    """Months a letter to `scope` stays valid: the `LetterValidity` row, capped by TRANSFER_VALID_MONTHS."""
    cap = settings.JICENG["TRANSFER_VALID_MONTHS"]
    months = LetterValidity.objects.filter(scope=scope).values_list("months", flat=True).first()
    return min(months or cap, cap)


def _validity(issue_date: dt.date, scope: str = LetterScope.OUTSIDE_CITY) -> dt.date:
    try:
        validate_plausible_date(issue_date)
    except ValidationError as exc:
        raise ValidationError({"issue_date": exc.messages}) from None
    return issue_date + relativedelta(months=letter_validity_months(scope))


def transfer_authority_for(organization: Organization) -> Organization | None:
    """The nearest organization at or above `organization` that may issue letters (基层党委 or 组织部门)."""
    ids = [int(pk) for pk in organization.path.strip("/").split("/") if pk]
    authorities = {o.pk: o for o in Organization.objects.filter(pk__in=ids, transfer_authority=True)}
    return next((authorities[pk] for pk in reversed(ids) if pk in authorities), None)


def check_authority(issued_by: Organization | None, member_organization: Organization) -> Organization:
    """The issuing organization must hold transfer authority over the member's branch.

    中组部 rules on 党员组织关系接转: letters are issued by organization departments of county-level committees and
    above, and by base committees (基层党委) granted the authority — never by a branch or a general branch, whose
    secretary asks the committee for the letter. The organization's `transfer_authority` flag records the grant.
    """
    if issued_by is None:
        raise ValidationError({"issued_by": _(
            "“%(org)s”及其上级党组织都没有组织关系接转权限,不能开具介绍信(须由基层党委或组织部门开具)。")
            % {"org": member_organization}})
    if not issued_by.transfer_authority:
        raise ValidationError({"issued_by": _(
            "“%(org)s”没有组织关系接转权限:介绍信只能由有接转权限的基层党委或组织部门开具,"
            "支部书记可提出申请。") % {"org": issued_by}})
    if not member_organization.path.startswith(issued_by.path):
        raise ValidationError({"issued_by": _("“%(org)s”不是“%(branch)s”的上级党组织,不能为其党员开具介绍信。")
                               % {"org": issued_by, "branch": member_organization}})
    return issued_by


def _scope_of(to_organization: Organization | None, scope: str | None) -> str:
    # A transfer within the platform stays within the city; outside it, the caller says where the letter goes.
    if to_organization is not None:
        return LetterScope.WITHIN_CITY
    if scope and scope not in LetterScope.values:
        raise ValidationError({"scope": _("未知的介绍信去向。")})
    return scope or LetterScope.OUTSIDE_CITY


@transaction.atomic
def request_transfer(member: Member, *, to_organization: Organization | None = None, external_organization: str = "",
                     scope: str | None = None, reason: str = "", on: dt.date | None = None,
                     user=None) -> Transfer:
    """The branch asks for a letter (组织关系转接申请); the member stays where they are until it completes."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.left_on:
        raise ValidationError(_("该党员已转出平台,不能再开具介绍信。"))
    if Transfer.objects.filter(member=member, state__in=OPEN_STATES).exists():
        raise ValidationError(_("该党员已有正在办理的组织关系转接,不能重复开具。"))
    transfer = Transfer(
        member=member, from_organization=member.organization, to_organization=to_organization,
        external_organization=external_organization, scope=_scope_of(to_organization, scope),
        direction=TransferDirection.INTERNAL if to_organization else TransferDirection.OUTGOING,
        state=TransferState.REQUESTED, requested_on=on or timezone.localdate(), reason=reason, created_by=user)
    transfer.full_clean()
    transfer.save()
    return transfer


@transaction.atomic
def issue_letter(transfer: Transfer, *, issued_by: Organization | None = None, issue_date: dt.date | None = None,
                 valid_until: dt.date | None = None, letter_no: str = "", user=None) -> Transfer:
    """The authority issues the requested letter: number, date and validity by destination."""
    transfer = _locked(transfer)
    if transfer.state != TransferState.REQUESTED:
        raise ValidationError(_("只有“已申请”的转接可以开具介绍信。"))
    origin = transfer.from_organization
    issued_by = check_authority(issued_by or transfer_authority_for(origin), origin)
    issue_date = issue_date or timezone.localdate()
    if transfer.requested_on and issue_date < transfer.requested_on:
        raise ValidationError({"issue_date": _("开具日期不能早于申请日期。")})
    transfer.issued_by, transfer.issue_date = issued_by, issue_date
    transfer.letter_no = letter_no or next_letter_no(issue_date)
    transfer.valid_until = valid_until or _validity(issue_date, transfer.scope)
    transfer.state = TransferState.ISSUED
    transfer.full_clean()
    transfer._history_user = user
    transfer.save()
    return transfer


@transaction.atomic
def issue_transfer(member: Member, *, to_organization: Organization | None = None, external_organization: str = "",
                   issue_date: dt.date | None = None, valid_until: dt.date | None = None, letter_no: str = "",
                   reason: str = "", scope: str | None = None, issued_by: Organization | None = None,
                   user=None) -> Transfer:
    """Request and issue in one step, for the authority itself (issued_by: default the nearest authority)."""
    if issue_date is not None:
        _validity(issue_date)  # an implausible date is refused naming the issue date, before anything is written
    if issued_by is not None:
        check_authority(issued_by, member.organization)
    transfer = request_transfer(member, to_organization=to_organization, external_organization=external_organization,
                                scope=scope, reason=reason, on=issue_date, user=user)
    return issue_letter(transfer, issued_by=issued_by, issue_date=issue_date, valid_until=valid_until,
                        letter_no=letter_no, user=user)


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
                        scope=LetterScope.OUTSIDE_CITY, valid_until=valid_until or _validity(issue_date),
                        incoming_details=details, created_by=user)
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
    if action == "issue":
        return "authority"
    if action == "receipt" or transfer.direction == TransferDirection.OUTGOING:
        return "from"
    return "to"


def may_act(user, transfer: Transfer, action: str) -> bool:
    side = acting_side(transfer, action)
    visible = Organization.objects.restrict(user)
    if side == "authority":
        # Only someone whose scope holds an organization with transfer authority over the member's branch.
        authority = transfer_authority_for(transfer.from_organization) if transfer.from_organization_id else None
        return authority is not None and visible.filter(pk=authority.pk).exists()
    ends = {"from": [transfer.from_organization_id], "to": [transfer.to_organization_id],
            "either": [transfer.from_organization_id, transfer.to_organization_id]}[side]
    return visible.filter(pk__in=[pk for pk in ends if pk]).exists()


def awaiting_q(user) -> Q:
    """Open transfers whose next step falls to `user` (the set form of `may_act`, for lists and the workbench):

    - requested: the letter, issued by an organization with transfer authority over the member's branch that the
      user sees (the nearest such organization, as `transfer_authority_for`, whenever the user sees it; an upper
      one the user sees counts too, as the committee over it may issue in its stead);
    - issued, then received: receiving, then completing, at the receiving end (the issuing end when the member
      leaves the platform).
    """
    visible = Organization.objects.restrict(user)
    authorities = visible.filter(transfer_authority=True).values_list("path", flat=True)
    letter = Q(pk__in=[])
    for path in authorities:
        letter |= Q(from_organization__path__startswith=path)
    at_end = (Q(direction=TransferDirection.OUTGOING, from_organization__in=visible.values("pk"))
              | (~Q(direction=TransferDirection.OUTGOING) & Q(to_organization__in=visible.values("pk"))))
    return (Q(state=TransferState.REQUESTED) & letter) | (Q(state__in=LETTER_STATES) & at_end)


def _locked(transfer: Transfer) -> Transfer:
    return Transfer.objects.select_for_update().get(pk=transfer.pk)


def _require_open(transfer: Transfer, letter: bool = True) -> None:
    if transfer.state == TransferState.COMPLETED:
        raise ValidationError(_("转接已完成,不能再变更(已完成的转接不能重新打开)。"))
    if transfer.state not in OPEN_STATES:
        raise ValidationError(_("转接状态为“%(state)s”,不能再办理。") % {"state": transfer.get_state_display()})
    if letter and transfer.state not in LETTER_STATES:
        raise ValidationError(_("介绍信尚未开具:须先由有接转权限的党组织开具。"))


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
            # The party group belongs to the old branch; the new branch assigns its own.
            member.organization, member.party_group = transfer.to_organization, None
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
    _require_open(transfer, letter=False)  # a request can be turned down too
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
    for transfer in Transfer.objects.filter(state__in=LETTER_STATES, valid_until__lt=today):
        with transaction.atomic():
            locked = _locked(transfer)
            if locked.state in LETTER_STATES and locked.valid_until < today:
                locked.state = TransferState.EXPIRED
                locked.save()
                expired += 1
    return expired
