"""The statements of the ingest hot path, run on the driver's own cursor inside the session's transaction.

Measured under load (py-spy, bench/alarms.py): SQLAlchemy's execution layer cost more than SQLite
itself per statement, and the writer thread shares the GIL with the HTTP loop; the raw cursor
(core/fastsql.py `cursor`) and `executemany` for the batch's history rows remove most of that.

UPSERT is the deduplication: the unique key (integration_id, active_key) turns a repeat of an
active alarm into `count = count + 1`; `count = 1` in its RETURNING row means a new alarm. CLEAR
closes the active alarm (active_key -> NULL) so the next report of that id opens a new one.
"""

from opencoc.alarms.models import Alarm, AlarmHistory
from opencoc.core.fastsql import Insert, Statement, Update

UPSERT = Insert(
    Alarm,
    "ON CONFLICT (integration_id, active_key) DO UPDATE SET count = alarms.count + 1, "
    "last_time = excluded.last_time, update_time = excluded.update_time, alarm_level = excluded.alarm_level, "
    "alarm_desc = excluded.alarm_desc, additional = excluded.additional "
    "RETURNING id, alarm_id, count, incident_num",
    omit=("incident_num", "cleared_by", "clear_remarks", "clear_time"),  # set when linked or cleared
)

CLEAR = Statement(
    "UPDATE alarms SET alarm_status = 'ok', active_key = NULL, last_time = :last_time, clear_time = :now, "
    "update_time = :now, cleared_by = :cleared_by, clear_remarks = :remarks "
    "WHERE integration_id = :integration_id AND active_key = :active_key "
    "RETURNING alarm_id, original_alarm_id, alarm_name, incident_num"
)

LINK_INCIDENT = Update(Alarm, ("incident_num", "update_time"), "id = :id AND incident_num IS NULL")

INSERT_HISTORY = Insert(AlarmHistory)
