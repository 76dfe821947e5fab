"""The console's reads of incidents: a filtered, sorted page, counts per status and level, one timeline.

Counts are SQL aggregates (GROUP BY), never rows loaded into Python.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, cast, func, select
from sqlalchemy.orm import Session

from opencoc.incidents import enums
from opencoc.incidents.models import Incident, IncidentHistory

PAGE_SIZE = 50
OPEN_STATUSES = (enums.TRIGGERED, enums.ACKNOWLEDGED, enums.RESOLVED)
# What a list may be sorted by: the name in the URL -> the column.
SORTS: dict[str, Any] = {
    "created": Incident.create_time,
    "level": Incident.incident_level,
    "status": Incident.status,
    "title": Incident.incident_title,
}


@dataclass(frozen=True)
class Filters:
    """What the incident list shows; None/empty means any."""

    status: str | None = None
    level: str | None = None
    source: str | None = None
    text: str | None = None
    assignee: str | None = None  # a user_id: "assigned to me"
    sort: str = "created"
    descending: bool = True
    page: int = 1


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(tenant_id: int, filters: Filters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [Incident.tenant_id == tenant_id]
    if filters.status:
        where.append(Incident.status == filters.status)
    if filters.level:
        where.append(Incident.incident_level == filters.level)
    if filters.source:
        where.append(Incident.incident_source == filters.source)
    if filters.text:
        pattern = f"%{_like_escaped(filters.text.lower())}%"
        where.append(func.lower(Incident.incident_title).like(pattern, escape="\\"))
    if filters.assignee:
        # incident_assignee is a JSON list of user ids (at most one, the API's rule): match its text.
        where.append(
            cast(Incident.incident_assignee, String).like(f'%"{_like_escaped(filters.assignee)}"%', escape="\\")
        )
    return where


@dataclass(frozen=True)
class Listed:
    """An incident as the list shows it (the columns of its row, not the whole incident)."""

    incident_num: str
    incident_title: str
    incident_level: str
    status: str
    incident_source: str
    incident_assignee: list[str]
    assignee_role: str | None
    create_time: int


_LISTED = (
    Incident.incident_num,
    Incident.incident_title,
    Incident.incident_level,
    Incident.status,
    Incident.incident_source,
    Incident.incident_assignee,
    Incident.assignee_role,
    Incident.create_time,
)


def page(
    session: Session, *, tenant_id: int, filters: Filters, counts: "Counts | None" = None
) -> tuple[int, list[Listed]]:
    """(how many match, the page's incidents) for the filters.

    Given the tenant's `counts`, a list filtered by status and level only (or not at all) takes its
    total from them instead of counting the matching rows again.
    """
    where = _where(tenant_id, filters)
    if counts is not None and not (filters.source or filters.text or filters.assignee):
        total = counts.matching(filters.status, filters.level)
    else:
        total = session.scalar(select(func.count()).select_from(Incident).where(*where)) or 0
    column = SORTS.get(filters.sort, Incident.create_time)
    order = (column.desc(), Incident.id.desc()) if filters.descending else (column.asc(), Incident.id.asc())
    # only the shown columns: loading 50 whole incidents (35 columns, 4 of them JSON) cost ~2 ms
    rows = session.execute(
        select(*_LISTED).where(*where).order_by(*order).offset((max(filters.page, 1) - 1) * PAGE_SIZE).limit(PAGE_SIZE)
    )
    return total, [Listed(*row) for row in rows]


@dataclass(frozen=True)
class Counts:
    """The tenant's incidents per status, and the open ones (not completed) per level."""

    by_status: dict[str, int]
    open_by_level: dict[str, int]
    by_status_and_level: dict[tuple[str, str], int]

    def matching(self, status: str | None, level: str | None) -> int:
        """How many have this status and level (None: any)."""
        return sum(
            count
            for (s, lv), count in self.by_status_and_level.items()
            if (status is None or s == status) and (level is None or lv == level)
        )


def counts(session: Session, *, tenant_id: int) -> Counts:
    """Both counts of the incident list from one GROUP BY (ix_incidents_tenant_id_status_level covers it)."""
    rows = session.execute(
        select(Incident.status, Incident.incident_level, func.count())
        .where(Incident.tenant_id == tenant_id)
        .group_by(Incident.status, Incident.incident_level)
    )
    by_status: dict[str, int] = {}
    open_by_level: dict[str, int] = {}
    cells: dict[tuple[str, str], int] = {}
    for status, level, count in rows:
        cells[(status, level)] = count
        by_status[status] = by_status.get(status, 0) + count
        if status in OPEN_STATUSES:
            open_by_level[level] = open_by_level.get(level, 0) + count
    return Counts(by_status, open_by_level, cells)


@dataclass(frozen=True)
class Operation:
    """One entry of an incident's history: who did what, when, with which values."""

    operator: str
    operate_key: str
    operate_time: int
    parameter: dict[str, Any]


def timeline(session: Session, *, tenant_id: int, incident_num: str) -> list[Operation]:
    """The incident's history, oldest first."""
    rows = session.scalars(
        select(IncidentHistory)
        .where(IncidentHistory.tenant_id == tenant_id, IncidentHistory.incident_num == incident_num)
        .order_by(IncidentHistory.operate_time, IncidentHistory.id)
    )
    return [Operation(r.operator, r.operate_key, r.operate_time, r.parameter) for r in rows]
