"""The fast SQL path of the hot tables: statements sent to the driver as they are, built from the models.

Measured on SQLite: building ORM statements per request cost ~2 ms of a 2.5 ms incident handle
(bench/incidents.py); one incident-history INSERT costs ~80 us as a compiled and cached Core
`insert()` (parameter processing and result set-up on every execution), ~37 us as SQL text through
`exec_driver_sql`, ~15 us on the driver's own cursor. So the hot paths (incident create and
handle, alarm ingest) send SQL text, but the column lists of that text come from the models'
tables (`Insert`, `Update`, `Select`): a model, its migrations (checked against each other by
tests/unit/migrations/test_models_match_migrations.py) and these statements have one source.

Parameters are written `:name` (sqlite3's named style) and rendered once as `%(name)s` for
psycopg. JSON values are encoded here (`json_text`, `Insert.params`) and decoded with
`json_value`: sqlite3 returns JSON columns as text, psycopg decodes them itself.
"""

import re
from collections.abc import Iterable, Mapping
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, CursorResult, Table

from opencoc.core.json_bounds import compact
from opencoc.core.models import Base


def json_text(value: Any) -> str:
    """`value` as compact JSON text to store (orjson: no recursion, and a TypeError past 254 levels)."""
    return compact(value)


def json_value(value: Any) -> Any:
    """A JSON column as read by the driver: text on SQLite, already decoded on PostgreSQL."""
    return orjson.loads(value) if isinstance(value, str) else value


def cursor(conn: Connection) -> Any:
    """A cursor of the driver connection under `conn`, in the same transaction."""
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


class Statement:
    """SQL with `:name` parameters, rendered once for each driver's parameter style."""

    def __init__(self, sql: str) -> None:
        self.named = sql
        self.pyformat = re.sub(r":(\w+)", r"%(\1)s", sql)

    def text(self, conn: Connection) -> str:
        """The SQL in the parameter style of `conn`'s driver (for its raw cursor)."""
        return self.pyformat if conn.dialect.name == "postgresql" else self.named

    def run(self, conn: Connection, params: Mapping[str, Any]) -> CursorResult[Any]:
        return conn.exec_driver_sql(self.text(conn), params)


def _table(model: type[Base]) -> Table:
    table = model.__table__
    assert isinstance(table, Table)
    return table


def _names(table: Table, columns: Iterable[str]) -> tuple[str, ...]:
    """`columns`, each checked to be a column of `table` (a KeyError names the one that is not)."""
    return tuple(table.columns[name].name for name in columns)


class Insert(Statement):
    """INSERT of every column of `model` but its primary key and `omit` (left NULL), then `tail`."""

    def __init__(self, model: type[Base], tail: str = "", *, omit: Iterable[str] = ()) -> None:
        table = _table(model)
        left_out = set(_names(table, omit))
        self.columns = tuple(c.name for c in table.columns if not c.primary_key and c.name not in left_out)
        self._keys = frozenset(self.columns)
        self._json = tuple(c.name for c in table.columns if c.name in self._keys and isinstance(c.type, JSON))
        values = ", ".join(f":{name}" for name in self.columns)
        super().__init__(f"INSERT INTO {table.name} ({', '.join(self.columns)}) VALUES ({values}) {tail}".rstrip())

    def params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """`values`, one for each column, as this statement's parameters: JSON columns encoded."""
        if values.keys() != self._keys:
            missing, unknown = sorted(self._keys - values.keys()), sorted(values.keys() - self._keys)
            raise KeyError(f"INSERT columns: missing {missing}, unknown {unknown}")
        row = dict(values)
        for name in self._json:
            if row[name] is not None:
                row[name] = json_text(row[name])
        return row


class Update(Statement):
    """UPDATE the table of `model` SET each of `columns` to its `:column` parameter WHERE `where`."""

    def __init__(self, model: type[Base], columns: Iterable[str], where: str) -> None:
        table = _table(model)
        sets = ", ".join(f"{name} = :{name}" for name in _names(table, columns))
        super().__init__(f"UPDATE {table.name} SET {sets} WHERE {where}")


class Select(Statement):
    """SELECT `columns` FROM the table of `model` WHERE `where`."""

    def __init__(self, model: type[Base], columns: Iterable[str], where: str) -> None:
        table = _table(model)
        super().__init__(f"SELECT {', '.join(_names(table, columns))} FROM {table.name} WHERE {where}")
