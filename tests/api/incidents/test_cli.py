"""`opencoc incident ...` against a real server, with the access key from the environment."""

import json
import subprocess
import sys

from tests.support.server import LiveServer
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
