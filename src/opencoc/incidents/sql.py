"""The statements of the incident hot paths (create, handle), sent to the driver as they are.

Measured on SQLite (bench/incidents.py, /tmp profiles): building ORM statements per request cost
~2 ms of a 2.5 ms handle, and even prebuilt `text()` statements cost ~0.1 ms each in compilation
and result set-up; `exec_driver_sql` costs ~0.03 ms. Reads keep using the ORM.
Parameters are written `:name` (sqlite3's named style) and rewritten to `%(name)s` for psycopg;
JSON values are encoded here and decoded with `json_value` (psycopg decodes them itself).
"""

import re
from typing import Any

import orjson
from sqlalchemy import Connection, CursorResult

from opencoc.core.json_bounds import compact


class Statement:
    """SQL with `:name` parameters, rendered once for each driver's parameter style."""

    def __init__(self, sql: str) -> None:
        self.named = sql
        self.pyformat = re.sub(r":(\w+)", r"%(\1)s", sql)

    def run(self, conn: Connection, params: dict[str, Any]) -> CursorResult[Any]:
        sql = self.pyformat if conn.dialect.name == "postgresql" else self.named
        return conn.exec_driver_sql(sql, params)


def json_text(value: Any) -> str:
    """`value` as compact JSON text to store (orjson: no recursion, and a TypeError past 254 levels)."""
    return compact(value)


def json_value(value: Any) -> Any:
    """A JSON column as read by the driver: text on SQLite, already decoded on PostgreSQL."""
    return orjson.loads(value) if isinstance(value, str) else value


INCIDENT_COLUMNS = (
    "tenant_id",
    "incident_num",
    "project_id",
    "region",
    "enterprise_project",
    "current_cloud_service",
    "incident_assignee",
    "incident_level",
    "is_service_interrupt",
    "incident_type",
    "incident_title",
    "incident_description",
    "incident_source",
    "assignee_scene",
    "assignee_role",
    "incident_ownership",
    "creator",
    "status",
    "start_time",
    "create_time",
    "update_time",
)
JSON_COLUMNS = ("region", "enterprise_project", "current_cloud_service", "incident_assignee")

INSERT_INCIDENT = Statement(
    f"INSERT INTO incidents ({', '.join(INCIDENT_COLUMNS)}) "
    f"VALUES ({', '.join(':' + c for c in INCIDENT_COLUMNS)}) "
    "ON CONFLICT (incident_num) DO NOTHING RETURNING id"
)

INSERT_HISTORY = Statement(
    "INSERT INTO incident_history (tenant_id, incident_num, operator, operate_key, operate_time, parameter) "
    "VALUES (:tenant_id, :incident_num, :operator, :operate_key, :operate_time, :parameter)"
)

SELECT_FOR_HANDLE = Statement(
    "SELECT id, status, incident_assignee, acceptor, creator, start_time FROM incidents "
    "WHERE tenant_id = :tenant_id AND incident_num = :incident_num"
)

SELECT_STATUS = Statement("SELECT status FROM incidents WHERE id = :id")

# The handle statements write only workflow columns: what the creator gave stays as given.
_GUARD = " WHERE id = :id AND status = :expected"

UPDATE_ACCEPT = Statement(
    "UPDATE incidents SET status = :status, update_time = :update_time, acceptor = :acceptor" + _GUARD
)

UPDATE_COMMIT = Statement(
    "UPDATE incidents SET status = :status, update_time = :update_time, solution_mtm_type = :solution_mtm_type, "
    "solution_is_service_interrupt = :solution_is_service_interrupt, solution_start_time = :solution_start_time, "
    "cause = :cause, solution = :solution, fault_recovery_time = :fault_recovery_time, "
    "fault_delineation_time = :fault_delineation_time, handle_time = :handle_time" + _GUARD
)

UPDATE_CONFIRM = Statement(
    "UPDATE incidents SET status = :status, update_time = :update_time, confirm_comment = :confirm_comment" + _GUARD
)
