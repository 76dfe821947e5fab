"""Write JSON text into a JSON column as it is, as a row stored before the input bounds would be."""

from typing import Any

from sqlalchemy import text

from opencoc.core.db import Database


def deep_json(depth: int) -> str:
    """An object nested `depth` levels deep: deeper than orjson writes (254) or json reads (about 1000)."""
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def store_json_text(db: Database, table: str, column: str, where: str, params: dict[str, Any], value: str) -> None:
    """`UPDATE table SET column = value WHERE where`, the JSON text sent to the database unparsed."""
    placeholder = ":value" if db.is_sqlite else "CAST(:value AS JSON)"
    with db.write() as session:
        done = session.execute(
            text(f"UPDATE {table} SET {column} = {placeholder} WHERE {where}"), {**params, "value": value}
        )
        assert done.rowcount == 1, f"no {table} row matched {where} {params}"  # type: ignore[attr-defined]
