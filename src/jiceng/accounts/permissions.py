"""Who may write what. Reads are governed by scope alone (core/scoping.py)."""

from __future__ import annotations

from rest_framework import permissions

from jiceng.core.scoping import scope_for

from .models import PERSONAL_DATA_ROLES


def can_write(user, model) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(scope_for(user).roles & set(getattr(model, "edit_roles", ())))


def can_reveal_personal_data(user) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(scope_for(user).roles & PERSONAL_DATA_ROLES))


class ScopedWritePermission(permissions.IsAuthenticated):
    """Safe methods for any signed-in user (scope filters the rows); writes need an editing role."""

    def has_permission(self, request, view) -> bool:
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return can_write(request.user, view.base_queryset.model)
