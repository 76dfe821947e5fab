"""Every state-changing route refuses a viewer with 403 in its family's envelope, and writes nothing.

The tables below name every non-GET route of the app: a new route fails
`test_every_non_get_route_has_a_rule` until it is listed, with a body that passes its schema,
as refused to viewers, as a read (a POST that searches), or as a route with its own credentials.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import select

from harness.polling import wait_for
from opencoc import models_registry  # noqa: F401  (every table in Base.metadata)
from opencoc.auth.models import Tenant
from opencoc.core.db import Database
from opencoc.core.envelopes import PROVIDER_CODE, family_for_path
from opencoc.core.models import Base
from opencoc.jobs.models import ScriptOrder
from opencoc.oncall.models import OncallEscalation
from tests.api.alarms.helpers import alarms_of, integration, reported
from tests.api.incidents.helpers import create as create_incident
from tests.api.incidents.helpers import create_body
from tests.api.jobs.helpers import Fleet, batches, execute_body
from tests.api.scripts.helpers import script_body
from tests.support.signing import TenantKey

# Routes whose callers are not users: they carry their own credentials.
OWN_AUTH = {
    ("POST", "/v3/auth/tokens"),  # sign-in
    ("POST", "/opencoc/v1/agent/enroll"),  # enrolment token
    ("POST", "/opencoc/v1/agent/heartbeat"),  # agent token
    ("POST", "/opencoc/v1/agent/tasks/{task_id}/result"),  # agent token
    ("POST", "/v1/event/huawei/custom/{integration_key}"),  # integration key
    ("POST", "/v1/event/prometheus/{integration_key}"),  # integration key
}
# The console's forms (every path under /console/) carry a session and its CSRF token, not a
# signature; they call the same services, so the same role rules hold (tests/api/console).
CONSOLE_PREFIX = "/console/"


@dataclass
class World:
    """A tenant with one of everything, its admin's key and a viewer's key."""

    admin: TenantKey
    viewer: TenantKey
    tenant_id: int
    incident_num: str
    alarm_id: str
    integration: str
    script_uuid: str
    execute_uuid: str
    execute: dict[str, Any]

    def path(self, template: str) -> str:
        return template.format(
            incident_num=self.incident_num,
            alarm_id=self.alarm_id,
            ref=self.integration,
            script_uuid=self.script_uuid,
            resource_id=self.script_uuid,
            resource_type="coc:script",
            execute_uuid=self.execute_uuid,
            ticket_type="incident",
            incident_id=self.incident_num,
            # refused before any lookup: these need not exist
            approval_id="0" * 32,
            attachment_id="0" * 32,
            channel_id=1,
            target_id=1,
            scene="payments",
            role="primary",
            override_id=1,
            war_room_num="WR" + "0" * 24,
        )


Body = Callable[[World], dict[str, Any] | None]
# Refused to viewers: each with a body its schema accepts (what an operator or admin would send).
REFUSED: dict[tuple[str, str], Body] = {
    ("POST", "/v1/external/incident/create"): lambda w: create_body(),
    ("POST", "/v2/incidents/{incident_id}/actions"): lambda w: {"task_id": "any", "action": "accepted"},
    ("POST", "/v1/external/incident/attachments"): lambda w: None,
    ("POST", "/v1/external/incident/handle"): lambda w: {
        "incident_num": w.incident_num,
        "operator": w.admin.user_id,
        "operate_key": "acceptedIncident1",
    },
    ("POST", "/v1/alarm-mgmt/alarms/cancel"): lambda w: {"alarm_ids": [w.alarm_id]},
    ("POST", "/v1/alarm-mgmt/alarms-linked-incident"): lambda w: {"alarm_ids": [w.alarm_id]},
    ("POST", "/v1/alarm-mgmt/alarm/{alarm_id}/auto-process"): lambda w: {
        "task_type": "SCRIPT",
        "associated_task_id": w.script_uuid,
    },
    ("POST", "/opencoc/v1/alarm-mgmt/integrations"): lambda w: {"name": "another", "type": "custom"},
    ("POST", "/opencoc/v1/alarm-mgmt/integrations/{ref}/disable"): lambda w: None,
    ("POST", "/opencoc/v1/alarm-mgmt/integrations/{ref}/enable"): lambda w: None,
    ("DELETE", "/opencoc/v1/alarm-mgmt/integrations/{ref}"): lambda w: None,
    ("POST", "/v1/job/scripts"): lambda w: script_body(),
    ("PUT", "/v1/job/scripts/{script_uuid}"): lambda w: {
        "description": "changed",
        "content": "echo changed",
        "script_params": [],
    },
    ("DELETE", "/v1/job/scripts/{script_uuid}"): lambda w: None,
    ("POST", "/v1/job/scripts/{script_uuid}/action"): lambda w: {"status": "APPROVED"},
    ("POST", "/v1/script/{resource_type}/{resource_id}/tags/update"): lambda w: {"tags": [{"key": "k", "value": "v"}]},
    ("POST", "/v1/job/scripts/{script_uuid}"): lambda w: w.execute,
    ("PUT", "/v1/job/script/orders/{execute_uuid}/operation"): lambda w: {"operation_type": "CANCEL_ORDER"},
    ("POST", "/v1/resources/sync"): lambda w: {"provider": "ecs", "type": "cloudservers"},
    ("POST", "/v1/external/resources/sync"): lambda w: {"provider": "ecs", "type": "cloudservers"},
    ("POST", "/opencoc/v1/approvals/{approval_id}/approve"): lambda w: {"comment": "ok"},
    ("POST", "/opencoc/v1/approvals/{approval_id}/reject"): lambda w: {"comment": "no"},
    ("POST", "/opencoc/v1/attachments"): lambda w: {"notes": "a JSON file"},
    ("DELETE", "/opencoc/v1/attachments/{attachment_id}"): lambda w: None,
    ("POST", "/opencoc/v1/notifications/channels"): lambda w: {"name": "ops", "url": "json://hooks.example.com/x"},
    ("PUT", "/opencoc/v1/notifications/channels/{channel_id}"): lambda w: {
        "name": "ops",
        "url": "json://hooks.example.com/y",
    },
    ("DELETE", "/opencoc/v1/notifications/channels/{channel_id}"): lambda w: None,
    ("POST", "/opencoc/v1/notifications/channels/{channel_id}/test"): lambda w: None,
    ("POST", "/opencoc/v1/notifications/targets"): lambda w: {"url": "mailto:watcher@example.com"},
    ("DELETE", "/opencoc/v1/notifications/targets/{target_id}"): lambda w: None,
    ("POST", "/opencoc/v1/oncall/scenes"): lambda w: {"name": "payments"},
    ("PUT", "/opencoc/v1/oncall/scenes/{scene}"): lambda w: {"name": "payments", "escalation_delay_seconds": 60},
    ("DELETE", "/opencoc/v1/oncall/scenes/{scene}"): lambda w: None,
    ("PUT", "/opencoc/v1/oncall/scenes/{scene}/roles/{role}"): lambda w: {"level": 1},
    ("DELETE", "/opencoc/v1/oncall/scenes/{scene}/roles/{role}"): lambda w: None,
    ("POST", "/opencoc/v1/oncall/scenes/{scene}/roles/{role}/overrides"): lambda w: {
        "user_id": "u",
        "start_ms": 1,
        "end_ms": 2,
    },
    ("DELETE", "/opencoc/v1/oncall/overrides/{override_id}"): lambda w: None,
    ("POST", "/v1/external/warrooms"): lambda w: {
        "war_room_name": "checkout down",
        "incident_number": w.incident_num,
        "application_id_list": [],
        "schedule_group": [],
        "war_room_admin": w.admin.user_id,
        "enterprise_project_id": "0",
    },
    ("POST", "/opencoc/v1/warrooms/{war_room_num}/timeline"): lambda w: {"kind": "note", "text": "looking"},
    ("POST", "/opencoc/v1/warrooms/{war_room_num}/status"): lambda w: {"status": "recovered"},
    ("PUT", "/opencoc/v1/warrooms/settings"): lambda w: {"auto_level_10": True},
}
# Query strings a refused route needs to pass its own validation first.
QUERIES = {("POST", "/opencoc/v1/attachments"): "?name=notes.json"}
# Routes that take a multipart body instead of JSON: the files they send.
FILES = {("POST", "/v1/external/incident/attachments"): {"file": ("notes.txt", b"notes", "text/plain")}}
# POSTs that only read: a viewer may call them.
READS: dict[tuple[str, str], Body] = {
    ("POST", "/v1/job/analyze-job"): lambda w: {"content": "echo hi"},
    ("POST", "/v1/{ticket_type}/list-histories"): lambda w: _ticket_filter(w),
    ("POST", "/v1/external/{ticket_type}/list-histories"): lambda w: _ticket_filter(w),
    ("POST", "/v2/incidents/list"): lambda w: {"page": 1, "per_page": 10},
    ("POST", "/v2/incidents/{incident_id}/histories"): lambda w: {},
    ("POST", "/v1/external/warrooms/list"): lambda w: {"limit": 10, "offset": 0},
}


def _ticket_filter(w: World) -> dict[str, Any]:
    return {"string_filters": [{"operator": "=", "field": "ticket_id", "values": [w.incident_num]}]}


def _non_get_routes(client: TestClient) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves but GET/HEAD; included routers are expanded
    (FastAPI 0.165 keeps them as one entry of `app.routes` with `effective_route_contexts()`)."""
    out: set[tuple[str, str]] = set()
    for entry in client.app.routes:  # type: ignore[attr-defined]
        expand = getattr(entry, "effective_route_contexts", None)
        routes = list(expand()) if expand else [entry] if isinstance(entry, APIRoute) else []
        out |= {(method, route.path) for route in routes for method in route.methods - {"GET", "HEAD"}}
    return out


