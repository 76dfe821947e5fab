"""`opencoc oncall ...` against a real server: build a scene and rotation, then who is on call and the 14 days."""

import json
import subprocess

from harness.server import LiveServer
from tests.support.cli import signed_cli
from tests.support.signing import TenantKey


def _run(server: LiveServer, key: TenantKey, *args: str) -> subprocess.CompletedProcess[str]:
    out = signed_cli(server, key, "oncall", *args)
    assert out.returncode == 0, f"opencoc oncall {' '.join(args)}: {out.stdout}\n{out.stderr}"
    return out


def test_cli_builds_a_rotation_and_shows_who_is_on_call_and_the_next_14_days(
    live_server: LiveServer, live_tenant: TenantKey
) -> None:
    _run(live_server, live_tenant, "scene", "add", "checkout", "--escalation-delay", "120")
    _run(live_server, live_tenant, "role", "set", "checkout", "primary", "--level", "1", "--rotation", "weekly",
         "--users", "u-ann,u-bob", "--zone", "Europe/Berlin", "--handoff", "00:00")  # fmt: skip
    now = json.loads(_run(live_server, live_tenant, "now", "--json").stdout)
    assert [(n["scene"], n["role"], n["user_id"]) for n in now] == [("checkout", "primary", "u-ann")]
    table = _run(live_server, live_tenant, "schedule", "show", "checkout").stdout
    assert "checkout: next 14 days" in table and "u-ann" in table and "u-bob" in table
    _run(live_server, live_tenant, "override", "add", "checkout", "primary", "--user", "u-cat",
         "--start", "2000-01-01T00:00", "--end", "2100-01-01T00:00")  # fmt: skip
    assert "u-cat" in _run(live_server, live_tenant, "now").stdout
    assert "checkout" in _run(live_server, live_tenant, "scene", "list").stdout
