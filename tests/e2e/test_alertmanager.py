"""A real Alertmanager posts to OpenCOC's Prometheus webhook: alerts arrive as alarms, resolves clear them."""

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.alertmanager import Alertmanager, binary, required
from harness.polling import wait_for
from harness.server import LiveServer
from tests.support.signing import TenantKey


@pytest.fixture
def alertmanager_for(tmp_path: Path) -> Iterator[Callable[[str], Alertmanager]]:
    if binary() is None:
        if required():
            pytest.fail("OPENCOC_TEST_ALERTMANAGER=required but prometheus-alertmanager is not installed")
        pytest.skip("prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)")
    started: list[Alertmanager] = []

    def start(webhook_url: str) -> Alertmanager:
        manager = Alertmanager(tmp_path, webhook_url).start()
        started.append(manager)
        return manager

    yield start
    for manager in started:
        manager.stop()


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _alert(name: str, instance: str, severity: str, ends: datetime | None = None) -> dict[str, Any]:
    now = datetime.now(UTC)
    alert: dict[str, Any] = {
        "labels": {"alertname": name, "instance": instance, "severity": severity, "region": "cn-north-4"},
        "annotations": {"description": f"{name} on {instance}"},
        "startsAt": _stamp(now - timedelta(minutes=1)),
        "generatorURL": "http://prometheus.example:9090/graph",
    }
    if ends is not None:
        alert["endsAt"] = _stamp(ends)
    return alert


def test_alertmanager_alerts_become_alarms_and_resolves_clear_them(
    live_server: LiveServer, live_tenant: TenantKey, alertmanager_for: Callable[[str], Alertmanager]
) -> None:
    created = httpx.post(
        f"{live_server.url}/opencoc/v1/alarm-mgmt/integrations",
        json={"name": "alertmanager", "type": "prometheus"},
        auth=live_tenant.auth,
        timeout=30,
    ).json()["data"]
    manager = alertmanager_for(f"{live_server.url}/v1/event/prometheus/{created['integration_key']}")

    def alarms() -> list[dict[str, Any]]:
        resp = httpx.get(
            f"{live_server.url}/opencoc/v1/alarm-mgmt/alarms", params={"limit": 100}, auth=live_tenant.auth
        )
        assert resp.status_code == 200, resp.text
        return resp.json()["data"]["list"]  # type: ignore[no-any-return]

    def shown() -> str:
        return f"alarms: {alarms()}\n{manager.log_tail()}"

    # Alertmanager flushes its groups every second.
    manager.post_alerts([_alert("NodeDown", "db-1:9100", "critical"), _alert("DiskFilling", "db-1:9100", "warning")])
    firing = wait_for(lambda: len(items := alarms()) == 2 and items, "two alarms", 60, every=0.25, detail=shown)
    by_name = {a["alarm_name"]: a for a in firing}
    assert set(by_name) == {"NodeDown", "DiskFilling"}, f"alarms: {firing}\n{manager.log_tail()}"
    assert by_name["NodeDown"]["alarm_level"] == "Critical" and by_name["DiskFilling"]["alarm_level"] == "Minor"
    assert all(a["alarm_status"] == "alarm" and a["incident_num"] for a in firing)
    assert by_name["NodeDown"]["resource_name"] == "db-1:9100" and by_name["NodeDown"]["region_id"] == "cn-north-4"
    assert len(by_name["NodeDown"]["original_alarm_id"]) == 16, "Alertmanager's fingerprint is the dedup key"

    past = datetime.now(UTC) - timedelta(seconds=5)
    manager.post_alerts([_alert("NodeDown", "db-1:9100", "critical", ends=past)])
    after = wait_for(
        lambda: (items := alarms()) and any(a["alarm_status"] == "ok" for a in items) and items,
        "the resolved alert to clear its alarm",
        60,
        every=0.25,
        detail=shown,
    )
    by_name = {a["alarm_name"]: a for a in after}
    assert by_name["NodeDown"]["alarm_status"] == "ok", f"alarms: {after}\n{manager.log_tail()}"
    assert by_name["DiskFilling"]["alarm_status"] == "alarm"
    assert len(after) == 2, "a resolve or a repeat notification opened another alarm"
    history = httpx.get(
        f"{live_server.url}/v1/alarm-mgmt/alarm/{by_name['NodeDown']['alarm_id']}/handle-histories",
        auth=live_tenant.auth,
    ).json()
    assert [h["task_type"] for h in history["alarm_handle_histories"]] == ["incident", "clear"]
    assert history["resolved_record"]["create_name"] == "prometheus"
