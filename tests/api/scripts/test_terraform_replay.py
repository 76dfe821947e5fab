"""`huaweicloud_coc_script` and the `huaweicloud_coc_scripts` data source, replayed as the provider sends them.

resource_huaweicloud_coc_script.go creates with the body below and reads every field it manages
back from the detail (`enterprise_project_id` is one, Optional and NonUpdatable: a value the read
invents would fail every later plan). data_source_huaweicloud_coc_scripts.go pages the list with
`?limit=100&<filter>=<value>&marker=<last id>` (values unencoded); its acceptance test
(data_source_huaweicloud_coc_scripts_test.go) expects each filter to narrow the list to matches.
"""

import itertools
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.scripts.helpers import create
from tests.support.signing import TenantKey
from tests.support.terraform import data, go_json, ignore_empty, remove_nil, send

SCRIPTS = "/v1/job/scripts"
MASK = "*" * 17  # defaultSensitiveValue: the provider ignores a difference when the state holds it
_n = itertools.count(1)


def _config(**overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "name": f"tf_test_{next(_n)}",
        "description": "a new demo script",
        "risk_level": "MEDIUM",
        "version": "1.0.1",
        "type": "SHELL",
        "content": '#! /bin/bash\necho "hello ${name}!"\n',
        "parameters": [{"name": "name", "value": "world", "description": "the parameter"}],
    }
    return config | overrides


def create_body(config: dict[str, Any]) -> bytes:
    """buildCreateScriptBodyParams, then utils.RemoveNil."""
    params = [
        {
            "param_order": i,
            "param_name": p["name"],
            "param_value": p["value"],
            "param_description": p["description"],
            "sensitive": p.get("sensitive", False),
        }
        for i, p in enumerate(config.get("parameters", []), start=1)
    ]
    body = {
        "name": config["name"],
        "description": config["description"],
        "type": config["type"],
        "content": config["content"],
        "enterprise_project_id": ignore_empty(config.get("enterprise_project_id")),
        "script_params": params or None,
        "properties": {
            "risk_level": config["risk_level"],
            "version": config["version"],
            "protocol": ignore_empty(config.get("protocol")),
            "reviewers": config.get("reviewers") or None,
        },
    }
    return go_json(remove_nil(body))


def read_state(client: TestClient, key: TenantKey, uuid: str) -> dict[str, Any]:
    """What resourceScriptRead stores for the fields the configuration sets (a null is the zero value)."""
    detail = data(send(client, key, "GET", f"{SCRIPTS}/{uuid}"))
    return {
        "name": detail["name"],
        "description": detail["description"],
        "type": detail["type"],
        "content": detail["content"],
        "risk_level": detail["properties"]["risk_level"],
        "version": detail["properties"]["version"],
        "reviewers": [
            {"reviewer_name": r["reviewer_name"], "reviewer_id": r["reviewer_id"]}
            for r in detail["properties"]["reviewers"] or []
        ],
        "enterprise_project_id": detail.get("enterprise_project_id") or "",
        "parameters": [
            {
                "name": p["param_name"],
                "value": p["param_value"],
                "description": p["param_description"],
                "sensitive": p.get("sensitive", False),
            }
            for p in detail["script_params"] or []
        ],
    }


