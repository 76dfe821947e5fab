"""Identifier formats of the COC wire (incident_num, script_uuid, execute_uuid, ...)."""

import secrets
import string
import time
import uuid

_ALNUM_UPPER = string.ascii_uppercase + string.digits
_ALNUM = string.ascii_letters + string.digits


def _stamp() -> str:
    """14-digit local-free UTC timestamp, as COC puts in its ticket numbers."""
    return time.strftime("%Y%m%d%H%M%S", time.gmtime())


def incident_num() -> str:
    """`IM` + 14-digit timestamp + 10 random digits (26 chars)."""
    return f"IM{_stamp()}{secrets.randbelow(10**10):010d}"


def script_uuid() -> str:
    """`SC` + 14-digit timestamp + 9 hex chars (25 chars)."""
    return "SC" + _stamp() + secrets.token_hex(5)[:9]


def execute_uuid() -> str:
    """`SCT` + 14-digit timestamp + 9 hex chars (26 chars)."""
    return "SCT" + _stamp() + secrets.token_hex(5)[:9]


def hex_id() -> str:
    """32-hex id, the shape of IAM domain, user and project ids."""
    return uuid.uuid4().hex


def access_key() -> str:
    return "".join(secrets.choice(_ALNUM_UPPER) for _ in range(20))


def secret_key() -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(40))


def token() -> str:
    return "MII" + secrets.token_urlsafe(48)


def war_room_num() -> str:
    """`WR` + 14-digit timestamp + 10 random digits (26 chars)."""
    return f"WR{_stamp()}{secrets.randbelow(10**10):010d}"
