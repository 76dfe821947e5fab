"""The overview's incident figures: open by level, MTTA and MTTR, incidents per day by level.

Every figure is one SQL aggregate (COUNT, AVG, GROUP BY) that SQLite and PostgreSQL both run;
rows are never loaded into Python. Days are UTC days: `create_time / 86400000` is integer
division on both databases (BIGINT / INTEGER).
"""

from dataclasses import dataclass

from sqlalchemy import BigInteger, ColumnElement, func, literal_column, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from opencoc.incidents import enums
from opencoc.incidents.models import Incident, IncidentHistory
from opencoc.incidents.search import OPEN_STATUSES

DAY_MS = 86_400_000


def day_of(column: InstrumentedAttribute[int]) -> ColumnElement[int]:
    """The UTC day number (days since 1970-01-01) of a millisecond column, in SQL."""
    return column.op("/", return_type=BigInteger)(literal_column(str(DAY_MS)))


@dataclass(frozen=True)
class Durations:
    """Mean time to acknowledge and to resolve, in ms (None without any), over incidents created since a time."""

    mtta_ms: float | None
    acknowledged: int  # how many incidents the MTTA averages over
    mttr_ms: float | None
    resolved: int  # how many incidents the MTTR averages over


def open_by_level(session: Session, *, tenant_id: int) -> dict[str, int]:
    """How many of the tenant's incidents are open (not completed), per level."""
    rows = session.execute(
        select(Incident.incident_level, func.count())
        .where(Incident.tenant_id == tenant_id, Incident.status.in_(OPEN_STATUSES))
        .group_by(Incident.incident_level)
    )
    return {level: int(count) for level, count in rows.all()}


def durations(session: Session, *, tenant_id: int, since: int) -> Durations:
    """MTTA: creation to the first accept; MTTR: creation to the (latest) solution; incidents created since `since`."""
    accepted = (
        select(IncidentHistory.incident_num, func.min(IncidentHistory.operate_time).label("at"))
        # an accept follows its incident's creation: older history cannot belong to an incident created since
        .where(
            IncidentHistory.tenant_id == tenant_id,
            IncidentHistory.operate_key == enums.ACCEPT,
            IncidentHistory.operate_time >= since,
        )
        .group_by(IncidentHistory.incident_num)
        .subquery()
    )
    created_since = (Incident.tenant_id == tenant_id, Incident.create_time >= since)
    mtta = session.execute(
        select(func.avg(accepted.c.at - Incident.create_time), func.count())
        .select_from(Incident)
        .join(accepted, accepted.c.incident_num == Incident.incident_num)
        .where(*created_since)
    ).one()
    mttr = session.execute(
        select(func.avg(Incident.handle_time - Incident.create_time), func.count()).where(
            *created_since, Incident.handle_time.is_not(None)
        )
    ).one()
    return Durations(
        None if mtta[0] is None else float(mtta[0]),
        int(mtta[1]),
        None if mttr[0] is None else float(mttr[0]),
        int(mttr[1]),
    )


def per_day_by_level(session: Session, *, tenant_id: int, since: int) -> dict[int, dict[str, int]]:
    """UTC day -> level -> how many incidents were created that day, since `since`."""
    day = day_of(Incident.create_time)
    rows = session.execute(
        select(day, Incident.incident_level, func.count())
        .where(Incident.tenant_id == tenant_id, Incident.create_time >= since)
        .group_by(day, Incident.incident_level)
    )
    out: dict[int, dict[str, int]] = {}
    for number, level, count in rows.all():
        out.setdefault(int(number), {})[level] = int(count)
    return out
