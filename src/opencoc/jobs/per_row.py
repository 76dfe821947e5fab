"""One UPDATE for many instance rows, each with values of its own: `CASE id WHEN :id<k> THEN :<name><k> ...`.

Statements of this shape are built once per size (a power of two: `padded`), so a group of any size
reuses one of a few compiled statements, and on PostgreSQL each is one round trip where an
executemany sends one statement per row.
"""

from typing import Any, cast

from sqlalchemy import BindParameter, Case, Table, bindparam, case

from opencoc.jobs.models import ScriptInstance

_I = cast(Table, ScriptInstance.__table__)


def padded(count: int) -> int:
    """The statement size that takes `count` rows: the next power of two."""
    return 1 << (count - 1).bit_length()


def ids(size: int) -> list[BindParameter[int]]:
    """The rows' ids, `:id0` .. `:id<size-1>`."""
    return [bindparam(f"id{k}", type_=_I.c.id.type) for k in range(size)]


def by_id(row_ids: list[BindParameter[int]], name: str, column: Any) -> Case[Any]:
    """`column`'s value per row: `:<name><k>` for the row of `:id<k>`."""
    return case(
        *[(row_id, bindparam(f"{name}{k}", type_=column.type)) for k, row_id in enumerate(row_ids)], value=_I.c.id
    )


def params(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The bound values of these rows (each {"id": ..., <name>: ...}), padded by repeating the last: a repeated row
    changes nothing more."""
    rows = rows + rows[-1:] * (padded(len(rows)) - len(rows))
    return {f"{name}{k}": value for k, row in enumerate(rows) for name, value in row.items()}
