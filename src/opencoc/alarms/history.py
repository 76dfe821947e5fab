"""The alarms' handling history (what `list_alarm_handle_histories` returns)."""

from typing import Any

from sqlalchemy import Connection

from opencoc.alarms import ids, sql
from opencoc.core.clock import now_ms
from opencoc.core.fastsql import cursor

INCIDENT = "incident"
CLEAR = "clear"
PROCESSING = "PROCESSING"  # a handling that runs on (a script order)
FINISHED = "FINISHED"


def row(
    *,
    tenant_id: int,
    alarm_id: str,
    task_type: str,
    create_name: str,
    status: str = FINISHED,
    associated_task_id: str | None = None,
    associated_task_type: str | None = None,
    associated_task_name: str | None = None,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One handling of an alarm, as the parameters of INSERT_HISTORY."""
    now = now_ms()
    return sql.INSERT_HISTORY.params(
        {
            "tenant_id": tenant_id,
            "alarm_id": alarm_id,
            "work_order_id": ids.work_order_id(),
            "task_type": task_type,
            "create_name": create_name,
            "status": status,
            "associated_task_id": associated_task_id,
            "associated_task_type": associated_task_type,
            "associated_task_name": associated_task_name,
            "detail": detail or {},
            "start_time": now,
            "end_time": now if status == FINISHED else None,
        }
    )


def insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        cursor(conn).executemany(sql.INSERT_HISTORY.text(conn), rows)


def record(conn: Connection, **fields: Any) -> str:
    """Append one handling of an alarm (fields as `row` takes them); its work_order_id."""
    entry = row(**fields)
    insert(conn, [entry])
    return str(entry["work_order_id"])
