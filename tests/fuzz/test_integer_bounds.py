"""Every integer of every route, walked from /openapi.json, refuses an out-of-range value with a 4xx naming it.

Path, query and JSON body integers alike (nested bodies too): a new route or field is covered as
soon as the document has it. The webhooks, which are not in the document, have their own corpus
(test_webhook_corpus.py).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from opencoc.app import create_app
from tests.fuzz.conftest import AGENT_PREFIX, ENROLL, Accounts
from tests.fuzz.openapi import document

OUT_OF_RANGE = (2**63, -(2**63) - 1, 10**22)


@dataclass(frozen=True)
class IntegerField:
    method: str
    path: str
    where: str  # "path", "query" or "body"
    name: tuple[str | int, ...]  # the parameter, or the keys and indexes down to the body field

    @property
    def label(self) -> str:
        return f"{self.method} {self.path} {self.where}:{'.'.join(map(str, self.name))}"


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    node: Any = document()
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return _resolve(node)


def _is_integer(schema: dict[str, Any]) -> bool:
    schema = _resolve(schema)
    return schema.get("type") == "integer" or any(_is_integer(s) for s in schema.get("anyOf", []))


def _body_integers(schema: dict[str, Any], at: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The paths to every integer in a body schema (through objects, arrays and nullable unions)."""
    schema = _resolve(schema)
    if _is_integer(schema):
        yield at
        return
    for option in schema.get("anyOf", []):
        yield from _body_integers(option, at)
    for key, prop in schema.get("properties", {}).items():
        yield from _body_integers(prop, (*at, key))
    if "items" in schema:
        yield from _body_integers(schema["items"], (*at, 0))


def integer_fields() -> list[IntegerField]:
    fields = []
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            for param in operation.get("parameters", []):
                if _is_integer(param["schema"]):
                    fields.append(IntegerField(method.upper(), path, param["in"], (param["name"],)))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            for at in dict.fromkeys(_body_integers(body)) if body else ():
                fields.append(IntegerField(method.upper(), path, "body", at))
    return fields


def _nest(name: tuple[str | int, ...], value: int) -> Any:
    """The smallest body holding `value` at `name` (other required fields missing: their errors join the 400)."""
    out: Any = value
    for part in reversed(name):
        out = [out] if isinstance(part, int) else {part: out}
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@pytest.fixture(scope="module")
def signed_client(fuzz_accounts: Accounts) -> Iterator[TestClient]:
    with TestClient(create_app(fuzz_accounts.settings), raise_server_exceptions=False) as client:
        yield client


FIELDS = integer_fields()


def test_the_walk_finds_the_integers_of_queries_paths_and_nested_bodies() -> None:
    labels = {field.label for field in FIELDS}
    assert "GET /v1/incident-tickets query:offset" in labels
    assert "GET /v1/job/script/orders query:end_time" in labels
    assert "GET /v1/job/script/orders/{execute_uuid}/batches/{batch_index} path:batch_index" in labels
    assert "POST /v1/job/scripts/{script_uuid} body:execute_batches.0.batch_index" in labels
    assert "POST /v1/alarm-mgmt/alarms/cancel body:start_time" in labels


@pytest.mark.parametrize("field", FIELDS, ids=lambda field: field.label)
def test_an_out_of_range_integer_is_a_4xx_naming_the_field(
    field: IntegerField, signed_client: TestClient, fuzz_accounts: Accounts
) -> None:
    for value in OUT_OF_RANGE:
        path, query, body = field.path, None, None
        name = str(field.name[-1])
        # an item of a list of integers is named by its list
        named = next(str(part) for part in reversed(field.name) if not str(part).isdigit())
        for param in (
            "{" + p + "}" for p in ("execute_uuid", "script_uuid", "alarm_id", "incident_num", "incident_id")
        ):
            path = path.replace(param, "x1")
        path = path.replace("{ticket_type}", "incident").replace("{resource_type}", "coc:script")
        path = path.replace("{" + name + "}", str(value)) if field.where == "path" else path
        path = path.replace("{batch_index}", "1").replace("{task_id}", "1").replace("{ref}", "x1")
        if field.where == "query":
            query = {name: value}
        elif field.where == "body":
            body = _nest(field.name, value)
        agent = path.startswith(AGENT_PREFIX) and not path.startswith(ENROLL)
        resp = signed_client.request(
            field.method,
            path,
            params=query,
            json=body,
            auth=None if agent else fuzz_accounts.tenant.auth,
            headers={"Authorization": fuzz_accounts.agent.value} if agent else None,
        )
        assert 400 <= resp.status_code < 500, f"{field.label} = {value}: {resp.status_code} {resp.text[:300]}"
        message = resp.json()["error_msg"]
        assert named in message or _camel(named) in message, f"{field.label} = {value}: {message}"
