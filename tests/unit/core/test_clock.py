"""Time on the wire (core/clock.py): integer milliseconds, and the ISO form the resources API shows."""

import time

from opencoc.core.clock import ms_to_iso, now_ms
from opencoc.core.limits import MAX_MS


def test_now_is_whole_milliseconds_since_the_epoch() -> None:
    before = int(time.time() * 1000)
    now = now_ms()
    assert isinstance(now, int) and before <= now <= int(time.time() * 1000)


def test_milliseconds_print_as_utc_seconds_with_a_z() -> None:
    assert ms_to_iso(0) == "1970-01-01T00:00:00Z"
    assert ms_to_iso(1_700_000_000_999) == "2023-11-14T22:13:20Z"
    assert ms_to_iso(MAX_MS) == "2286-11-20T17:46:39Z"
    assert ms_to_iso(None) is None
