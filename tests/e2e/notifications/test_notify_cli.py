"""`opencoc notify ...` against a real server, and an outbox that survives the server's restart."""

import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from harness.polling import wait_for
from harness.server import LiveServer, free_port
from tests.conftest import cli_tenant
from tests.e2e.conftest import REPLICA_ENV
from tests.support.mailbox import Mailbox
from tests.support.signing import TenantKey

SECRET = "hunter2-Pa55"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path_factory.mktemp("notify"), None, extra_env=REPLICA_ENV).start()
    yield live
    live.stop()


@pytest.fixture
def tenant(server: LiveServer, request: pytest.FixtureRequest) -> TenantKey:
    return cli_tenant(server.data_dir, None, f"n{abs(hash(request.node.name)) % 10**8}")


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port()).start()
    yield box
    box.stop()


def _as(server: LiveServer, key: TenantKey, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = server.env | {
        "OPENCOC_ENDPOINT": server.url,
        "HUAWEICLOUD_SDK_AK": key.access_key,
        "HUAWEICLOUD_SDK_SK": key.secret_key,
    }
    result = subprocess.run(
        [sys.executable, "-m", "opencoc", "notify", *args], env=env, capture_output=True, text=True, timeout=120
    )
    if check:
        assert result.returncode == 0, f"opencoc notify {' '.join(args)}: {result.stdout}\n{result.stderr}"
    return result


def _json(server: LiveServer, key: TenantKey, *args: str) -> Any:
    return json.loads(_as(server, key, *args, "--json").stdout)


def test_channels_and_targets_from_the_cli_never_show_secrets(
    server: LiveServer, tenant: TenantKey, mailbox: Mailbox
) -> None:
    refused = _as(server, tenant, "channel", "add", "meta", "json://169.254.169.254/latest", check=False)
    assert refused.returncode == 1 and "169.254.169.254" in refused.stderr and "ALLOWED_HOSTS" in refused.stderr

    added = _as(server, tenant, "channel", "add", "hook", f"json://ops:{SECRET}@hooks.example.com/in")
    assert SECRET not in added.stdout and "hook" in added.stdout
    url = f"mailto://127.0.0.1:{mailbox.port}?from=opencoc@example.com&to=ops@example.com"
    _as(server, tenant, "channel", "add", "EMAIL", url)
    listed = _json(server, tenant, "channel", "list")
    assert [c["name"] for c in listed] == ["EMAIL", "hook"] and SECRET not in json.dumps(listed)

    tested = _as(server, tenant, "channel", "test", str(listed[0]["id"]))
    assert "delivered" in tested.stdout and len(mailbox.wait_for(1)) == 1

    target = _json(server, tenant, "target", "add", "mailto:me@example.com")
    assert [t["id"] for t in _json(server, tenant, "target", "list")] == [target["id"]]
    _as(server, tenant, "target", "delete", str(target["id"]))
    assert _json(server, tenant, "target", "list") == []

    for channel in listed:
        _as(server, tenant, "channel", "delete", str(channel["id"]))
    assert _json(server, tenant, "channel", "list") == []
    assert _json(server, tenant, "outbox") == [], "a test notice is sent at once, not through the outbox"


def test_a_notice_pending_when_the_server_stops_is_sent_after_it_starts(server: LiveServer, tenant: TenantKey) -> None:
    port = free_port()  # no SMTP server yet: the first attempt fails and the row waits for a retry
    _as(server, tenant, "channel", "add", "EMAIL", f"mailto://127.0.0.1:{port}?from=opencoc@example.com")
    _as(server, tenant, "target", "add", "mailto:reviewer@example.org")
    body = {
        "name": "restart_notice", "type": "SHELL", "content": "echo hi", "description": "d",
        "properties": {"risk_level": "LOW", "version": "1.0.0", "protocol": "EMAIL",
                       "reviewers": [{"reviewer_name": "admin", "reviewer_id": tenant.user_id}]},
    }  # fmt: skip
    created = httpx.post(f"{server.url}/v1/job/scripts", json=body, auth=tenant.auth, timeout=30)
    assert created.status_code == 200, created.text
    (row,) = wait_for(lambda: [r for r in _json(server, tenant, "outbox") if r["attempts"] >= 1], "a failed attempt")
    assert row["status"] == "PENDING" and row["last_error"]

    server.stop()
    mailbox = Mailbox(port).start()
    try:
        server.start()
        (mail,) = mailbox.wait_for(1)
        assert str(mail["To"]) == "reviewer@example.org" and "restart_notice" in str(mail["Subject"])
        wait_for(lambda: _json(server, tenant, "outbox")[0]["status"] == "SENT", "the row marked SENT")
    finally:
        mailbox.stop()
