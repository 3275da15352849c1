"""How a user is named to other people: their name and their unit ("孙丽华 · 创智天地"), never the login name.

A dispatcher choosing an assignee, or a reader of a demand's timeline, needs to know who the person is and where
they work; a username ("building_worker") says neither. The unit is the target of the user's role assignment (the
place they serve, their party organization, their enterprise). Lists that name many users prefetch with
`units_prefetch` so that this costs no query per row.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet


def display_name(user) -> str:
    """The person's name, family name first (Chinese order); the username only when no name is recorded."""
    name = f"{user.last_name}{user.first_name}".strip()
    return name or user.username


def unit_of(user) -> str:
    annotated = getattr(user, "unit_name", None)  # with_units()
    if annotated is not None:
        return annotated
    for assignment in user.role_assignments.all():  # from the prefetch when there is one
        if assignment.place_id:
            return assignment.place.name
        if assignment.organization_id:
            return assignment.organization.name
        if assignment.enterprise_id:
            return assignment.enterprise.name
        if assignment.member_id and assignment.member.organization_id:
            return assignment.member.organization.name
    return ""


def person_label(user) -> str:
    if user is None:
        return ""
    unit = unit_of(user)
    name = display_name(user)
    return f"{name} · {unit}" if unit else name


def units_prefetch(path: str = "") -> Prefetch:
    """What person_label reads, for the users at `path` ("assignee_user__"), in one query; a stable order."""
    from .models import RoleAssignment

    assignments = RoleAssignment.objects.select_related("place", "organization", "enterprise",
                                                        "member__organization").order_by("pk")
    return Prefetch(f"{path}role_assignments", queryset=assignments)


def with_units(users: QuerySet) -> QuerySet:
    """Users annotated with their unit's name, in the same query (a select of people costs no extra query)."""
    from django.db.models import OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from .models import RoleAssignment

    first = RoleAssignment.objects.filter(user=OuterRef("pk")).order_by("pk")
    return users.annotate(unit_name=Coalesce(
        Subquery(first.values("place__name")[:1]), Subquery(first.values("organization__name")[:1]),
        Subquery(first.values("enterprise__name")[:1]), Subquery(first.values("member__organization__name")[:1]),
        Value("")))


def street_staff(street_id: int | None) -> QuerySet:
    """The active street staff of a street: who hands its work to departments and hears back from them."""
    from django.contrib.auth import get_user_model

    from .models import Role

    return get_user_model().objects.filter(role_assignments__role=Role.STREET_STAFF,
                                           role_assignments__place_id=street_id, is_active=True).distinct()

