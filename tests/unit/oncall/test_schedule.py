"""Rotations across DST changes, overrides inside and across hand-offs, empty schedules."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from opencoc.oncall.schedule import Override, Rotation, on_call, shifts

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
HOUR = 3_600_000


def ms(tz: ZoneInfo, *args: int) -> int:
    return int(datetime(*args, tzinfo=tz).timestamp() * 1000)  # type: ignore[misc]


def daily(zone: str, start: date, users: tuple[str, ...] = ("ann", "bob"), at: time = time(9, 0)) -> Rotation:
    return Rotation(kind="daily", users=users, handoff=at, zone=zone, start=start)


def test_a_daily_rotation_hands_off_at_nine_local_time_on_both_sides_of_berlins_spring_change() -> None:
    rotation = daily("Europe/Berlin", date(2025, 3, 28))  # ann 28th, bob 29th, ann 30th (DST starts 02:00)
    assert on_call(rotation, [], ms(BERLIN, 2025, 3, 29, 8, 59)) == "ann"
    assert on_call(rotation, [], ms(BERLIN, 2025, 3, 29, 9, 0)) == "bob"
    assert on_call(rotation, [], ms(BERLIN, 2025, 3, 30, 8, 59)) == "bob"
    assert on_call(rotation, [], ms(BERLIN, 2025, 3, 30, 9, 0)) == "ann"
    (bob,) = [
        s for s in shifts(rotation, [], ms(BERLIN, 2025, 3, 29, 12), ms(BERLIN, 2025, 3, 30, 12)) if s.user_id == "bob"
    ]
    assert bob.end_ms - ms(BERLIN, 2025, 3, 29, 9) == 23 * HOUR  # the shift over the change is one hour short


def test_a_weekly_rotation_keeps_its_local_hand_off_across_new_yorks_fall_change() -> None:
    rotation = Rotation(kind="weekly", users=("ann", "bob"), handoff=time(10, 0), zone="America/New_York",
                        start=date(2025, 10, 27))  # fmt: skip  # Mondays; DST ends Sunday 2 November
    assert on_call(rotation, [], ms(NEW_YORK, 2025, 11, 3, 9, 59)) == "ann"
    assert on_call(rotation, [], ms(NEW_YORK, 2025, 11, 3, 10, 0)) == "bob"
    week = shifts(rotation, [], ms(NEW_YORK, 2025, 10, 28), ms(NEW_YORK, 2025, 11, 12))
    assert [(s.user_id, s.end_ms) for s in week][:2] == [
        ("ann", ms(NEW_YORK, 2025, 11, 3, 10)),
        ("bob", ms(NEW_YORK, 2025, 11, 10, 10)),
    ]
    assert ms(NEW_YORK, 2025, 11, 3, 10) - ms(NEW_YORK, 2025, 10, 27, 10) == (7 * 24 + 1) * HOUR


def test_a_hand_off_inside_the_spring_gap_happens_once_after_it() -> None:
    rotation = daily("America/New_York", date(2025, 3, 8), at=time(2, 30))  # 9 March 02:30 does not exist
    assert on_call(rotation, [], ms(NEW_YORK, 2025, 3, 9, 1, 59)) == "ann"
    assert on_call(rotation, [], ms(NEW_YORK, 2025, 3, 9, 3, 31)) == "bob"
    assert on_call(rotation, [], ms(NEW_YORK, 2025, 3, 10, 2, 29)) == "bob"
    assert on_call(rotation, [], ms(NEW_YORK, 2025, 3, 10, 2, 30)) == "ann"


def test_a_hand_off_in_the_repeated_fall_hour_happens_at_its_first_occurrence() -> None:
    rotation = daily("Europe/Berlin", date(2025, 10, 25), at=time(2, 30))  # 26 October 02:30 happens twice
    first = int(datetime(2025, 10, 26, 2, 30, tzinfo=BERLIN).timestamp() * 1000)
    second = int(datetime(2025, 10, 26, 2, 30, fold=1, tzinfo=BERLIN).timestamp() * 1000)
    assert second - first == HOUR
    assert on_call(rotation, [], first - 1) == "ann"
    assert on_call(rotation, [], first) == on_call(rotation, [], second) == "bob"


def test_an_override_inside_a_shift_wins_only_while_it_lasts() -> None:
    rotation = daily("UTC", date(2025, 1, 1))
    cover = Override("cat", ms(ZoneInfo("UTC"), 2025, 1, 1, 12), ms(ZoneInfo("UTC"), 2025, 1, 1, 14))
    assert on_call(rotation, [cover], cover.start_ms - 1) == "ann"
    assert on_call(rotation, [cover], cover.start_ms) == "cat"
    assert on_call(rotation, [cover], cover.end_ms) == "ann"
    day = shifts(rotation, [cover], ms(ZoneInfo("UTC"), 2025, 1, 1, 9), ms(ZoneInfo("UTC"), 2025, 1, 2, 9))
    assert [(s.user_id, s.override) for s in day] == [("ann", False), ("cat", True), ("ann", False)]


def test_an_override_across_a_hand_off_covers_both_shifts_and_the_latest_override_wins() -> None:
    utc = ZoneInfo("UTC")
    rotation = daily("UTC", date(2025, 1, 1))
    across = Override("cat", ms(utc, 2025, 1, 2, 6), ms(utc, 2025, 1, 2, 12))  # over bob's 09:00 hand-off
    later = Override("dan", ms(utc, 2025, 1, 2, 10), ms(utc, 2025, 1, 2, 11))
    assert on_call(rotation, [across, later], ms(utc, 2025, 1, 2, 8)) == "cat"
    assert on_call(rotation, [across, later], ms(utc, 2025, 1, 2, 9, 30)) == "cat"
    assert on_call(rotation, [across, later], ms(utc, 2025, 1, 2, 10, 30)) == "dan"
    assert on_call(rotation, [across, later], ms(utc, 2025, 1, 2, 12)) == "bob"
    pieces = shifts(rotation, [across, later], ms(utc, 2025, 1, 2, 0), ms(utc, 2025, 1, 2, 13))
    assert [(s.user_id, s.start_ms) for s in pieces] == [
        ("ann", ms(utc, 2025, 1, 2, 0)),
        ("cat", ms(utc, 2025, 1, 2, 6)),
        ("dan", ms(utc, 2025, 1, 2, 10)),
        ("cat", ms(utc, 2025, 1, 2, 11)),
        ("bob", ms(utc, 2025, 1, 2, 12)),
    ]


def test_empty_schedules_have_nobody_on_call() -> None:
    at = ms(ZoneInfo("UTC"), 2025, 1, 1, 12)
    assert on_call(None, [], at) is None
    assert on_call(Rotation(kind="daily", users=()), [], at) is None
    assert on_call(Rotation(kind="shifts"), [], at) is None
    assert on_call(daily("UTC", date(2025, 6, 1)), [], at) is None  # before the rotation starts
    assert shifts(None, [], at, at + 86_400_000) == []
    assert on_call(None, [Override("cat", at, at + 1)], at) == "cat"


def test_an_explicit_rotation_puts_each_shifts_user_on_call_and_nobody_between_shifts() -> None:
    rotation = Rotation(kind="shifts", shifts=(("ann", 0, 100), ("bob", 200, 300)))
    assert [on_call(rotation, [], t) for t in (0, 99, 100, 200, 299, 300)] == ["ann", "ann", None, "bob", "bob", None]
    assert [(s.user_id, s.start_ms, s.end_ms) for s in shifts(rotation, [], 50, 250)] == [
        ("ann", 50, 100),
        ("bob", 200, 250),
    ]
