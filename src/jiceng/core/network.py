"""The client's address, also behind a reverse proxy: one helper for the audit log, login throttling and the
rate limits of the public forms.

Behind nginx every request comes from the proxy's address, so a per-client limit would be shared by every
citizen. The proxy passes the client's address in X-Forwarded-For / X-Real-IP, but anyone can send those
headers: they are believed only when the request comes from a proxy listed in JICENG_TRUSTED_PROXIES, and
X-Forwarded-For is read from the right, skipping trusted proxies, so an address the client itself put at the
left is never taken (OWASP: "IP address spoofing via HTTP headers"; MDN, X-Forwarded-For, "Selecting an IP
address").
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(entries: list[str] | tuple[str, ...]) -> tuple[Network, ...]:
    """Addresses or CIDR blocks; ValueError names the entry that is neither."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"not an IP address or CIDR block: {entry!r}") from exc
    return tuple(networks)


@lru_cache(maxsize=8)
def _trusted(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(entries)


def _address(value: str | None) -> Address | None:
    if not value:
        return None
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1:value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request) -> str | None:
    """The address of the client that sent `request` (None without a request)."""
    if request is None:
        return None
    meta = request.META
    peer = _address(meta.get("REMOTE_ADDR"))
    trusted = _trusted(tuple(getattr(settings, "TRUSTED_PROXIES", ())))

    def is_trusted(address: Address) -> bool:
        return any(address in network for network in trusted)

    if peer is None:
        return meta.get("REMOTE_ADDR") or None
    if not trusted or not is_trusted(peer):
        return str(peer)
    forwarded = [part for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    client = peer
    for part in reversed(forwarded):
        address = _address(part)
        if address is None:
            break  # garbage the client wrote itself: the hop to its right is the best we know
        client = address
        if not is_trusted(address):
            return str(address)
    if not forwarded:
        real = _address(meta.get("HTTP_X_REAL_IP"))
        if real is not None:
            return str(real)
    return str(client)