def plan_diff(config: dict[str, Any], state: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The managed fields `terraform plan` would find changed (state -> configuration)."""
    wanted = {
        **config,
        "reviewers": config.get("reviewers", []),
        "enterprise_project_id": config.get("enterprise_project_id", ""),
        "parameters": [{"sensitive": False} | p for p in config.get("parameters", [])],
    }
    seen = {
        **state,
        "parameters": [
            p | {"value": w["value"]} if p["value"] == MASK and i < len(wanted["parameters"]) else p
            for i, (p, w) in enumerate(itertools.zip_longest(state["parameters"], wanted["parameters"], fillvalue={}))
        ],
    }
    return {name: (seen[name], wanted[name]) for name in state if name in wanted and seen[name] != wanted[name]}


CASES = {
    "without_enterprise_project": _config(),
    "enterprise_project_0": _config(enterprise_project_id="0"),
    "reviewers_and_a_sensitive_parameter": _config(
        enterprise_project_id="0",
        protocol="DEFAULT",
        reviewers=[{"reviewer_id": "0f7bd0dbc44e4c1a8b4b1cc1a7b3a6e1", "reviewer_name": "alice"}],
        parameters=[
            {"name": "name", "value": "world", "description": "the first parameter"},
            {"name": "company", "value": "Huawei", "description": "the second parameter", "sensitive": True},
        ],
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_script_resource_reads_back_what_it_manages(client: TestClient, tenant: TenantKey, case: str) -> None:
    config = CASES[case]
    uuid = data(send(client, tenant, "POST", SCRIPTS, create_body(config)))
    first = read_state(client, tenant, uuid)
    assert plan_diff(config, first) == {}
    second = read_state(client, tenant, uuid)
    assert second == first and plan_diff(config, second) == {}


def _data_source(client: TestClient, key: TenantKey, **filters: str) -> list[dict[str, Any]]:
    """dataSourceCocScriptsRead: pages of 100 by marker until an empty page."""
    found: list[dict[str, Any]] = []
    marker = 0
    while True:
        query = "limit=100" + "".join(f"&{name}={value}" for name, value in filters.items())
        if marker:
            query += f"&marker={marker}"
        page = data(send(client, key, "GET", SCRIPTS, query=query))["data"]
        if not page:
            return found
        found += page
        marker = page[-1]["id"]


@pytest.fixture
def listed(client: TestClient, tenant: TenantKey) -> tuple[TenantKey, str]:
    """The acceptance test's script (no enterprise project), among others that each filter must leave out."""
    config = _config()
    data(send(client, tenant, "POST", SCRIPTS, create_body(config)))
    create(client, tenant, name="other_python", type="PYTHON", content="print(1)", props={"risk_level": "LOW"})
    create(client, tenant, name="other_ep", enterprise_project_id="ep-other", props={"risk_level": "HIGH"})
    return tenant, config["name"]


def test_data_source_lists_every_field_it_reads(client: TestClient, listed: tuple[TenantKey, str]) -> None:
    tenant, _ = listed
    items = _data_source(client, tenant)
    assert len(items) == 3
    for field in ("id", "name", "type", "creator", "creator_id", "gmt_created", "gmt_modified", "status"):
        assert all(item[field] not in (None, "") for item in items), field
    assert all(isinstance(item["usage_count"], int) for item in items)
    assert all(item["properties"]["risk_level"] and item["properties"]["version"] for item in items)
    assert {item["enterprise_project_id"] for item in items} == {"0", "ep-other"}, "no enterprise project is 0"


def test_name_like_filter_narrows_the_list(client: TestClient, listed: tuple[TenantKey, str]) -> None:
    tenant, name = listed
    assert [item["name"] for item in _data_source(client, tenant, name_like=name)] == [name]


def test_creator_filter_narrows_the_list(client: TestClient, listed: tuple[TenantKey, str], add_user: Any) -> None:
    tenant, _ = listed
    bob = add_user(tenant, "bob")
    create(client, bob, name="bobs_script")
    # the acceptance test takes the first non-empty creator the unfiltered list shows (the newest script's)
    creator = next(item["creator"] for item in _data_source(client, tenant) if item["creator"])
    found = _data_source(client, tenant, creator=creator)
    assert [item["name"] for item in found] == ["bobs_script"] and creator == "bob"
    assert len(_data_source(client, tenant, creator="admin")) == 3


def test_risk_level_filter_narrows_the_list(client: TestClient, listed: tuple[TenantKey, str]) -> None:
    tenant, name = listed
    found = _data_source(client, tenant, risk_level="MEDIUM")
    assert [item["name"] for item in found] == [name]
    assert all(item["properties"]["risk_level"] == "MEDIUM" for item in found)


def test_type_filter_narrows_the_list(client: TestClient, listed: tuple[TenantKey, str]) -> None:
    tenant, _ = listed
    found = _data_source(client, tenant, type="SHELL")
    assert len(found) == 2 and all(item["type"] == "SHELL" for item in found)
    assert [item["name"] for item in _data_source(client, tenant, type="PYTHON")] == ["other_python"]


def test_enterprise_project_id_filter_narrows_the_list(client: TestClient, listed: tuple[TenantKey, str]) -> None:
    tenant, name = listed
    # the acceptance test takes the first non-empty value the unfiltered list shows
    chosen = [item["enterprise_project_id"] for item in _data_source(client, tenant) if item["enterprise_project_id"]][
        0
    ]
    found = _data_source(client, tenant, enterprise_project_id=chosen)
    assert found and found[0]["enterprise_project_id"] == chosen
    assert all(item["enterprise_project_id"] == chosen for item in found)
    assert {item["name"] for item in _data_source(client, tenant, enterprise_project_id="0")} == {name, "other_python"}
    assert [item["name"] for item in _data_source(client, tenant, enterprise_project_id="ep-other")] == ["other_ep"]
