"""Time helpers: the wire speaks integer milliseconds since the epoch."""

import time
from datetime import UTC, datetime


def now_ms() -> int:
    return int(time.time() * 1000)


def ms_to_iso(ms: int | None) -> str | None:
    """Milliseconds to the ISO-8601 string the resources API returns."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
