"""`opencoc admin *-integration` on the database and `opencoc alarm ...` through the signed API."""

import json
import subprocess

import httpx

from harness.server import LiveServer
from tests.api.alarms.helpers import ACCEPTED, alarm_body
from tests.support.cli import json_of, signed_cli
from tests.support.signing import TenantKey


def _alarm_cli(server: LiveServer, key: TenantKey, *args: str) -> subprocess.CompletedProcess[str]:
    return signed_cli(server, key, "alarm", *args)


def test_admin_integration_commands(live_server: LiveServer, live_tenant: TenantKey) -> None:
    created = json_of(
        live_server.cli(
            "admin", "create-integration", "--tenant", live_tenant.name, "--name", "zabbix", "--type", "custom",
            "--assignee", "u-oncall", "--level", "Info=level_40", "--level", "Major=none", "--json",
        )
    )  # fmt: skip
    key = created["integration_key"]
    assert created["url"] == f"{live_server.url}/v1/event/huawei/custom/{key}"
    assert created["rules"]["assignee"] == "u-oncall" and created["rules"]["creator"] == live_tenant.user_id
    assert created["rules"]["level_map"]["Info"] == "level_40" and created["rules"]["level_map"]["Major"] is None
    resp = httpx.post(created["url"], json=alarm_body(), timeout=30)
    assert resp.status_code == 200 and resp.json() == ACCEPTED

    listed = json_of(live_server.cli("admin", "list-integrations", "--tenant", live_tenant.name, "--json"))
    assert [i["name"] for i in listed] == ["zabbix"] and key not in json.dumps(listed)
    table = live_server.cli("admin", "list-integrations", "--tenant", live_tenant.name)
    assert "zabbix" in table.stdout and key[:6] in table.stdout

    live_server.cli("admin", "disable-integration", "zabbix", "--tenant", live_tenant.name)
    assert httpx.post(created["url"], json=alarm_body(), timeout=30).status_code == 401
    live_server.cli("admin", "enable-integration", "zabbix", "--tenant", live_tenant.name)
    assert httpx.post(created["url"], json=alarm_body(), timeout=30).status_code == 200
    live_server.cli("admin", "delete-integration", created["integration_id"], "--tenant", live_tenant.name)
    assert httpx.post(created["url"], json=alarm_body(), timeout=30).status_code == 401


def test_admin_create_integration_errors(live_server: LiveServer, live_tenant: TenantKey) -> None:
    bad_type = live_server.cli(
        "admin", "create-integration", "--tenant", live_tenant.name, "--name", "x", "--type", "nagios", check=False
    )
    assert bad_type.returncode != 0 and "custom or prometheus" in bad_type.stderr
    bad_level = live_server.cli(
        "admin", "create-integration", "--tenant", live_tenant.name, "--name", "x", "--type", "custom",
        "--level", "Critical=P1", check=False,
    )  # fmt: skip
    assert bad_level.returncode != 0 and "level_map" in bad_level.stderr
    no_tenant = live_server.cli(
        "admin", "create-integration", "--tenant", "nobody-here", "--name", "x", "--type", "custom", check=False
    )
    assert no_tenant.returncode != 0 and "not found" in no_tenant.stderr


def test_alarm_commands(live_server: LiveServer, live_tenant: TenantKey) -> None:
    created = json_of(
        live_server.cli(
            "admin", "create-integration", "--tenant", live_tenant.name, "--name", "mon", "--type", "custom", "--json"
        )
    )
    for alarm_id, level in (("a1", "Critical"), ("a2", "Info"), ("a3", "Info")):
        assert httpx.post(created["url"], json=alarm_body(alarmId=alarm_id, alarmLevel=level), timeout=30).is_success

    listed = json_of(_alarm_cli(live_server, live_tenant, "list", "--json"))
    assert listed["total"] == 3
    ids = {a["original_alarm_id"]: a["alarm_id"] for a in listed["list"]}
    table = _alarm_cli(live_server, live_tenant, "list", "--level", "Info")
    assert ids["a2"] in table.stdout and ids["a1"] not in table.stdout and "2 of 2" in table.stdout

    shown = json_of(_alarm_cli(live_server, live_tenant, "show", ids["a1"], "--json"))
    assert shown["alarm_name"] == "CPU Usage Exceeding Threshold" and shown["incident_num"].startswith("IM")
    human = _alarm_cli(live_server, live_tenant, "show", ids["a1"])
    assert "CPU Usage Exceeding Threshold" in human.stdout

    num = json_of(_alarm_cli(live_server, live_tenant, "to-incident", ids["a2"], ids["a3"], "--title", "t", "--json"))[
        0
    ]
    assert num.startswith("IM")
    linked = json_of(_alarm_cli(live_server, live_tenant, "list", "--level", "Info", "--json"))["list"]
    assert {a["incident_num"] for a in linked} == {num}

    cleared = json_of(_alarm_cli(live_server, live_tenant, "clear", ids["a1"], "--remarks", "done", "--json"))
    assert cleared == [ids["a1"]]
    again = _alarm_cli(live_server, live_tenant, "clear", ids["a1"])
    assert again.returncode == 0 and "already cleared" in again.stdout
    history = json_of(_alarm_cli(live_server, live_tenant, "history", ids["a1"], "--json"))
    assert [h["task_type"] for h in history["alarm_handle_histories"]] == ["incident", "clear"]
    assert history["resolved_record"]["remarks"] == "done"

    missing = _alarm_cli(live_server, live_tenant, "show", "AL-none")
    assert missing.returncode == 1 and "alarm[AL-none] does not exist" in missing.stderr
