"""The overview's SQL aggregates on both databases, with known rows: exact counts, MTTA and MTTR to the ms."""

import itertools
from typing import Any

import pytest

from opencoc.agents import service as agents
from opencoc.agents.models import Agent
from opencoc.alarms import service as alarms
from opencoc.alarms.models import Alarm, Integration
from opencoc.alarms.rules import Rules
from opencoc.auth import service as auth_service
from opencoc.auth.caller import Caller
from opencoc.core.db import Database
from opencoc.incidents import enums
from opencoc.incidents import service as incidents
from opencoc.incidents.models import Incident, IncidentHistory
from opencoc.jobs import service as jobs
from opencoc.jobs.models import ScriptOrder

DAY, HOUR, MINUTE = 86_400_000, 3_600_000, 60_000
T0 = 1_700_000_000_000 // DAY * DAY  # the start of a UTC day
DAY0 = T0 // DAY
_serial = itertools.count(1)


def _tenant(db: Database) -> int:
    name = f"fig{next(_serial)}-{id(db) % 10_000}"
    with db.write() as session:
        return auth_service.create_tenant(session, name=name).id


def _incident(tenant_id: int, level: str, status: str, created: int, handled: int | None = None) -> Incident:
    return Incident(
        tenant_id=tenant_id,
        incident_num=f"FIGINC{next(_serial):09d}",
        region=[],
        enterprise_project=[],
        current_cloud_service=[],
        incident_level=level,
        is_service_interrupt=False,
        incident_type="inc_type_p_function_issues",
        incident_title="figure",
        incident_description="",
        incident_source="incident_source_manual",
        incident_assignee=[],
        creator="someone",
        status=status,
        handle_time=handled,
        create_time=created,
        update_time=created,
    )


def _accepted(incident: Incident, at: int) -> IncidentHistory:
    return IncidentHistory(
        tenant_id=incident.tenant_id,
        incident_num=incident.incident_num,
        operator="someone",
        operate_key=enums.ACCEPT,
        operate_time=at,
        parameter={},
    )


@pytest.fixture
def incident_tenant(db: Database) -> int:
    """A: P1 open; B: P1 accepted after 10 min; C: P2 accepted after 30 min (and again later), solved after 3 h;
    D: P3 accepted after 20 min, solved after 1 h, completed; E: before the window (accepted 100 min, 10 h)."""
    tenant_id = _tenant(db)
    a = _incident(tenant_id, "level_10", enums.TRIGGERED, T0 + HOUR)
    b = _incident(tenant_id, "level_10", enums.ACKNOWLEDGED, T0 + 2 * HOUR)
    c = _incident(tenant_id, "level_20", enums.RESOLVED, T0 + DAY + HOUR, handled=T0 + DAY + 4 * HOUR)
    d = _incident(tenant_id, "level_30", enums.COMPLETED, T0 + DAY + 5 * HOUR, handled=T0 + DAY + 6 * HOUR)
    e = _incident(tenant_id, "level_20", enums.COMPLETED, T0 - DAY, handled=T0 - DAY + 10 * HOUR)
    with db.write() as session:
        session.add_all([a, b, c, d, e])
        session.add_all(
            [
                _accepted(b, b.create_time + 10 * MINUTE),
                _accepted(c, c.create_time + 30 * MINUTE),
                _accepted(c, c.create_time + 90 * MINUTE),  # a later accept is not the first
                _accepted(d, d.create_time + 20 * MINUTE),
                _accepted(e, e.create_time + 100 * MINUTE),
            ]
        )
    return tenant_id


def test_open_incidents_are_counted_per_level(db: Database, incident_tenant: int) -> None:
    with db.read() as session:
        assert incidents.stats.open_by_level(session, tenant_id=incident_tenant) == {"level_10": 2, "level_20": 1}


def test_mtta_and_mttr_average_the_incidents_created_in_the_window(db: Database, incident_tenant: int) -> None:
    with db.read() as session:
        found = incidents.stats.durations(session, tenant_id=incident_tenant, since=T0)
    assert found == incidents.stats.Durations(mtta_ms=20 * MINUTE, acknowledged=3, mttr_ms=2 * HOUR, resolved=2), (
        "MTTA = mean(10, 30, 20) min; MTTR = mean(3, 1) h; E is before the window"
    )


def test_mtta_and_mttr_are_none_without_incidents(db: Database) -> None:
    with db.read() as session:
        found = incidents.stats.durations(session, tenant_id=_tenant(db), since=T0)
    assert found == incidents.stats.Durations(None, 0, None, 0)


def test_incidents_per_day_are_grouped_by_utc_day_and_level(db: Database, incident_tenant: int) -> None:
    with db.read() as session:
        found = incidents.stats.per_day_by_level(session, tenant_id=incident_tenant, since=T0)
    assert found == {DAY0: {"level_10": 2}, DAY0 + 1: {"level_20": 1, "level_30": 1}}


def _integration(db: Database, tenant_id: int, name: str) -> tuple[str, int]:
    with db.write() as session:
        admin = Caller(tenant_id, "domain", "tenant", "user", "admin", role="admin")
        created = alarms.integrations.create(
            session, caller=admin, name=name, type_="custom", rules=Rules(), endpoint="http://x"
        )
    with db.read() as session:
        row_id = session.query(Integration.id).filter_by(integration_id=created["integration_id"]).scalar()
    return created["integration_id"], row_id


def _alarm(
    tenant_id: int, integration: int | None, level: str, source: str, first: int, last: int, count: int
) -> Alarm:
    serial = next(_serial)
    return Alarm(
        alarm_id=f"FIGALM{serial:09d}",
        tenant_id=tenant_id,
        integration_id=integration,
        active_key=f"k{serial}",
        original_alarm_id=f"k{serial}",
        alarm_name="figure",
        alarm_level=level,
        alarm_status="alarm",
        name_space="ns",
        alarm_desc="",
        alarm_source=source,
        count=count,
        first_time=first,
        last_time=last,
        create_time=first,
        update_time=last,
    )


