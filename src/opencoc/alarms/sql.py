"""The statements of the ingest hot path, run on the driver's own cursor inside the session's transaction.

Measured under load (py-spy, bench/alarms.py): SQLAlchemy's execution layer cost more than SQLite
itself per statement, and the writer thread shares the GIL with the HTTP loop; the raw cursor
and `executemany` for the batch's history rows remove most of that.

UPSERT is the deduplication: the unique key (integration_id, active_key) turns a repeat of an
active alarm into `count = count + 1`; `count = 1` in its RETURNING row means a new alarm. CLEAR
closes the active alarm (active_key -> NULL) so the next report of that id opens a new one.
"""

import re
from typing import Any

from sqlalchemy import Connection


class Statement:
    """SQL with `:name` parameters, in the parameter style of each driver."""

    def __init__(self, sql: str) -> None:
        self.named = sql
        self.pyformat = re.sub(r":(\w+)", r"%(\1)s", sql)

    def text(self, conn: Connection) -> str:
        return self.pyformat if conn.dialect.name == "postgresql" else self.named


def cursor(conn: Connection) -> Any:
    """A cursor of the driver connection under `conn`, in the same transaction."""
    return conn.connection.driver_connection.cursor()  # type: ignore[union-attr]


ALARM_COLUMNS = (
    "alarm_id",
    "tenant_id",
    "integration_id",
    "active_key",
    "original_alarm_id",
    "alarm_name",
    "alarm_level",
    "alarm_status",
    "name_space",
    "region_id",
    "application_id",
    "resource_name",
    "resource_id",
    "alarm_desc",
    "url",
    "alarm_source",
    "additional",
    "count",
    "first_time",
    "last_time",
    "create_time",
    "update_time",
)

UPSERT = Statement(
    f"INSERT INTO alarms ({', '.join(ALARM_COLUMNS)}) VALUES ({', '.join(':' + c for c in ALARM_COLUMNS)}) "
    "ON CONFLICT (integration_id, active_key) DO UPDATE SET count = alarms.count + 1, "
    "last_time = excluded.last_time, update_time = excluded.update_time, alarm_level = excluded.alarm_level, "
    "alarm_desc = excluded.alarm_desc, additional = excluded.additional "
    "RETURNING id, alarm_id, count, incident_num"
)

CLEAR = Statement(
    "UPDATE alarms SET alarm_status = 'ok', active_key = NULL, last_time = :last_time, clear_time = :now, "
    "update_time = :now, cleared_by = :cleared_by, clear_remarks = :remarks "
    "WHERE integration_id = :integration_id AND active_key = :active_key "
    "RETURNING alarm_id, original_alarm_id, alarm_name, incident_num"
)

LINK_INCIDENT = Statement(
    "UPDATE alarms SET incident_num = :incident_num, update_time = :now WHERE id = :id AND incident_num IS NULL"
)

INSERT_HISTORY = Statement(
    "INSERT INTO alarm_histories (tenant_id, alarm_id, work_order_id, task_type, create_name, status, "
    "associated_task_id, associated_task_type, associated_task_name, detail, start_time, end_time) "
    "VALUES (:tenant_id, :alarm_id, :work_order_id, :task_type, :create_name, :status, :associated_task_id, "
    ":associated_task_type, :associated_task_name, :detail, :start_time, :end_time)"
)
