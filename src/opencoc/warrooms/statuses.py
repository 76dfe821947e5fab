"""A war room's lifecycle (war_rooms.status) and the kinds of its timeline entries, once."""

from typing import Literal

Status = Literal["open", "recovered", "closed"]
OPEN: Status = "open"
RECOVERED: Status = "recovered"
CLOSED: Status = "closed"
STATUSES: tuple[Status, ...] = (OPEN, RECOVERED, CLOSED)
# the only moves allowed: a table, not ifs
TRANSITIONS: dict[Status, tuple[Status, ...]] = {OPEN: (RECOVERED, CLOSED), RECOVERED: (CLOSED,), CLOSED: ()}
# COC's war_room_status enumeration (the list's `status` filter): id, Chinese and English names
WIRE_STATUS: dict[Status, tuple[str, str, str]] = {
    OPEN: ("1", "拉起WarRoom", "Start war room"),
    RECOVERED: ("7", "故障已恢复", "The fault has been recovered"),
    CLOSED: ("20", "关闭WarRoom", "Close war room"),
}
WIRE_IDS: dict[str, Status] = {wire[0]: status for status, wire in WIRE_STATUS.items()}

Kind = Literal["status", "decision", "event", "note"]
KINDS: tuple[Kind, ...] = ("status", "decision", "event", "note")
POSTED_KINDS: tuple[Kind, ...] = ("status", "decision", "note")  # "event": written by the server only

Joined = Literal["participant", "admin", "oncall"]
