"""`opencoc resource import FILE.json --tenant NAME` against a real server's database."""

import json
from pathlib import Path

import httpx

from harness.server import LiveServer
from tests.support.signing import TenantKey


def _list(server: LiveServer, tenant: TenantKey) -> list[dict]:  # type: ignore[type-arg]
    resp = httpx.get(
        f"{server.url}/v1/resources", params={"provider": "ecs", "type": "cloudservers", "limit": 100}, auth=tenant.auth
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]  # type: ignore[no-any-return]


def test_import_adds_and_updates_resources_of_that_tenant_only(
    live_server: LiveServer, live_tenant: TenantKey, tmp_path: Path
) -> None:
    file = tmp_path / "hosts.json"
    file.write_text(
        json.dumps([{"resource_id": "i-1", "name": "old", "inner_ip": "10.0.0.1"}, {"resource_id": "i-2", "name": "b"}])
    )
    out = live_server.cli("resource", "import", str(file), "--tenant", live_tenant.name, "--json")
    assert json.loads(out.stdout) == {"imported": 2}
    file.write_text(json.dumps([{"resource_id": "i-1", "name": "renamed", "region_id": "r1"}]))
    live_server.cli("resource", "import", str(file), "--tenant", live_tenant.name)
    items = {i["resource_id"]: i for i in _list(live_server, live_tenant)}
    assert set(items) == {"i-1", "i-2"}
    assert (items["i-1"]["name"], items["i-1"]["region_id"]) == ("renamed", "r1")
    assert items["i-1"]["agent_id"] is None


def test_import_rejects_a_bad_file_naming_the_field(
    live_server: LiveServer, live_tenant: TenantKey, tmp_path: Path
) -> None:
    file = tmp_path / "bad.json"
    file.write_text(json.dumps([{"resource_id": "i-1"}]))
    out = live_server.cli("resource", "import", str(file), "--tenant", live_tenant.name, check=False)
    assert out.returncode == 1 and "[0].name" in out.stderr
    file.write_text("not json")
    out = live_server.cli("resource", "import", str(file), "--tenant", live_tenant.name, check=False)
    assert out.returncode == 1 and "cannot read" in out.stderr
    assert _list(live_server, live_tenant) == []


def test_import_into_an_unknown_tenant_fails(live_server: LiveServer, tmp_path: Path) -> None:
    file = tmp_path / "hosts.json"
    file.write_text(json.dumps([{"resource_id": "i-1", "name": "a"}]))
    out = live_server.cli("resource", "import", str(file), "--tenant", "no-such-tenant", check=False)
    assert out.returncode == 1 and "not found" in out.stderr
