"""Identifiers of the alarms domain (alarms/ids.py): their wire shapes, and that they do not repeat."""

import re

from opencoc.alarms import ids

STAMP = r"\d{14}"


def test_alarm_and_work_order_ids_are_a_prefix_a_utc_stamp_and_16_hex() -> None:
    assert re.fullmatch(rf"AL{STAMP}[0-9a-f]{{16}}", ids.alarm_id())
    assert re.fullmatch(rf"WO{STAMP}[0-9a-f]{{16}}", ids.work_order_id())


def test_integration_ids_are_in_and_30_hex() -> None:
    assert re.fullmatch(r"IN[0-9a-f]{30}", ids.integration_id())


def test_integration_keys_are_url_safe_and_carry_256_random_bits() -> None:
    key = ids.integration_key()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", key)


def test_ids_do_not_repeat() -> None:
    for make in (ids.alarm_id, ids.work_order_id, ids.integration_id, ids.integration_key):
        assert len({make() for _ in range(1000)}) == 1000, make.__name__
