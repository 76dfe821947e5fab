"""Which notification URLs the server may call: an admin's allow-list of schemes and hosts.

A notification URL must not become a way to make the server call inside its network, so a host
that resolves to a private, loopback, link-local, multicast, reserved or unspecified address
(IPv4 or IPv6, IPv4-mapped included; any spelling the resolver accepts, e.g. `2130706433`) is
refused unless the admin lists it, by name or by network (OPENCOC_NOTIFY_ALLOWED_HOSTS). The
check runs when a URL is saved and again on every connection the sender makes (`egress.py`),
since DNS can change in between.
"""

import ipaddress
import socket
from dataclasses import dataclass

from opencoc.config import Settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
SCHEMES_SETTING = "OPENCOC_NOTIFY_ALLOWED_SCHEMES"
HOSTS_SETTING = "OPENCOC_NOTIFY_ALLOWED_HOSTS"


def _items(text: str) -> list[str]:
    return [item.strip().lower() for item in text.split(",") if item.strip()]


@dataclass(frozen=True)
class Policy:
    """The allowed schemes, and the hosts (names or networks) that may be internal."""

    schemes: frozenset[str]
    hosts: frozenset[str]
    networks: tuple[IPNetwork, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> "Policy":
        return cls.parse(settings.notify_allowed_schemes, settings.notify_allowed_hosts)

    @classmethod
    def parse(cls, schemes: str, hosts: str) -> "Policy":
        names, networks = set(), []
        for item in _items(hosts):
            try:
                networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
            except ValueError:
                names.add(item)
        return cls(frozenset(_items(schemes)), frozenset(names), tuple(networks))


def scheme_refusal(policy: Policy, scheme: str) -> str | None:
    """Why a scheme is refused, or None."""
    if scheme.lower() in policy.schemes:
        return None
    return f"scheme '{scheme}' is not allowed ({SCHEMES_SETTING}: {', '.join(sorted(policy.schemes)) or 'none'})"


def _unwrapped(address: str) -> IPAddress | None:
    try:
        parsed = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed


def is_internal(address: IPAddress) -> bool:
    """Not a public unicast address: private, loopback, link-local, multicast, reserved, unspecified."""
    return not address.is_global or address.is_multicast


def address_refusal(policy: Policy, host: str, addresses: list[str]) -> str | None:
    """Why connecting to `host` at these addresses is refused, or None."""
    name = host.strip("[]").lower()
    if name in policy.hosts:
        return None
    for text in addresses:
        address = _unwrapped(text)
        if address is None or not is_internal(address) or any(address in net for net in policy.networks):
            continue
        return (
            f"host '{name}' resolves to the internal address {address}, which is refused unless the host is"
            f" in {HOSTS_SETTING}"
        )
    return None


def resolve(host: str) -> list[str]:
    """Every address `host` resolves to (the system resolver: numeric forms too); [] if none."""
    try:
        infos = socket.getaddrinfo(host.strip("[]"), None, proto=socket.IPPROTO_TCP)
    except (OSError, ValueError):  # ValueError: a NUL byte or a label the IDNA codec refuses
        return []
    return [str(info[4][0]) for info in infos]


def host_refusal(policy: Policy, host: str) -> str | None:
    """Why a URL's host is refused now, or None (a name that does not resolve is left to send time)."""
    return address_refusal(policy, host, resolve(host))
