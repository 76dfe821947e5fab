"""Identifier formats of the COC wire (core/ids.py): incident_num, script_uuid, execute_uuid and IAM ids."""

import re
import time

from opencoc.core import ids


def test_ticket_numbers_carry_the_utc_time_they_were_made() -> None:
    before = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    num, script, order = ids.incident_num(), ids.script_uuid(), ids.execute_uuid()
    after = time.strftime("%Y%m%d%H%M%S", time.gmtime())
    for value, prefix in ((num, "IM"), (script, "SC"), (order, "SCT")):
        assert before <= value[len(prefix) : len(prefix) + 14] <= after, value


def test_the_wire_shapes() -> None:
    assert re.fullmatch(r"IM\d{24}", ids.incident_num())  # 26 characters, as COC's
    assert re.fullmatch(r"SC\d{14}[0-9a-f]{9}", ids.script_uuid())  # 25
    assert re.fullmatch(r"SCT\d{14}[0-9a-f]{9}", ids.execute_uuid())  # 26
    assert re.fullmatch(r"[0-9a-f]{32}", ids.hex_id())
    assert re.fullmatch(r"[A-Z0-9]{20}", ids.access_key())
    assert re.fullmatch(r"[A-Za-z0-9]{40}", ids.secret_key())
    assert re.fullmatch(r"MII[A-Za-z0-9_-]{64}", ids.token())


def test_ids_do_not_repeat() -> None:
    for make in (ids.incident_num, ids.script_uuid, ids.execute_uuid, ids.hex_id, ids.access_key, ids.token):
        assert len({make() for _ in range(1000)}) == 1000, make.__name__
