"""Group commit under concurrent senders, and dedup across two replicas on one database."""

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.server import LiveServer
from tests.api.alarms.helpers import ACCEPTED, alarm_body
from tests.support.signing import TenantKey

SENDERS = 32


def _integration(server: LiveServer, tenant: TenantKey) -> str:
    body = {"name": "load", "type": "custom"}
    resp = httpx.post(f"{server.url}/opencoc/v1/alarm-mgmt/integrations", json=body, auth=tenant.auth, timeout=30)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["data"]["integration_key"])


def _alarms(server: LiveServer, tenant: TenantKey) -> list[dict[str, Any]]:
    resp = httpx.get(f"{server.url}/opencoc/v1/alarm-mgmt/alarms", params={"limit": 1000}, auth=tenant.auth, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]["list"]  # type: ignore[no-any-return]


async def _send(urls: list[str], bodies: list[dict[str, Any]]) -> list[int]:
    """Post every body, SENDERS at a time, spreading them over `urls`; the status codes."""
    queue: asyncio.Queue[tuple[int, dict[str, Any]]] = asyncio.Queue()
    for item in enumerate(bodies):
        queue.put_nowait(item)
    statuses = [0] * len(bodies)

    async def sender(http: httpx.AsyncClient) -> None:
        while not queue.empty():
            index, body = queue.get_nowait()
            resp = await http.post(urls[index % len(urls)], json=body)
            assert resp.status_code != 200 or resp.json() == ACCEPTED
            statuses[index] = resp.status_code

    limits = httpx.Limits(max_connections=SENDERS)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        await asyncio.gather(*(sender(http) for _ in range(SENDERS)))
    return statuses


@pytest.fixture
def replica(live_server: LiveServer) -> Iterator[LiveServer]:
    """A second server process on the live server's database."""
    second = LiveServer(live_server.data_dir, live_server.database_url).start()
    yield second
    second.stop()


def test_concurrent_distinct_and_repeated_alarms(live_server: LiveServer, live_tenant: TenantKey) -> None:
    key = _integration(live_server, live_tenant)
    url = f"{live_server.url}/v1/event/huawei/custom/{key}"
    distinct = [alarm_body(alarmId=f"d{i}", alarmLevel="Info") for i in range(200)]
    repeats = [alarm_body(alarmId=f"r{i % 5}", time=1_700_000_000_000 + i) for i in range(200)]
    statuses = asyncio.run(_send([url], distinct + repeats))
    assert statuses == [200] * 400
    alarms = _alarms(live_server, live_tenant)
    counts = {a["original_alarm_id"]: a["count"] for a in alarms}
    assert len(alarms) == 205
    assert all(counts[f"d{i}"] == 1 for i in range(200))
    assert [counts[f"r{i}"] for i in range(5)] == [40] * 5
    incidents = {a["incident_num"] for a in alarms if a["original_alarm_id"].startswith("r")}
    assert len(incidents) == 5 and None not in incidents, "a repeated alarm opened more than one incident"


def test_two_replicas_keep_one_alarm_and_one_incident_per_id(
    live_server: LiveServer, replica: LiveServer, live_tenant: TenantKey
) -> None:
    key = _integration(live_server, live_tenant)
    urls = [f"{server.url}/v1/event/huawei/custom/{key}" for server in (live_server, replica)]
    bodies = [alarm_body(alarmId=f"x{i % 10}") for i in range(300)]
    assert asyncio.run(_send(urls, bodies)) == [200] * 300
    alarms = _alarms(replica, live_tenant)
    assert sorted(a["original_alarm_id"] for a in alarms) == sorted(f"x{i}" for i in range(10))
    assert all(a["count"] == 30 for a in alarms)
    assert len({a["incident_num"] for a in alarms}) == 10
