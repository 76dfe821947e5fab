"""How the console writes times and enumerated values for people."""

from opencoc.console.render import enum_name, when


def test_when_writes_milliseconds_as_a_utc_date_and_time() -> None:
    assert when(1764772800123) == "2025-12-03 14:40:00 UTC"
    assert when(0) == "1970-01-01 00:00:00 UTC"
    assert when(None) == ""


def test_an_enumerated_value_without_a_name_is_shown_as_its_key() -> None:
    names = {"level_p1": ("P1", "Critical")}
    assert enum_name(names, "level_p1") == "Critical"
    assert enum_name(names, "level_x") == "level_x"
    assert enum_name(names, None) == ""
