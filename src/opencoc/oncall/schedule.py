"""Who a rotation puts on call at an instant: pure functions of the rotation, its overrides and the time.

A daily or weekly rotation hands off at a wall-clock time in an IANA zone (`zoneinfo`), counted in
local calendar days from its start date, so a shift across a DST change is 23 or 25 hours long and
the hand-off stays at, e.g., 09:00 local. A hand-off time that does not exist that day (spring
forward) is read as PEP 495 reads it (02:30 in a 02:00-03:00 gap is 03:30); one that happens twice
(fall back) is its first occurrence.
An explicit rotation is a list of shifts `[start, end)`. An override `[start, end)` wins over the
rotation, the latest-created one over the others.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY_MS = 86_400_000
PERIOD_DAYS = {"daily": 1, "weekly": 7}


@dataclass(frozen=True)
class Rotation:
    """A role's rotation; `users` and `handoff`/`zone`/`start` for daily and weekly, `shifts` for explicit."""

    kind: str
    users: tuple[str, ...] = ()
    handoff: time = time(9, 0)
    zone: str = "UTC"
    start: date = date(1970, 1, 1)
    shifts: tuple[tuple[str, int, int], ...] = ()


@dataclass(frozen=True)
class Override:
    user_id: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Shift:
    """Who is on call over `[start_ms, end_ms)` and whether an override put them there."""

    user_id: str
    start_ms: int
    end_ms: int
    override: bool = False


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(at_ms: int, tz: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(at_ms / 1000, UTC).astimezone(tz)


def _handoff_ms(day: date, rotation: Rotation, tz: ZoneInfo) -> int:
    """The instant of the hand-off on local `day` (fold=0: see the module docstring)."""
    return int(datetime.combine(day, rotation.handoff, tzinfo=tz).timestamp() * 1000)


def _shift_day(at_ms: int, rotation: Rotation, tz: ZoneInfo) -> date:
    """The local day whose hand-off began the shift that holds `at_ms`."""
    day = _local(at_ms, tz).date()
    return day if at_ms >= _handoff_ms(day, rotation, tz) else day - timedelta(days=1)


def _rotation_shift(at_ms: int, rotation: Rotation) -> Shift | None:
    if rotation.kind == "shifts":
        for user_id, start, end in rotation.shifts:
            if start <= at_ms < end:
                return Shift(user_id, start, end)
        return None
    if not rotation.users:
        return None
    tz = zone(rotation.zone)
    period = PERIOD_DAYS[rotation.kind]
    days = (_shift_day(at_ms, rotation, tz) - rotation.start).days
    if days < 0:
        return None
    index = days // period
    first = rotation.start + timedelta(days=index * period)
    start = _handoff_ms(first, rotation, tz)
    end = _handoff_ms(first + timedelta(days=period), rotation, tz)
    return Shift(rotation.users[index % len(rotation.users)], start, end)


def _override_at(at_ms: int, overrides: Iterable[Override]) -> Override | None:
    found = None
    for override in overrides:  # in creation order: the last that covers `at_ms` wins
        if override.start_ms <= at_ms < override.end_ms:
            found = override
    return found


def on_call(rotation: Rotation | None, overrides: Sequence[Override], at_ms: int) -> str | None:
    """The user on call at `at_ms`, None when the schedule has nobody then."""
    if (override := _override_at(at_ms, overrides)) is not None:
        return override.user_id
    shift = _rotation_shift(at_ms, rotation) if rotation is not None else None
    return shift.user_id if shift is not None else None


def shifts(rotation: Rotation | None, overrides: Sequence[Override], start_ms: int, end_ms: int) -> list[Shift]:
    """The schedule over `[start_ms, end_ms)` as consecutive shifts (gaps left out), overrides applied."""
    bounds = {start_ms, end_ms}
    for override in overrides:
        bounds.update(b for b in (override.start_ms, override.end_ms) if start_ms < b < end_ms)
    at = start_ms
    while rotation is not None and at < end_ms:  # every hand-off inside the window
        shift = _rotation_shift(at, rotation)
        nxt = shift.end_ms if shift is not None else _next_rotation_start(rotation, at, end_ms)
        if nxt <= at:
            break
        if nxt < end_ms:
            bounds.add(nxt)
        at = nxt
    edges = sorted(bounds)
    found: list[Shift] = []
    for lo, hi in zip(edges, edges[1:], strict=False):
        cover = _override_at(lo, overrides)
        if cover is not None:
            piece = Shift(cover.user_id, lo, hi, True)
        elif rotation is not None and (shift := _rotation_shift(lo, rotation)) is not None:
            piece = Shift(shift.user_id, lo, hi)
        else:
            continue
        if (
            found
            and found[-1].user_id == piece.user_id
            and found[-1].end_ms == lo
            and found[-1].override == piece.override
        ):
            found[-1] = Shift(piece.user_id, found[-1].start_ms, hi, piece.override)
        else:
            found.append(piece)
    return found


def _next_rotation_start(rotation: Rotation, at_ms: int, end_ms: int) -> int:
    """Where the rotation next has someone after a gap at `at_ms` (end_ms when nowhere before it)."""
    if rotation.kind == "shifts":
        return min((s for _, s, _ in rotation.shifts if s > at_ms), default=end_ms)
    if not rotation.users:
        return end_ms
    first = _handoff_ms(rotation.start, rotation, zone(rotation.zone))
    return first if first > at_ms else end_ms
