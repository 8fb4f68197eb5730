"""Whether a client's address is in the networks a setting lists (`/metrics`' scrapers, the
offices whose sign-ins share an allowance)."""

from __future__ import annotations

import ipaddress
from functools import cache


def in_networks(address: str | None, listed: str) -> bool:
    """Whether the address is in one of the comma-separated networks listed (an IPv4 client seen
    through an IPv6 socket, ::ffff:127.0.0.1, is its IPv4 self); an empty list holds none."""
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    if isinstance(client, ipaddress.IPv6Address) and client.ipv4_mapped:
        client = client.ipv4_mapped
    return any(client in network for network in _networks(listed))


@cache
def _networks(listed: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(part.strip()) for part in listed.split(",") if part.strip()]
