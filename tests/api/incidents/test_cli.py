"""`opencoc incident ...` against a real server, with the access key from the environment."""

import json
import subprocess
import sys

import httpx

from harness.server import LiveServer
from tests.api.incidents.helpers import define_scene
from tests.support.signing import TenantKey


def _run(server: LiveServer, key: TenantKey, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        server.env, OPENCOC_ENDPOINT=server.url, HUAWEICLOUD_SDK_AK=key.access_key, HUAWEICLOUD_SDK_SK=key.secret_key
    )
    return subprocess.run(
        [sys.executable, "-m", "opencoc", "incident", *args], env=env, capture_output=True, text=True, timeout=60
    )


def _json(server: LiveServer, key: TenantKey, *args: str) -> dict:  # type: ignore[type-arg]
    out = _run(server, key, *args, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def test_cli_drives_the_whole_lifecycle(live_server: LiveServer, live_tenant: TenantKey) -> None:
    created = _json(live_server, live_tenant, "create", "--title", "db down", "--creator", "u1", "--assignee", "u2")
    num = created["incident_num"]
    assert (
        _json(live_server, live_tenant, "accept", num, "--operator", "u2")["status"] == "INCIDENT_STATUS_ACKNOWLEDGED"
    )
    resolved = _json(
        live_server, live_tenant, "resolve", num, "--operator", "u2", "--cause", "c", "--solution", "s",
        "--type", "inc_type_p_config_issues",
    )  # fmt: skip
    assert resolved["status"] == "INCIDENT_STATUS_RESOLVED"
    rejected = _json(live_server, live_tenant, "confirm", num, "--operator", "u1", "--reject", "--comment", "no")
    assert rejected["status"] == "INCIDENT_STATUS_ACKNOWLEDGED"
    _json(
        live_server, live_tenant, "resolve", num, "--operator", "u2", "--cause", "c", "--solution", "s",
        "--type", "inc_type_p_config_issues",
    )  # fmt: skip
    assert _json(live_server, live_tenant, "confirm", num, "--operator", "u1")["status"] == "INCIDENT_STATUS_COMPLETED"

    human = _run(live_server, live_tenant, "show", num)
    assert human.returncode == 0 and "db down" in human.stdout and "COMPLETED" in human.stdout
    listed = _json(live_server, live_tenant, "list")
    assert listed["total"] == 1 and listed["list"][0]["ticket_id"] == num
    table = _run(live_server, live_tenant, "list")
    assert num in table.stdout and "1 of 1" in table.stdout
    history = _json(live_server, live_tenant, "history", num)
    assert [e["action"] for e in history["info"]] == ["create", "acceptedIncident1", "commitSolution1", "confirm",
                                                      "commitSolution1", "confirm"]  # fmt: skip
    shown = _run(live_server, live_tenant, "history", num)
    assert shown.returncode == 0 and "Submit solution" in shown.stdout and "u2" in shown.stdout


def test_cli_errors_name_the_code_and_exit_nonzero(live_server: LiveServer, live_tenant: TenantKey) -> None:
    out = _run(live_server, live_tenant, "accept", "IM00000000000000000000000", "--operator", "u")
    assert out.returncode == 1
    assert "COC.00067003" in out.stderr
    out = _run(live_server, live_tenant, "create", "--title", "t", "--creator", "u")
    assert out.returncode == 1 and "incident_assignee" in out.stderr


def test_cli_show_prints_the_acceptor_and_the_solution_with_its_fault_start(
    live_server: LiveServer, live_tenant: TenantKey
) -> None:
    with httpx.Client(base_url=live_server.url) as http:
        define_scene(http, live_tenant, "net", {"sre": ["u-sre"]})
    num = _json(
        live_server, live_tenant, "create", "--title", "vpn down", "--creator", "u1", "--scene", "net", "--role", "sre",
        "--type", "inc_type_p_networking_issues",
    )["incident_num"]  # fmt: skip
    _json(live_server, live_tenant, "accept", num, "--operator", "u9")
    resolved = _json(
        live_server, live_tenant, "resolve", num, "--operator", "u9", "--cause", "MTU", "--solution", "set 1400",
        "--type", "inc_type_p_config_issues", "--interrupted", "--start-time", "1700000000000",
        "--recovery-time", "1700000600000",
    )  # fmt: skip
    assert resolved["start_time"] is None and resolved["incident_type"] == "inc_type_p_networking_issues"
    assert resolved["incident_assignee"] == [] and resolved["acceptor"] == "u9"
    human = _run(live_server, live_tenant, "show", num)
    assert human.returncode == 0, human.stderr
    lines = {line.split("  ")[0].strip(): line for line in human.stdout.splitlines() if line.strip()}
    assert "u9" in lines["accepted by"]
    assert "2023-11-14 22:13:20 UTC" in lines["fault started"], "the creator gave none: the solution's start shows"
    assert "2023-11-14 22:23:20 UTC" in lines["fault recovered"]
    assert "config issues" in lines["solution type"] and "networking issues" in lines["type"]
    assert "MTU" in lines["cause"] and "set 1400" in lines["solution"]


def test_cli_lists_tasks_and_does_v2_actions(live_server: LiveServer, live_tenant: TenantKey) -> None:
    me = live_tenant.user_id  # a v2 action's operator is the caller: the assignee here
    num = _json(live_server, live_tenant, "create", "--title", "queue stuck", "--creator", "u1", "--assignee", me)[
        "incident_num"
    ]
    tasks = _run(live_server, live_tenant, "tasks", num)
    assert tasks.returncode == 0 and "incident_accept" in tasks.stdout and "unAcceptedForward" in tasks.stdout
    assert _json(live_server, live_tenant, "action", num, "accepted")["key"] == "incident_handle"
    paused = _json(live_server, live_tenant, "action", num, "incidentPause", "-p", "pause_end_time=9999999999999")
    assert paused["key"] == "incident_pause_approval"
    remark = _run(live_server, live_tenant, "action", num, "addRemark", "-p", "note=vendor called back")
    assert remark.returncode == 0 and "incident_pause_approval" in remark.stdout
    refused = _run(live_server, live_tenant, "action", num, "confirm")
    assert refused.returncode == 1 and "action[confirm]" in refused.stderr + refused.stdout
    bad = _run(live_server, live_tenant, "action", num, "addRemark", "-p", "no-equals-sign")
    assert bad.returncode != 0 and "key=value" in bad.stderr + bad.stdout
