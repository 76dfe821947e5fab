"""`opencoc approval list|show|approve|reject` against a real server, as a reviewer of a script."""

import json
import subprocess

import httpx

from harness.server import LiveServer
from tests.api.scripts.helpers import script_body
from tests.support.cli import json_of, signed_cli
from tests.support.signing import TenantKey


def _approval(server: LiveServer, key: TenantKey, *args: str) -> subprocess.CompletedProcess[str]:
    return signed_cli(server, key, "approval", *args)


def _user_key(server: LiveServer, tenant: TenantKey, name: str) -> TenantKey:
    user = json.loads(server.cli("admin", "create-user", "--tenant", tenant.name, "--user", name, "--json").stdout)
    key = json.loads(server.cli("admin", "create-key", "--tenant", tenant.name, "--user", name, "--json").stdout)
    assert key["user_id"] == user["user_id"]
    return TenantKey(tenant.name, key["domain_id"], key["user_id"], key["access_key"], key["secret_key"])


def test_a_reviewer_lists_shows_and_approves_from_the_shell(live_server: LiveServer, live_tenant: TenantKey) -> None:
    bob = _user_key(live_server, live_tenant, "bob")
    props = {"reviewers": [{"reviewer_name": "bob", "reviewer_id": bob.user_id}], "protocol": "NOT_TO_NOTIFY"}
    created = httpx.post(f"{live_server.url}/v1/job/scripts", json=script_body(props=props), auth=live_tenant.auth)
    assert created.status_code == 200, created.text
    uuid = created.json()["data"]

    [pending] = json_of(_approval(live_server, bob, "list", "--json"))["approvals"]
    assert pending["subject"]["id"] == uuid
    table = _approval(live_server, bob, "list")
    assert table.returncode == 0 and pending["approval_id"] in table.stdout and uuid in table.stdout

    approved = json_of(_approval(live_server, bob, "approve", pending["approval_id"], "--comment", "lgtm", "--json"))
    assert approved["status"] == "APPROVED"
    shown = _approval(live_server, live_tenant, "show", pending["approval_id"])
    assert shown.returncode == 0 and "APPROVED" in shown.stdout and "lgtm" in shown.stdout
    script = httpx.get(f"{live_server.url}/v1/job/scripts/{uuid}", auth=live_tenant.auth).json()["data"]
    assert script["status"] == "APPROVED"

    late = _approval(live_server, bob, "reject", pending["approval_id"])
    assert late.returncode == 1 and "OPENCOC.APPROVAL.NOT_PENDING" in late.stderr and "HTTP 409" in late.stderr
    stranger = _approval(live_server, live_tenant, "approve", "0" * 32)
    assert stranger.returncode == 1 and "OPENCOC.APPROVAL.NOT_FOUND" in stranger.stderr