@pytest.fixture
def world(client: TestClient, db: Database, tenant: TenantKey, make_user: Callable[..., TenantKey]) -> World:
    fleet = Fleet(client, db, tenant)
    [host] = fleet.enroll(1)
    script_uuid = fleet.script()
    execute = execute_body(batches([host]))
    execute_uuid = fleet.execute(script_uuid, batches([host]))
    hook = integration(client, tenant, name="monitor")
    reported(client, hook["integration_key"])
    [alarm] = alarms_of(client, tenant)
    with db.read() as session:
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.name == tenant.name))
    assert tenant_id is not None
    incident_num = create_incident(client, tenant)

    def notices_sent() -> bool:  # the runner steps the new incident's notice: done before any snapshot
        with db.read() as session:
            pending = select(OncallEscalation.id).where(
                OncallEscalation.tenant_id == tenant_id, OncallEscalation.status == "PENDING"
            )
            return session.scalar(pending.limit(1)) is None

    wait_for(notices_sent, "the incident's notice sent")
    return World(
        admin=tenant,
        viewer=make_user(tenant, "watcher", role="viewer"),
        tenant_id=tenant_id,
        incident_num=incident_num,
        alarm_id=alarm["alarm_id"],
        integration=hook["integration_id"],
        script_uuid=script_uuid,
        execute_uuid=execute_uuid,
        execute=execute,
    )


