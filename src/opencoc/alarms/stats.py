"""The overview's alarm figures: alarms per day by level and by integration, the noisiest sources, last alarm seen.

Each is one SQL aggregate (COUNT, SUM, MAX, GROUP BY) on SQLite and PostgreSQL; no rows are loaded
into Python. An alarm counts on the UTC day it was first raised; "noisy" counts occurrences
(`count`, the reports deduplication folded into one alarm).
"""

from dataclasses import dataclass

from sqlalchemy import BigInteger, func, literal_column, select
from sqlalchemy.orm import Session

from opencoc.alarms.models import Alarm, Integration

DAY_MS = 86_400_000
NO_INTEGRATION = ""  # the integration key of alarms whose integration was deleted


@dataclass(frozen=True)
class Source:
    """An alarm source with its alarms and their occurrences since a time."""

    alarm_source: str
    alarms: int
    occurrences: int


def per_day_by_level(session: Session, *, tenant_id: int, since: int) -> dict[int, dict[str, int]]:
    """UTC day -> alarm level -> alarms first raised that day, since `since`."""
    day = Alarm.first_time.op("/", return_type=BigInteger)(literal_column(str(DAY_MS)))
    rows = session.execute(
        select(day, Alarm.alarm_level, func.count())
        .where(Alarm.tenant_id == tenant_id, Alarm.first_time >= since)
        .group_by(day, Alarm.alarm_level)
    )
    out: dict[int, dict[str, int]] = {}
    for number, level, count in rows.all():
        out.setdefault(int(number), {})[level] = int(count)
    return out


def per_day_by_integration(session: Session, *, tenant_id: int, since: int) -> dict[int, dict[str, int]]:
    """UTC day -> integration_id ("" once deleted) -> alarms first raised that day, since `since`."""
    day = Alarm.first_time.op("/", return_type=BigInteger)(literal_column(str(DAY_MS)))
    rows = session.execute(
        select(day, Integration.integration_id, func.count())
        .select_from(Alarm)
        .outerjoin(Integration, Alarm.integration_id == Integration.id)
        .where(Alarm.tenant_id == tenant_id, Alarm.first_time >= since)
        .group_by(day, Integration.integration_id)
    )
    out: dict[int, dict[str, int]] = {}
    for number, integration_id, count in rows.all():
        out.setdefault(int(number), {})[integration_id or NO_INTEGRATION] = int(count)
    return out


def noisiest_sources(session: Session, *, tenant_id: int, since: int, limit: int = 5) -> list[Source]:
    """The alarm sources with the most occurrences among alarms last seen since `since`, noisiest first."""
    occurrences = func.sum(Alarm.count)
    rows = session.execute(
        select(Alarm.alarm_source, func.count(), occurrences)
        .where(Alarm.tenant_id == tenant_id, Alarm.last_time >= since)
        .group_by(Alarm.alarm_source)
        .order_by(occurrences.desc(), Alarm.alarm_source)
        .limit(limit)
    )
    return [Source(source, int(alarms), int(total)) for source, alarms, total in rows.all()]


def last_alarm_by_integration(session: Session, *, tenant_id: int) -> dict[str, int]:
    """integration_id -> when its latest alarm was last reported (ms), for the tenant's integrations with alarms."""
    rows = session.execute(
        select(Integration.integration_id, func.max(Alarm.last_time))
        .join(Alarm, Alarm.integration_id == Integration.id)
        .where(Integration.tenant_id == tenant_id)
        .group_by(Integration.integration_id)
    )
    return {integration_id: int(at) for integration_id, at in rows.all()}
