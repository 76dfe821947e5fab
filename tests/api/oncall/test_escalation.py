"""Incidents by scene and role: assigned to who is on call, notified with a console link, escalated until accepted."""

import time
from collections.abc import Callable
from email.message import Message
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from harness.polling import wait_for
from harness.server import free_port
from opencoc.core.db import Database
from opencoc.oncall.models import OncallEscalation
from tests.api.incidents.helpers import ONCALL, commit_parameter, create, create_body, define_scene, handle, show
from tests.api.notifications.conftest import TARGETS, mail_url
from tests.support.mailbox import Mailbox
from tests.support.signing import TenantKey

HISTORIES = "/v1/external/incident/list-histories"


@pytest.fixture
def mailbox() -> Any:
    box = Mailbox(free_port()).start()
    yield box
    box.stop()


@pytest.fixture
def team(
    client: TestClient, make_tenant: Callable[..., TenantKey], make_user: Callable[..., TenantKey], mailbox: Mailbox
) -> dict[str, TenantKey]:
    """An admin, and ann (primary) and bob (secondary), reachable by e-mail through the tenant's EMAIL channel."""
    admin = make_tenant(user="root", role="admin")
    channel = {"name": "EMAIL", "url": mail_url(mailbox.port)}
    assert client.post("/opencoc/v1/notifications/channels", json=channel, auth=admin.auth).status_code == 200
    people = {"admin": admin}
    for name in ("ann", "bob"):
        people[name] = make_user(admin, name)
        target = {"url": f"mailto:{name}@example.org"}
        assert client.post(TARGETS, json=target, auth=people[name].auth).status_code == 200
    return people


def _text(message: Message) -> str:
    """The text parts of a received mail, decoded."""
    parts = [p.get_payload(decode=True) for p in message.walk() if p.get_content_maintype() == "text"]
    return "".join(p.decode() for p in parts if isinstance(p, bytes))


def _rows(db: Database, num: str) -> list[OncallEscalation]:
    with db.read() as session:
        return list(session.scalars(select(OncallEscalation).where(OncallEscalation.incident_num == num)))


def _actions(client: TestClient, key: TenantKey, num: str) -> list[dict[str, Any]]:
    body = {"string_filters": [{"operator": "=", "field": "ticket_id", "values": [num]}]}
    resp = client.post(HISTORIES, json=body, auth=key.auth)
    assert resp.status_code == 200, resp.text
    info: list[dict[str, Any]] = resp.json()["data"]["info"]
    return info


def test_an_unaccepted_p1_notifies_the_primary_then_the_secondary_with_a_console_link(
    client: TestClient, db: Database, team: dict[str, TenantKey], mailbox: Mailbox
) -> None:
    admin, ann, bob = team["admin"], team["ann"], team["bob"]
    define_scene(client, admin, "payments", {"primary": [ann.user_id], "secondary": [bob.user_id]}, delay=1)
    num = create(client, admin, incident_level="level_10", incident_assignee=None, assignee_scene="payments",
                 assignee_role="primary")  # fmt: skip
    detail = show(client, admin, num).json()["data"]
    assert (detail["oncall_assignee"], detail["incident_assignee"]) == (ann.user_id, [])
    first, second = mailbox.wait_for(2)
    assert str(first["To"]) == "ann@example.org" and str(second["To"]) == "bob@example.org"
    assert f"/console/incidents/{num}" in _text(first) and "Escalated to you" in _text(second)
    wait_for(lambda: _rows(db, num)[0].status == "DONE", "the escalation done (no level 3)")
    (row,) = _rows(db, num)
    assert row.steps == 2 and row.last_error is None
    escalations = [a for a in _actions(client, admin, num) if a["action"] == "escalate"]
    assert [(e["operator"], e["parameter"]["notified"]) for e in escalations] == [("opencoc-oncall", [bob.user_id])]
    assert len(mailbox.messages) == 2


def test_accepting_stops_the_escalation(
    client: TestClient, db: Database, team: dict[str, TenantKey], mailbox: Mailbox
) -> None:
    admin, ann, bob = team["admin"], team["ann"], team["bob"]
    define_scene(client, admin, "payments", {"primary": [ann.user_id], "secondary": [bob.user_id]}, delay=2)
    num = create(client, admin, incident_level="level_20", incident_assignee=None, assignee_scene="payments",
                 assignee_role="primary")  # fmt: skip
    mailbox.wait_for(1)
    assert handle(client, admin, num, "acceptedIncident1", {}, operator=ann.user_id).status_code == 200
    wait_for(lambda: _rows(db, num)[0].status == "STOPPED", "the escalation stopped at its next step", timeout=15)
    assert [str(m["To"]) for m in mailbox.messages] == ["ann@example.org"]
    assert not [a for a in _actions(client, admin, num) if a["action"] == "escalate"]


