"""Host facts the agent reports: hostname, addresses, OS, and region/zone from its options."""

import contextlib
import fcntl
import platform
import socket
import struct
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import opencoc

_SIOCGIFADDR = 0x8915


def _route_ip(server: str) -> str | None:
    """The local address the kernel would use to reach the server (no packet is sent)."""
    host = urlsplit(server).hostname or "127.0.0.1"
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect((host, 9))
            return str(s.getsockname()[0])
    except OSError:
        return None


def _interface_ips() -> list[str]:
    """IPv4 addresses of the host's interfaces, loopback excluded (Linux ioctl; empty elsewhere)."""
    out: list[str] = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for _index, name in socket.if_nameindex():
            with contextlib.suppress(OSError):
                packed = fcntl.ioctl(s.fileno(), _SIOCGIFADDR, struct.pack("256s", name[:15].encode()))
                ip = socket.inet_ntoa(packed[20:24])
                if not ip.startswith("127."):
                    out.append(ip)
    return out


def _os_name() -> str:
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text(errors="replace").splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.partition("=")[2].strip().strip('"')
    return platform.platform()


def collect(*, server: str, region_id: str | None, zone_id: str | None, hostname: str | None = None) -> dict[str, Any]:
    """The facts of this host as the enrol and heartbeat calls send them."""
    fixed_ip = _route_ip(server)
    try:
        ips = _interface_ips()
    except OSError:
        ips = []
    if fixed_ip and fixed_ip not in ips:
        ips.insert(0, fixed_ip)
    return {
        "hostname": hostname or socket.gethostname() or "unknown",
        "fixed_ip": fixed_ip,
        "ips": ips,
        "os_type": "windows" if sys.platform.startswith("win") else "linux",
        "os_name": _os_name(),
        "kernel": platform.release() or None,
        "region_id": region_id,
        "zone_id": zone_id,
        "agent_version": opencoc.__version__,
    }
