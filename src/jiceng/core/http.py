"""Facts about the HTTP request that several apps need, each in one place."""

from __future__ import annotations

from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str | None:
    """The client's IP address, as used for login back-off and write throttles.

    The socket's peer (REMOTE_ADDR). Behind a reverse proxy every request would come from the proxy, so this is
    the one function to teach about a trusted proxy's forwarded-for header; callers never read headers themselves.
    """
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None
