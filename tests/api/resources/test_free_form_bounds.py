"""Resource `properties` are bounded on import, and a resource stored deeper before still lists."""

import json
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient

from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from opencoc.core.json_bounds import TRUNCATED
from opencoc.resources import cli, service
from opencoc.resources.schemas import ImportedResource
from tests.support.signing import TenantKey
from tests.support.stored_json import deep_json, store_json_text

QUERY = {"provider": "ecs", "type": "cloudservers", "limit": 10}


def nested(depth: int) -> object:
    value: object = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    ("properties", "rule"),
    [
        (nested(17), "[0].properties must be nested at most 16 levels deep"),
        ({"blob": "b" * 70_000}, "[0].properties size must be at most 65536 characters as JSON"),
    ],
)
def test_import_refuses_properties_out_of_bounds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], properties: object, rule: str
) -> None:
    file = tmp_path / "hosts.json"
    file.write_text(json.dumps([{"resource_id": "i-1", "name": "a", "properties": properties}]))
    with pytest.raises(typer.Exit):
        cli._read(file)
    assert rule in capsys.readouterr().err.replace("\n", "")


def test_import_of_a_file_nested_past_the_parser_is_an_error_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "deep.json"
    file.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(typer.Exit):
        cli._read(file)
    assert "cannot read" in capsys.readouterr().err


def test_a_resource_stored_1000_levels_deep_still_lists(client: TestClient, db: Database, tenant: TenantKey) -> None:
    with db.write() as session:
        service.import_resources(
            session, tenant_name=tenant.name, items=[ImportedResource(resource_id="deep-1", name="a")], now=now_ms()
        )
    store_json_text(db, "resources", "properties", "resource_id = :id", {"id": "deep-1"}, deep_json(1000))
    resp = client.get("/v1/resources", params=QUERY, auth=tenant.auth)
    assert resp.status_code == 200, resp.text[:300]
    [item] = [i for i in resp.json()["data"] if i["resource_id"] == "deep-1"]
    assert TRUNCATED in json.dumps(item["properties"])
