"""`opencoc warroom ...` against a real server: open a war room, list it, post, move it, show it."""

import json
import subprocess

import httpx

from harness.server import LiveServer
from tests.api.incidents.helpers import create
from tests.support.cli import signed_cli
from tests.support.signing import TenantKey


def _run(server: LiveServer, key: TenantKey, *args: str) -> subprocess.CompletedProcess[str]:
    out = signed_cli(server, key, "warroom", *args)
    assert out.returncode == 0, f"opencoc warroom {' '.join(args)}: {out.stdout}\n{out.stderr}"
    return out


def test_cli_opens_lists_posts_to_and_closes_a_war_room(live_server: LiveServer, live_tenant: TenantKey) -> None:
    with httpx.Client(base_url=live_server.url) as http:
        num = create(http, live_tenant)
    war_room = _run(live_server, live_tenant, "create", num, "--name", "checkout down", "--admin",
                    live_tenant.user_id, "--participant", "u-ann").stdout.strip()  # fmt: skip
    assert war_room.startswith("WR")
    assert war_room in _run(live_server, live_tenant, "list").stdout
    _run(live_server, live_tenant, "post", war_room, "rolling back", "--kind", "decision")
    assert f"{war_room} is recovered" in _run(live_server, live_tenant, "status", war_room, "recovered").stdout
    shown = json.loads(_run(live_server, live_tenant, "show", war_room, "--json").stdout)
    assert shown["status"] == "recovered" and [m["user_id"] for m in shown["members"]] == [live_tenant.user_id, "u-ann"]
    assert ("decision", "rolling back") in [(e["kind"], e["text"]) for e in shown["timeline"]]
    listed = json.loads(_run(live_server, live_tenant, "list", "--status", "recovered", "--json").stdout)
    assert [r["war_room_num"] for r in listed["list"]] == [war_room]
    _run(live_server, live_tenant, "post", war_room, "[/b] not [bold]markup")
    table = _run(live_server, live_tenant, "show", war_room).stdout
    assert "rolling back" in table and "u-ann" in table and "[/b] not [bold]markup" in table


def test_cli_shows_and_turns_on_the_automatic_war_room(live_server: LiveServer, live_tenant: TenantKey) -> None:
    assert "level_10 (P1) incidents: on" in _run(live_server, live_tenant, "settings", "--auto-p1").stdout
    shown = json.loads(_run(live_server, live_tenant, "settings", "--json").stdout)
    assert shown["auto_level_10"] is True and shown["modified_by"] == live_tenant.user_id
    with httpx.Client(base_url=live_server.url) as http:
        num = create(http, live_tenant, incident_level="level_10")
        detail = http.get(f"/v1/external/incident/{num}", auth=live_tenant.auth).json()["data"]
    assert str(detail["warroom_id"]).startswith("WR")
    assert "level_10 (P1) incidents: off" in _run(live_server, live_tenant, "settings", "--no-auto-p1").stdout
