"""Alarms acknowledged with 200 survive kill -9 of the server (group commit answers after the commit)."""

import asyncio
from typing import Any

import httpx

from harness.server import LiveServer
from tests.api.alarms.helpers import alarm_body
from tests.support.signing import TenantKey

SENDERS = 32
KILL_AFTER = 400


async def _load_then_kill(server: LiveServer, url: str) -> tuple[set[str], int]:
    """Post distinct alarms from SENDERS clients; kill -9 the server once KILL_AFTER are acknowledged."""
    acknowledged: set[str] = set()
    killed = asyncio.Event()
    counter = iter(range(10**9))
    errors = 0

    async def sender(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while not killed.is_set():
            alarm_id = f"dur-{next(counter)}"
            try:
                resp = await http.post(url, json=alarm_body(alarmId=alarm_id, alarmLevel="Major"))
            except httpx.HTTPError:
                errors += 1
                return
            if resp.status_code == 200:
                acknowledged.add(alarm_id)
            if len(acknowledged) >= KILL_AFTER and not killed.is_set():
                killed.set()
                await asyncio.to_thread(server.kill9)

    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=SENDERS)) as http:
        await asyncio.gather(*(sender(http) for _ in range(SENDERS)))
    return acknowledged, errors


def _stored_ids(server: LiveServer, tenant: TenantKey) -> set[str]:
    found: set[str] = set()
    offset = 0
    while True:
        resp = httpx.get(
            f"{server.url}/opencoc/v1/alarm-mgmt/alarms",
            params={"limit": 1000, "offset": offset},
            auth=tenant.auth,
            timeout=30,
        )
        assert resp.status_code == 200, resp.text
        page: list[dict[str, Any]] = resp.json()["data"]["list"]
        found.update(a["original_alarm_id"] for a in page)
        if len(page) < 1000:
            return found
        offset += 1000


def test_acknowledged_alarms_survive_kill_9(live_server: LiveServer, live_tenant: TenantKey) -> None:
    created = httpx.post(
        f"{live_server.url}/opencoc/v1/alarm-mgmt/integrations",
        json={"name": "durable", "type": "custom"},
        auth=live_tenant.auth,
        timeout=30,
    ).json()["data"]
    url = f"{live_server.url}/v1/event/huawei/custom/{created['integration_key']}"
    try:
        acknowledged, _ = asyncio.run(_load_then_kill(live_server, url))
    finally:
        if live_server.proc is None or live_server.proc.poll() is not None:
            live_server.start()
    assert len(acknowledged) >= KILL_AFTER
    stored = _stored_ids(live_server, live_tenant)
    lost = acknowledged - stored
    assert not lost, f"{len(lost)} acknowledged alarms were lost after kill -9, e.g. {sorted(lost)[:5]}"
    resp = httpx.post(url, json=alarm_body(alarmId="after-restart"), timeout=30)
    assert resp.status_code == 200, "the restarted server does not take alarms"
