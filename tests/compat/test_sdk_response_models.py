"""/openapi.json declares every field the official SDK reads from each response of a route we serve.

For each operation of `CocClient` (method, path, response model and response headers, as the SDK
itself states them) whose route is in our document, the fields of the SDK's response model
(`openapi_types` and `attribute_map`), and of the models nested in it, must be properties of our
schema of that route's 2xx response at the same place. Response headers are not body fields.
"""

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from opencoc.app import create_app
from opencoc.config import Settings
from tests.compat.sdk import SDK_WARNINGS, sdk  # noqa: F401 (the fixture)

# `sdk` imports the SDK with HOME in a temporary directory: the tests import its modules after it.
pytestmark = [*SDK_WARNINGS, pytest.mark.usefixtures("sdk")]

# (operation, field path in the SDK's model): why our document does not declare it.
KNOWN_DIFFERENCES = {
    (
        "handler_alarm",
        "body",
    ): "the SDK's model is a bare object it fills with the whole body; ours is declared field by field",
    (
        "list_alarm_handle_histories",
        "alarm_handle_histories[].sub_task_info.*",
    ): "sub_task_info is the free-form object the caller sent with handler_alarm, returned as it was sent",
    (
        "get_script_job_info",
        "data.properties.execute_param.script_params[].param_refer",
    ): "an order keeps each parameter's value, not a reference to a parameter store; we never send one",
}
NESTED = re.compile(r"^list\[(.+)\]$")


def _sdk_operations(sdk_v1: Any) -> list[tuple[str, str, str, str, set[str]]]:
    """(operation, method, path, response model name, response headers) of every CocClient operation."""
    operations = []
    for name, method in inspect.getmembers(sdk_v1.CocClient):
        found = re.fullmatch(r"_(\w+)_http_info", name)
        if not found:
            continue
        operation = found.group(1)
        request_class = getattr(sdk_v1, "".join(part.title() for part in operation.split("_")) + "Request", None)
        if request_class is None:
            continue
        info = method(request_class())
        operations.append(
            (operation, info["method"], info["resource_path"], info["response_type"], set(info["response_headers"]))
        )
    return operations


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """The object schema behind `$ref`s and nullable `anyOf`s (the non-null branch)."""
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].removeprefix("#/components/schemas/")]
        elif "anyOf" in schema:
            schema = next(branch for branch in schema["anyOf"] if branch.get("type") != "null")
        else:
            return schema


def _missing(
    model: Any, schema: dict[str, Any], components: dict[str, Any], models: Any, prefix: str, headers: set[str]
) -> list[str]:
    """The SDK's field paths under `model` that `schema` does not declare."""
    properties = _resolve(schema, components).get("properties")
    if properties is None:
        return [f"{prefix}*"]
    missing = []
    for attribute, sdk_type in model.openapi_types.items():
        key = model.attribute_map[attribute]
        if key in headers:
            continue
        if key not in properties:
            missing.append(prefix + key)
            continue
        nested, ours = sdk_type, properties[key]
        listed = NESTED.match(sdk_type)
        if listed:
            nested = listed.group(1)
            ours = _resolve(ours, components).get("items", {})
        nested_model = getattr(models, nested, None)
        if nested_model is not None and nested_model.openapi_types:
            path = f"{prefix}{key}{'[]' if listed else ''}."
            missing += _missing(nested_model, ours, components, models, path, set())
    return missing


def _success_schema(operation: dict[str, Any]) -> dict[str, Any] | None:
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            schema: dict[str, Any] | None = response.get("content", {}).get("application/json", {}).get("schema")
            return schema
    return None


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    data_dir: Path = tmp_path_factory.mktemp("openapi")
    app = create_app(Settings(data_dir=data_dir, secret_key="test-master-key", docs=True))
    with TestClient(app) as client:
        schema: dict[str, Any] = client.get("/openapi.json").json()
    return schema


def test_each_served_sdk_operation_has_every_sdk_response_field_declared(document: dict[str, Any]) -> None:
    import huaweicloudsdkcoc.v1 as sdk_v1
    import huaweicloudsdkcoc.v1.model as models

    components = document["components"]["schemas"]
    served, problems = [], []
    for operation, method, path, response_type, headers in _sdk_operations(sdk_v1):
        ours = document["paths"].get(path, {}).get(method.lower())
        if ours is None:
            continue
        served.append(operation)
        schema = _success_schema(ours)
        if schema is None:
            problems.append(f"{operation} ({method} {path}): no 2xx JSON schema")
            continue
        for field in _missing(getattr(models, response_type), schema, components, models, "", headers):
            if (operation, field) not in KNOWN_DIFFERENCES:
                problems.append(f"{operation} ({method} {path}): {field}")
    assert len(served) >= 30, f"only {len(served)} SDK operations matched our routes: {served}"
    assert not problems, "SDK response fields our /openapi.json does not declare:\n" + "\n".join(problems)


def test_known_differences_are_still_differences(document: dict[str, Any]) -> None:
    """An entry that our document now declares must leave the list."""
    import huaweicloudsdkcoc.v1 as sdk_v1
    import huaweicloudsdkcoc.v1.model as models

    components = document["components"]["schemas"]
    found = set()
    for operation, method, path, response_type, headers in _sdk_operations(sdk_v1):
        ours = document["paths"].get(path, {}).get(method.lower())
        schema = _success_schema(ours) if ours else None
        if schema is not None:
            model = getattr(models, response_type)
            found |= {(operation, f) for f in _missing(model, schema, components, models, "", headers)}
    assert set(KNOWN_DIFFERENCES) <= found, f"no longer different: {set(KNOWN_DIFFERENCES) - found}"
