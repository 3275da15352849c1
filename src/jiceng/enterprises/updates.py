"""Enterprise contacts update their own enterprise (issue 19): propose, review, apply (docs/decisions/079).

- Only a holder of the unit_contact role FOR THIS enterprise may propose (seeing an enterprise is not enough:
  least privilege, OWASP ASVS V4.2.1 — a contact must never change another enterprise's record).
- The building worker (or street / district staff) whose scope covers the enterprise reviews: approve applies the
  change, reject needs a reason. Nothing changes the enterprise before approval.
- Approval feeds the five-colour signals (jiceng.risk): a drop in headcount of at least HEADCOUNT_DROP_SHARE of the
  previous figure records a `headcount_falling` signal (source 登记信息), and the enterprise is recomputed, so a
  lease end moving inside the 3- or 6-month window shows at once (lease signals are derived from `lease_end`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jiceng.accounts.models import Role
from jiceng.accounts.permissions import can_write
from jiceng.core.sanitize import strip_control_chars
from jiceng.core.scoping import scope_for

from .models import Enterprise, EnterpriseUpdate, UpdateStatus

HEADCOUNT_DROP_SHARE = 0.10  # a fall of 10 % or more is "明显减少" (risk default headcount_falling)
MAX_EMPLOYEES = 1_000_000
PHONE_RE = re.compile(r"^[0-9+\-() ]{7,20}$")


def own_enterprises(user) -> QuerySet[Enterprise]:
    """The enterprises the user is the contact of (their unit_contact role assignments)."""
    if not getattr(user, "is_authenticated", False):
        return Enterprise.objects.none()
    scope = scope_for(user)
    if scope.everything:  # a superuser's scope lists no grants: their own are in their role assignments
        return Enterprise.objects.filter(pk__in=user.role_assignments.filter(role=Role.UNIT_CONTACT)
                                         .values("enterprise"))
    # The scope holds exactly those (Role.UNIT_CONTACT grants its enterprise), read once per request or kept.
    return Enterprise.objects.filter(pk__in=sorted(scope.enterprise_ids))


def can_review(user, enterprise: Enterprise) -> bool:
    return (getattr(user, "is_authenticated", False) and can_write(user, Enterprise)
            and Enterprise.objects.restrict(user).filter(pk=enterprise.pk).exists())


def _parse_employees(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError({"employees": _("从业人员数须为整数。")}) from None
    if not 0 <= number <= MAX_EMPLOYEES:
        raise ValidationError({"employees": _("从业人员数须在 0 至 %(max)d 之间。") % {"max": MAX_EMPLOYEES}})
    return number


def _parse_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError({"lease_end": _("租约到期日格式应为 YYYY-MM-DD。")}) from None


def propose(user, enterprise: Enterprise, *, employees: Any = None, lease_end: Any = None, contact_name: str = "",
            contact_phone: str = "", note: str = "") -> EnterpriseUpdate:
    """A pending update of the user's own enterprise. Errors name the field; another enterprise is refused."""
    if not own_enterprises(user).filter(pk=enterprise.pk).exists():
        raise PermissionDenied(_("只有本单位的联系人可以提交本单位信息的更新。"))
    employees = _parse_employees(employees)
    lease_end = _parse_date(lease_end)
    contact_name = " ".join(strip_control_chars(contact_name or "").split())[:50]
    contact_phone = (contact_phone or "").strip()
    if contact_phone and not PHONE_RE.match(contact_phone):
        raise ValidationError({"contact_phone": _("联系电话格式不正确。")})
    if lease_end is not None and not dt.date(2000, 1, 1) <= lease_end <= dt.date(2100, 12, 31):
        raise ValidationError({"lease_end": _("租约到期日不在合理范围内。")})
    changed = (employees is not None and employees != enterprise.employees
               or lease_end is not None and lease_end != enterprise.lease_end
               or contact_name and contact_name != enterprise.contact_name
               or contact_phone and contact_phone != enterprise.contact_phone)
    if not changed:
        raise ValidationError({"employees": _("没有需要更新的内容:请至少修改一项。")})
    update = EnterpriseUpdate(
        enterprise=enterprise, employees=employees, lease_end=lease_end, contact_name=contact_name,
        contact_phone=contact_phone, note=" ".join(strip_control_chars(note or "").split())[:500],
        old_employees=enterprise.employees, old_lease_end=enterprise.lease_end,
        old_contact_name=enterprise.contact_name, old_contact_phone=enterprise.contact_phone, proposed_by=user)
    try:
        with transaction.atomic():
            update.save()
    except IntegrityError:
        raise ValidationError({"enterprise": _("该单位已有待审核的更新,请等待楼宇党群工作者审核。")}) from None
    return update


def headcount_dropped(before: int | None, after: int | None) -> bool:
    """Whether a change of headcount is a 明显减少 (at least 10 % and at least one person)."""
    if before is None or after is None or after >= before:
        return False
    return before - after >= max(1, math.ceil(before * HEADCOUNT_DROP_SHARE))


@transaction.atomic
def review(update: EnterpriseUpdate, user, *, approve: bool, reason: str = "",
           today: dt.date | None = None) -> EnterpriseUpdate:
    """Approve (apply to the enterprise and recompute its risk) or reject (with a reason) a pending update."""
    update = EnterpriseUpdate.objects.select_for_update().select_related("enterprise").get(pk=update.pk)
    enterprise = update.enterprise
    if not can_review(user, enterprise):  # an editing role (not unit_contact) over the enterprise's place
        raise PermissionDenied(_("只有楼宇党群工作者或街道工作人员可以审核单位信息更新。"))
    if update.status != UpdateStatus.PENDING:
        raise ValidationError({"status": _("该更新已审核,不能再次审核。")})
    reason = " ".join(strip_control_chars(reason or "").split())[:500]
    if not approve and not reason:
        raise ValidationError({"reason": _("退回时请填写原因。")})
    update.status = UpdateStatus.APPROVED if approve else UpdateStatus.REJECTED
    update.reason, update.reviewed_by, update.reviewed_at = reason, user, timezone.now()
    update.save(update_fields=["status", "reason", "reviewed_by", "reviewed_at"])
    if approve:
        _apply(update, user, today=today or timezone.localdate())
    return update


def _apply(update: EnterpriseUpdate, user, *, today: dt.date) -> None:
    enterprise = Enterprise.objects.select_for_update().get(pk=update.enterprise_id)
    before = enterprise.employees
    if update.employees is not None:
        enterprise.employees = update.employees
    if update.lease_end is not None:
        enterprise.lease_end = update.lease_end
    if update.contact_name:
        enterprise.contact_name = update.contact_name
    if update.contact_phone:
        enterprise.contact_phone = update.contact_phone
    enterprise._history_user = user
    enterprise.save()
    if not apps.is_installed("jiceng.risk"):
        return
    from jiceng.risk import services as risk
    from jiceng.risk.choices import SignalSource

    if update.employees is not None and headcount_dropped(before, update.employees) \
            and risk.SignalType.objects.filter(code="headcount_falling", active=True).exists():
        risk.record_signal(enterprise=enterprise, type="headcount_falling", source=SignalSource.RECORD, today=today,
                           evidence=_("单位联系人更新:从业人员由 %(before)d 人减少到 %(after)d 人(审核通过)")
                           % {"before": before, "after": update.employees})
    else:
        risk.recompute(enterprise, today=today)
