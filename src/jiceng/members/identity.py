"""Is an ID number already on the platform? Answered without telling anyone about people outside their scope.

An ID number is unique among members, and a person has at most one open application. Both rules hold city-wide,
so a street that registers someone already on the platform elsewhere must be refused; but the reason ("already a
member", "has an application in progress") would let any street test whether a given person is a party member
anywhere in the city. So the reason is given only when the conflicting record is one the user may see; otherwise
the refusal is a generic one, the same for a member and an application, that sends them to the district
(docs/decisions/022-personal-data-in-forms-and-conflicts.md; PIPL art. 6 and 10: no disclosure beyond purpose).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Application, Member, Stage

# Creating or editing a member whose ID number another member has (the user sees that member).
MEMBER_CLASH = _("该身份证号码的党员已在册,一名党员只能在一个党组织。")
# Registering an application for someone who is a member, or has an application in progress (the user sees it).
APPLICANT_IS_MEMBER = _("该身份证号码的人员已是党员。")
APPLICATION_IN_PROGRESS = _("该申请人已有进行中的入党申请。")
# The one message for a conflict outside the user's scope (UI, API and imports alike).
GENERIC_CONFLICT = _("该公民身份号码无法登记,请核对号码;如确认无误,请联系区委组织部核实。")


def _visible(queryset, user) -> bool:
    """Is one of these conflicting rows in the user's scope? (No user: a trusted internal caller.)"""
    if user is None:
        return True
    return queryset.restrict(user).exists()


def check_id_number(id_number: str, user, *, member_message, application_message=None,
                    exclude_member_pk: int | None = None, field: str | None = "id_number") -> None:
    """Raise ValidationError if `id_number` belongs to a member (or, with `application_message`, to an open
    application): with the given message when the user sees that record, the generic one otherwise."""
    id_number = (id_number or "").strip().upper()
    if not id_number:
        return
    members = Member.objects.filter(id_number=id_number)
    if exclude_member_pk is not None:
        members = members.exclude(pk=exclude_member_pk)
    message = None
    if members.exists():
        message = member_message if _visible(members, user) else GENERIC_CONFLICT
    elif application_message is not None:
        applications = Application.objects.filter(id_number=id_number).exclude(stage=Stage.CLOSED)
        if applications.exists():
            message = application_message if _visible(applications, user) else GENERIC_CONFLICT
    if message is not None:
        raise ValidationError({field: message} if field else message)