def test_a_p3_is_notified_but_not_escalated(
    client: TestClient, db: Database, team: dict[str, TenantKey], mailbox: Mailbox
) -> None:
    admin, ann, bob = team["admin"], team["ann"], team["bob"]
    define_scene(client, admin, "payments", {"primary": [ann.user_id], "secondary": [bob.user_id]}, delay=1)
    num = create(client, admin, incident_level="level_30", incident_assignee=None, assignee_scene="payments",
                 assignee_role="primary")  # fmt: skip
    (mail,) = mailbox.wait_for(1)
    assert str(mail["To"]) == "ann@example.org" and _rows(db, num) == [], "no escalation row for a P3"


@pytest.mark.parametrize(
    ("scene", "role", "message"),
    [
        ("nope", "primary", "assignee_scene: no on-call scene named [nope] in this tenant"),
        ("payments", "nope", "assignee_role: scene [payments] has no role named [nope]"),
    ],
)
def test_an_unknown_scene_or_role_on_create_is_a_400_naming_the_field_and_nothing_is_written(
    client: TestClient, tenant: TenantKey, scene: str, role: str, message: str
) -> None:
    define_scene(client, tenant, "payments", {"primary": ["u1"]})
    body = create_body(incident_assignee=None, assignee_scene=scene, assignee_role=role)
    resp = client.post("/v1/external/incident/create", json=body, auth=tenant.auth)
    assert resp.status_code == 400 and resp.json()["error_msg"] == message, resp.text
    assert (
        client.get("/v1/incident-tickets", params={"offset": 1, "limit": 10}, auth=tenant.auth).json()["data"]["total"]
        == 0
    )


def test_the_person_on_call_may_resolve_the_incident_they_were_assigned(client: TestClient, tenant: TenantKey) -> None:
    define_scene(client, tenant, "payments", {"primary": ["u-ann"]})
    num = create(client, tenant, incident_assignee=None, assignee_scene="payments", assignee_role="primary")
    assert handle(client, tenant, num, "acceptedIncident1", {}, operator="u-bob").status_code == 200
    refused = handle(client, tenant, num, "commitSolution1", commit_parameter(), operator="u-eve")
    assert refused.status_code == 400 and "the person on call" in refused.json()["error_msg"]
    assert handle(client, tenant, num, "commitSolution1", commit_parameter(), operator="u-ann").status_code == 200


def test_each_schedule_change_decides_the_next_incidents_assignee_at_once(
    client: TestClient, team: dict[str, TenantKey]
) -> None:
    admin, ann, bob = team["admin"], team["ann"], team["bob"]
    define_scene(client, admin, "web", {"primary": [ann.user_id]})

    def assignee() -> str:
        num = create(client, admin, incident_level="level_30", incident_assignee=None, assignee_scene="web",
                     assignee_role="primary")  # fmt: skip
        return str(show(client, admin, num).json()["data"]["oncall_assignee"])

    assert assignee() == ann.user_id
    now = int(time.time() * 1000)
    span = {"user_id": bob.user_id, "start_ms": now - 1000, "end_ms": now + 3_600_000}
    added = client.post(f"{ONCALL}/scenes/web/roles/primary/overrides", json=span, auth=admin.auth)
    assert added.status_code == 200, added.text
    assert assignee() == bob.user_id
    gone = client.delete(f"{ONCALL}/overrides/{added.json()['data']['id']}", auth=admin.auth)
    assert gone.status_code == 200, gone.text
    assert assignee() == ann.user_id
    rotation = {"kind": "daily", "users": [bob.user_id], "handoff_time": "00:00", "start_date": "2024-01-01"}
    put = client.put(f"{ONCALL}/scenes/web/roles/primary", json={"level": 1, "rotation": rotation}, auth=admin.auth)
    assert put.status_code == 200, put.text
    assert assignee() == bob.user_id
    assert client.delete(f"{ONCALL}/scenes/web", auth=admin.auth).status_code == 200
    refused = client.post("/v1/external/incident/create", auth=admin.auth, json=create_body(
        incident_level="level_30", incident_assignee=None, assignee_scene="web", assignee_role="primary"))  # fmt: skip
    assert refused.status_code == 400 and "assignee_scene" in refused.text
