"""Incident `parameter` is bounded on input; deep values in rejected fields are 400s, not RecursionErrors;
a history stored deeper before the bounds still lists; huge paging numbers are 400s (both backends)."""

import json

import pytest
from fastapi.testclient import TestClient

from opencoc.core.db import Database
from opencoc.core.json_bounds import TRUNCATED
from tests.api.incidents.helpers import CREATE, HANDLE, create, create_body, error, handle
from tests.support.signing import TenantKey
from tests.support.stored_json import deep_json, store_json_text

HISTORIES = "/v1/external/incident/list-histories"


def nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def test_parameter_deeper_than_sixteen_levels_is_a_400(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    code, message = error(handle(client, tenant, num, "acceptedIncident1", parameter={"note": nested(16)}))
    assert (code, message) == ("COC.00000001", "parameter must be nested at most 16 levels deep")


def test_parameter_over_64k_characters_is_a_400(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    _, message = error(handle(client, tenant, num, "acceptedIncident1", parameter={"note": "n" * 70_000}))
    assert message == "parameter size must be at most 65536 characters as JSON"


@pytest.mark.parametrize("depth", [990, 100_000])
@pytest.mark.parametrize(
    ("path", "field", "body"),
    [
        (HANDLE, "operate_key", {"incident_num": "x", "operator": "o"}),
        (CREATE, "incident_title", create_body()),
        (HANDLE, "parameter", {"incident_num": "x", "operator": "o", "operate_key": "acceptedIncident1"}),
    ],
)
def test_a_deeply_nested_field_is_a_400_naming_it(
    client: TestClient, tenant: TenantKey, path: str, field: str, body: dict[str, object], depth: int
) -> None:
    deep = '{"a":' * depth + "1" + "}" * depth if field == "parameter" else "[" * depth + "]" * depth
    raw = json.dumps({**body, field: "@@"}).replace('"@@"', deep)
    resp = client.post(path, content=raw, auth=tenant.auth, headers={"Content-Type": "application/json"})
    _, message = error(resp)
    # orjson reads 1024 levels: deeper is not JSON to us, shallower is named with its rule
    assert message == "request body is not valid JSON" if depth > 1024 else field in message, message


def test_a_history_stored_1000_levels_deep_still_lists(client: TestClient, db: Database, tenant: TenantKey) -> None:
    num = create(client, tenant)
    assert handle(client, tenant, num, "acceptedIncident1", parameter={}).status_code == 200
    where = "incident_num = :num AND operate_key = 'acceptedIncident1'"
    store_json_text(db, "incident_history", "parameter", where, {"num": num}, deep_json(1000))
    filters = {"string_filters": [{"operator": "=", "field": "ticket_id", "values": [num]}]}
    resp = client.post(HISTORIES, json=filters, auth=tenant.auth)
    assert resp.status_code == 200, resp.text[:300]
    [accepted] = [e for e in resp.json()["data"]["info"] if e["action"] == "acceptedIncident1"]
    assert TRUNCATED in json.dumps(accepted["parameter"])


@pytest.mark.parametrize("offset", [10**22, 2**63, 2**31])
def test_a_huge_page_number_is_a_400(client: TestClient, tenant: TenantKey, offset: int) -> None:
    _, message = error(client.get("/v1/incident-tickets", params={"offset": offset}, auth=tenant.auth))
    assert message == "offset must be <= 2147483647"