@pytest.fixture
def alarm_tenant(db: Database) -> dict[str, Any]:
    tenant_id = _tenant(db)
    zabbix, zabbix_row = _integration(db, tenant_id, "zabbix")
    prom, prom_row = _integration(db, tenant_id, "prom")
    with db.write() as session:
        session.add_all(
            [
                _alarm(tenant_id, zabbix_row, "Critical", "zabbix", T0 + HOUR, T0 + 3 * HOUR, 5),
                _alarm(tenant_id, zabbix_row, "Major", "zabbix", T0 + 2 * HOUR, T0 + 2 * HOUR, 1),
                _alarm(tenant_id, prom_row, "Critical", "prometheus", T0 + DAY + HOUR, T0 + DAY + HOUR, 3),
                _alarm(tenant_id, prom_row, "Info", "old", T0 - DAY, T0 - DAY + HOUR, 10),  # before the window
                _alarm(tenant_id, None, "Minor", "orphan", T0 + DAY + 2 * HOUR, T0 + DAY + 2 * HOUR, 2),
            ]
        )
    return {"tenant_id": tenant_id, "zabbix": zabbix, "prom": prom}


def test_alarms_per_day_are_grouped_by_level_and_by_integration(db: Database, alarm_tenant: dict[str, Any]) -> None:
    tenant_id = alarm_tenant["tenant_id"]
    with db.read() as session:
        by_level = alarms.stats.per_day_by_level(session, tenant_id=tenant_id, since=T0)
        by_integration = alarms.stats.per_day_by_integration(session, tenant_id=tenant_id, since=T0)
    assert by_level == {DAY0: {"Critical": 1, "Major": 1}, DAY0 + 1: {"Critical": 1, "Minor": 1}}
    assert by_integration == {DAY0: {alarm_tenant["zabbix"]: 2}, DAY0 + 1: {alarm_tenant["prom"]: 1, "": 1}}


def test_the_noisiest_sources_sum_occurrences_in_the_window(db: Database, alarm_tenant: dict[str, Any]) -> None:
    with db.read() as session:
        found = alarms.stats.noisiest_sources(session, tenant_id=alarm_tenant["tenant_id"], since=T0)
    assert found == [
        alarms.stats.Source("zabbix", 2, 6),
        alarms.stats.Source("prometheus", 1, 3),
        alarms.stats.Source("orphan", 1, 2),
    ]


def test_each_integration_shows_when_it_last_received_an_alarm(db: Database, alarm_tenant: dict[str, Any]) -> None:
    with db.read() as session:
        found = alarms.stats.last_alarm_by_integration(session, tenant_id=alarm_tenant["tenant_id"])
    assert found == {alarm_tenant["zabbix"]: T0 + 3 * HOUR, alarm_tenant["prom"]: T0 + DAY + HOUR}


def _agent(tenant_id: int, seen: int, revoked: int | None = None) -> Agent:
    serial = next(_serial)
    return Agent(
        tenant_id=tenant_id,
        agent_sn=f"figagent{serial}",
        secret_hash="0" * 64,
        resource_id=f"res{serial}",
        hostname=f"host{serial}",
        ips=[],
        facts={},
        enrolled_at=seen,
        last_seen_at=seen,
        revoked_at=revoked,
    )


def test_hosts_are_online_while_seen_within_the_grace_and_revoked_ones_are_left_out(db: Database) -> None:
    tenant_id, now = _tenant(db), T0 + 12 * HOUR
    with db.write() as session:
        session.add_all(
            [
                _agent(tenant_id, now - 5_000),
                _agent(tenant_id, now - 30_000),  # exactly at the grace: still online, as state_of says
                _agent(tenant_id, now - 31_000),
                _agent(tenant_id, now - 5_000, revoked=now - 1_000),
            ]
        )
    with db.read() as session:
        found = agents.presence_counts(session, tenant_id=tenant_id, now_ms=now, offline_after_s=30)
    assert found == {agents.ONLINE: 2, agents.OFFLINE: 1}


def _order(tenant_id: int, status: str, created: int) -> ScriptOrder:
    serial = next(_serial)
    return ScriptOrder(
        execute_uuid=f"FIGORD{serial:020d}",
        tenant_id=tenant_id,
        script_uuid="s",
        script_name="s",
        script_version_id=1,
        script_version_name="v1",
        script_type="SHELL",
        content="true",
        params=[],
        timeout=60,
        success_rate=100.0,
        execute_user="root",
        total_batches=1,
        current_batch_index=1,
        status=status,
        creator="someone",
        creator_id="someone",
        gmt_created=created,
    )


def test_ended_orders_are_counted_per_outcome_in_the_window(db: Database) -> None:
    tenant_id = _tenant(db)
    with db.write() as session:
        session.add_all(
            [
                _order(tenant_id, "FINISHED", T0 + HOUR),
                _order(tenant_id, "FINISHED", T0 + 2 * HOUR),
                _order(tenant_id, "FINISHED", T0 - HOUR),  # before the window
                _order(tenant_id, "ABNORMAL", T0 + HOUR),
                _order(tenant_id, "CANCELED", T0 + HOUR),
                _order(tenant_id, "PAUSED", T0 + HOUR),  # not ended (and, paused, left alone by the sweep)
            ]
        )
    with db.read() as session:
        found = jobs.ended_orders(session, tenant_id=tenant_id, since=T0)
    assert found == {"FINISHED": 2, "ABNORMAL": 1, "CANCELED": 1}