def _snapshot(db: Database, tenant_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tenant, in every table (order rows through their order)."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.read() as session:
        orders = select(ScriptOrder.id).where(ScriptOrder.tenant_id == tenant_id).scalar_subquery()
        for table in Base.metadata.sorted_tables:
            if "tenant_id" in table.c:
                query = select(table).where(table.c.tenant_id == tenant_id)
            elif "order_id" in table.c:
                query = select(table).where(table.c.order_id.in_(orders))
            else:
                query = select(table)
            rows = session.execute(query).all()
            out[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return out


def test_every_non_get_route_has_a_rule(client: TestClient) -> None:
    listed = set(REFUSED) | set(READS) | OWN_AUTH
    served = {r for r in _non_get_routes(client) if not r[1].startswith(CONSOLE_PREFIX)}
    assert served - listed == set(), "a new state-changing route needs a role rule and a line in this file"
    assert listed - served == set(), "a listed route is gone: remove its line"


@pytest.mark.parametrize("route", sorted(REFUSED), ids=lambda r: f"{r[0]} {r[1]}")
def test_a_viewer_is_refused_and_nothing_is_written(
    client: TestClient, db: Database, world: World, route: tuple[str, str]
) -> None:
    method, template = route
    path = world.path(template) + QUERIES.get(route, "")
    before = _snapshot(db, world.tenant_id)
    if route in FILES:
        resp = client.request(method, path, files=FILES[route], auth=world.viewer.auth)
    else:
        resp = client.request(method, path, json=REFUSED[route](world), auth=world.viewer.auth)
    assert resp.status_code == 403, resp.text
    body = resp.json()
    assert body["error_code"] == "COC.00000403"
    assert body["error_msg"].startswith("role viewer may not "), body
    if family_for_path(path) == "coc":
        assert (body["provider_code"], body["data"], len(body)) == (PROVIDER_CODE, None, 4)
    else:
        assert set(body) == {"error_code", "error_msg"}
    assert _snapshot(db, world.tenant_id) == before


@pytest.mark.parametrize("route", sorted(READS), ids=lambda r: f"{r[0]} {r[1]}")
def test_a_viewer_may_call_a_post_that_reads(client: TestClient, world: World, route: tuple[str, str]) -> None:
    method, template = route
    resp = client.request(method, world.path(template), json=READS[route](world), auth=world.viewer.auth)
    assert resp.status_code == 200, resp.text
