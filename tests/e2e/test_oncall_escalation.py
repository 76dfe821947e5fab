"""Escalation in real servers with a real SMTP server: each step once, across kill -9 and across two replicas."""

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.polling import wait_for
from harness.server import LiveServer, free_port, server_env
from tests.conftest import cli_tenant
from tests.e2e.conftest import REPLICA_ENV
from tests.support.mailbox import Mailbox
from tests.support.signing import TenantKey

ONCALL = "/opencoc/v1/oncall"
LEVELS = ("primary", "secondary", "commander")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port()).start()
    yield box
    box.stop()


def _admin(server: LiveServer, *args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "opencoc", "admin", *args, "--json"],
        env=server_env(server.data_dir, server.database_url), capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _ok(resp: httpx.Response) -> Any:
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]


def _team(server: LiveServer, tenant: TenantKey, mailbox: Mailbox, delay: int) -> dict[str, str]:
    """ann, bob and cat on call at levels 1, 2, 3 of scene "payments", each reached at NAME@example.org."""
    url = server.url
    channel = {"name": "EMAIL", "url": f"mailto://127.0.0.1:{mailbox.port}?from=opencoc@example.com"}
    _ok(httpx.post(f"{url}/opencoc/v1/notifications/channels", json=channel, auth=tenant.auth))
    _ok(httpx.post(f"{url}{ONCALL}/scenes", json={"name": "payments", "escalation_delay_seconds": delay},
                   auth=tenant.auth))  # fmt: skip
    ids: dict[str, str] = {}
    for level, (name, role) in enumerate(zip(("ann", "bob", "cat"), LEVELS, strict=True), start=1):
        ids[name] = _admin(server, "create-user", "--tenant", tenant.name, "--user", name)["user_id"]
        key = _admin(server, "create-key", "--tenant", tenant.name, "--user", name)
        mine = TenantKey(tenant.name, key["domain_id"], key["user_id"], key["access_key"], key["secret_key"])
        _ok(httpx.post(f"{url}/opencoc/v1/notifications/targets", json={"url": f"mailto:{name}@example.org"},
                       auth=mine.auth))  # fmt: skip
        rotation = {"kind": "daily", "users": [ids[name]], "start_date": "2024-01-01"}
        _ok(httpx.put(f"{url}{ONCALL}/scenes/payments/roles/{role}", json={"level": level, "rotation": rotation},
                      auth=tenant.auth))  # fmt: skip
    return ids


def _create_p1(server: LiveServer, tenant: TenantKey) -> str:
    body = {
        "incident_level": "level_10", "is_service_interrupt": True, "incident_type": "inc_type_p_function_issues",
        "incident_title": "payments down", "incident_source": "incident_source_manual", "creator": tenant.user_id,
        "assignee_scene": "payments", "assignee_role": "primary",
    }  # fmt: skip
    return str(
        _ok(httpx.post(f"{server.url}/v1/external/incident/create", json=body, auth=tenant.auth))["incident_num"]
    )


def _escalation(server: LiveServer, tenant: TenantKey, num: str) -> dict[str, Any]:
    rows = _ok(httpx.get(f"{server.url}{ONCALL}/escalations", auth=tenant.auth))
    (row,) = [r for r in rows if r["incident_num"] == num]
    return dict(row)


def _escalated(server: LiveServer, tenant: TenantKey, num: str) -> list[list[str]]:
    body = {"string_filters": [{"operator": "=", "field": "ticket_id", "values": [num]}]}
    info = _ok(httpx.post(f"{server.url}/v1/external/incident/list-histories", json=body, auth=tenant.auth))["info"]
    return [e["parameter"]["notified"] for e in info if e["action"] == "escalate"]


def test_kill_9_between_two_steps_loses_and_repeats_none_and_accepting_stops_the_rest(
    tmp_path_factory: pytest.TempPathFactory, mailbox: Mailbox
) -> None:
    server = LiveServer(tmp_path_factory.mktemp("oncall"), None, extra_env=REPLICA_ENV).start()
    try:
        tenant = cli_tenant(server.data_dir, None, "oncall")
        people = _team(server, tenant, mailbox, delay=6)
        num = _create_p1(server, tenant)
        (first,) = mailbox.wait_for(1)
        assert str(first["To"]) == "ann@example.org"
        server.kill9()  # after the primary's step committed, before the secondary's is due
        server.start()
        _, second = mailbox.wait_for(2)
        assert str(second["To"]) == "bob@example.org"
        handled = {"incident_num": num, "operator": people["bob"], "operate_key": "acceptedIncident1"}
        _ok(httpx.post(f"{server.url}/v1/external/incident/handle", json=handled, auth=tenant.auth))
        wait_for(lambda: _escalation(server, tenant, num)["status"] == "STOPPED", "the commander's step stopped", 20)
        assert [str(m["To"]) for m in mailbox.messages] == ["ann@example.org", "bob@example.org"]
        assert _escalated(server, tenant, num) == [[people["bob"]]]
    finally:
        server.stop()


def test_two_replicas_take_each_step_once(two_replicas: list[LiveServer], mailbox: Mailbox) -> None:
    a, b = two_replicas
    tenant = cli_tenant(a.data_dir, a.database_url, "oncall2")
    people = _team(a, tenant, mailbox, delay=1)
    nums = [_create_p1(server, tenant) for server in (a, b, a, b)]
    for num in nums:
        wait_for(lambda num=num: _escalation(b, tenant, num)["status"] == "DONE", f"{num} escalated to the top", 30)
    got = sorted(str(m["To"]) for m in mailbox.wait_for(12))
    assert got == sorted(["ann@example.org", "bob@example.org", "cat@example.org"] * 4)
    for num in nums:
        assert _escalated(a, tenant, num) == [[people["bob"]], [people["cat"]]]
