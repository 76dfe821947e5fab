"""The integer bounds every route applies (core/limits.py) are what the stores and the wire hold."""

import sqlite3

import pytest

from opencoc.core.clock import ms_to_iso
from opencoc.core.limits import INT32_MAX, INT32_MIN, INT64_MAX, MAX_MS


def test_int64_max_is_the_largest_integer_sqlite_stores() -> None:
    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE t (n BIGINT)")
        conn.execute("INSERT INTO t VALUES (?)", (INT64_MAX,))
        assert conn.execute("SELECT n FROM t").fetchone() == (INT64_MAX,)
        with pytest.raises(OverflowError):
            conn.execute("INSERT INTO t VALUES (?)", (INT64_MAX + 1,))


def test_int32_bounds_are_those_of_a_postgresql_integer() -> None:
    assert (INT32_MIN, INT32_MAX) == (-2_147_483_648, 2_147_483_647)


def test_max_ms_is_the_largest_13_digit_time_and_fits_every_column() -> None:
    assert len(str(MAX_MS)) == 13 and len(str(MAX_MS + 1)) == 14
    assert MAX_MS < INT64_MAX
    assert ms_to_iso(MAX_MS).startswith("2286-")  # type: ignore[union-attr]
