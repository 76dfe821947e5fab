"""Store a batch of alarm reports in one transaction: dedup, conversion to incidents, clears.

Reports are applied in (integration, original id) order so that concurrent batches on
PostgreSQL take row locks in the same order; reports of one alarm keep their arrival order.
"""

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencoc.alarms import history, ids, rules, sql
from opencoc.alarms.models import Integration
from opencoc.alarms.schemas import ACTIVE, AlarmReport
from opencoc.alarms.service import changes_key
from opencoc.core.clock import now_ms
from opencoc.core.db import wake_after_commit
from opencoc.core.errors import OpenCOCError, unauthorized
from opencoc.core.fastsql import cursor
from opencoc.incidents import service as incidents

log = logging.getLogger("opencoc.alarms")

INCIDENT_ALARM_CLEARED = "alarmCleared"


@dataclass(slots=True)
class Item:
    integration_id: int
    report: AlarmReport


@dataclass(frozen=True, slots=True)
class Target:
    """An enabled integration as a batch sees it inside its transaction."""

    id: int
    tenant_id: int
    rules: rules.Rules


def _targets(session: Session, integration_ids: set[int]) -> dict[int, Target]:
    rows = session.execute(
        select(Integration.id, Integration.tenant_id, Integration.rules).where(
            Integration.id.in_(integration_ids), Integration.enabled.is_(True)
        )
    )
    return {row.id: Target(row.id, row.tenant_id, rules.Rules.model_validate(row.rules)) for row in rows}


def description(report: AlarmReport) -> str:
    """The incident description of an alarm: its description, resource and link."""
    parts = [report.alarm_desc]
    if report.resource_name or report.resource_id:
        parts.append(f"resource: {report.resource_name or ''} ({report.resource_id or ''})")
    if report.url:
        parts.append(f"url: {report.url}")
    return "\n".join(parts)


class _Batch:
    """One transaction's work: statements on the driver cursor; the history rows go in at the end."""

    def __init__(self, session: Session, targets: dict[int, Target]) -> None:
        self.session = session
        self.conn = session.connection()
        self.cur = cursor(self.conn)
        self.targets = targets
        self.now = now_ms()
        self.upsert = sql.UPSERT.text(self.conn)
        self.clear = sql.CLEAR.text(self.conn)
        self.link = sql.LINK_INCIDENT.text(self.conn)
        self.histories: list[dict[str, Any]] = []

    def fire(self, target: Target, report: AlarmReport) -> None:
        params = sql.UPSERT.params(
            {
                "alarm_id": ids.alarm_id(),
                "tenant_id": target.tenant_id,
                "integration_id": target.id,
                "active_key": report.original_alarm_id,
                "original_alarm_id": report.original_alarm_id,
                "alarm_name": report.alarm_name,
                "alarm_level": report.alarm_level,
                "alarm_status": ACTIVE,
                "name_space": report.name_space,
                "region_id": report.region_id,
                "application_id": report.application_id,
                "resource_name": report.resource_name,
                "resource_id": report.resource_id,
                "alarm_desc": report.alarm_desc,
                "url": report.url,
                "alarm_source": report.alarm_source,
                "additional": report.additional,
                "count": 1,
                "first_time": report.time,
                "last_time": report.time,
                "create_time": self.now,
                "update_time": self.now,
            }
        )
        self.cur.execute(self.upsert, params)
        row_id, alarm_id, _count, incident_num = self.cur.fetchone()
        wake_after_commit(self.session, changes_key(target.tenant_id))
        if incident_num is None:
            level = target.rules.level_map.get(report.alarm_level)
            if level:
                self._open_incident(target, row_id, alarm_id, report, level)

    def _open_incident(self, target: Target, row_id: int, alarm_id: str, report: AlarmReport, level: str) -> None:
        try:
            body = rules.incident_request(
                target.rules,
                level=level,
                title=report.alarm_name,
                description=description(report),
                region_id=report.region_id,
                application_id=report.application_id,
                start_time=report.time,
            )
        except ValidationError as exc:
            log.warning("alarm %s: no incident, the integration's rules do not make one: %s", alarm_id, exc)
            return
        incident = incidents.create_incident(self.session, tenant_id=target.tenant_id, body=body)
        self.cur.execute(self.link, {"id": row_id, "incident_num": incident.incident_num, "update_time": self.now})
        self.histories.append(
            history.row(
                tenant_id=target.tenant_id,
                alarm_id=alarm_id,
                task_type=history.INCIDENT,
                create_name=report.alarm_source,
                associated_task_id=incident.incident_num,
                associated_task_type="incident",
                associated_task_name=incident.incident_title,
                detail={"incident_level": level},
            )
        )

    def clear_alarm(self, target: Target, report: AlarmReport) -> None:
        params = {
            "integration_id": target.id,
            "active_key": report.original_alarm_id,
            "last_time": report.time,
            "now": self.now,
            "cleared_by": report.alarm_source,
            "remarks": None,
        }
        self.cur.execute(self.clear, params)
        found = self.cur.fetchone()
        if found is None:
            return
        alarm_id, original_alarm_id, alarm_name, incident_num = found
        wake_after_commit(self.session, changes_key(target.tenant_id))
        self.histories.append(
            history.row(
                tenant_id=target.tenant_id, alarm_id=alarm_id, task_type=history.CLEAR, create_name=report.alarm_source
            )
        )
        if incident_num:
            incidents.add_history(
                self.session,
                tenant_id=target.tenant_id,
                incident_num=incident_num,
                operator=report.alarm_source,
                operate_key=INCIDENT_ALARM_CLEARED,
                parameter={
                    "alarm_id": alarm_id,
                    "original_alarm_id": original_alarm_id,
                    "alarm_name": alarm_name,
                    "clear_time": self.now,
                },
            )

    def finish(self) -> None:
        history.insert(self.conn, self.histories)


def ingest_batch(session: Session, items: list[Item]) -> list[OpenCOCError | None]:
    """Apply every report; per item None, or the error its request gets (its integration is gone)."""
    batch = _Batch(session, _targets(session, {item.integration_id for item in items}))
    results: list[OpenCOCError | None] = [None] * len(items)
    order = sorted(range(len(items)), key=lambda i: (items[i].integration_id, items[i].report.original_alarm_id))
    for index in order:
        item = items[index]
        target = batch.targets.get(item.integration_id)
        if target is None:
            results[index] = unauthorized()
        elif item.report.firing:
            batch.fire(target, item.report)
        else:
            batch.clear_alarm(target, item.report)
    batch.finish()
    return results
