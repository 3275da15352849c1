"""Writing audit events (exports, reveals of personal data, imports)."""

from __future__ import annotations

from jiceng.accounts.models import AuditEvent
from jiceng.core.network import client_ip

__all__ = ["client_ip", "record"]  # client_ip: the one helper for a client's address (core/network.py)


def record(request, action: str, obj=None, *, object_type: str = "", detail: str = "", user=None) -> AuditEvent:
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
    return AuditEvent.objects.create(
        user=user if user is not None else (request.user if request and request.user.is_authenticated else None),
        action=action,
        object_type=object_type,
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail,
        ip_address=client_ip(request),
    )
