"""Identifiers of the alarms domain: server-side alarm ids, work orders, integrations and their keys."""

import secrets
import time


def _stamp() -> str:
    return time.strftime("%Y%m%d%H%M%S", time.gmtime())


def alarm_id() -> str:
    """`AL` + 14-digit UTC timestamp + 16 hex chars (32 chars)."""
    return "AL" + _stamp() + secrets.token_hex(8)


def work_order_id() -> str:
    """`WO` + 14-digit UTC timestamp + 16 hex chars (32 chars)."""
    return "WO" + _stamp() + secrets.token_hex(8)


def integration_id() -> str:
    """`IN` + 30 hex chars."""
    return "IN" + secrets.token_hex(15)


def integration_key() -> str:
    """The credential in a webhook URL: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)
