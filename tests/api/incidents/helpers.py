"""Request bodies and signed calls shared by the incident API tests."""

from typing import Any

import httpx
from fastapi.testclient import TestClient
from httpx import Response

from tests.support.signing import TenantKey

OWNER = "7da46971b7e24eed90cf777cc2ff8b91"
CREATOR = "25819b46251b46218bf6ad238ddd860c"
CREATE = "/v1/external/incident/create"
# The detail's fields the creator gives: Terraform manages them (NonUpdatable), so no operation may change one.
CREATOR_FIELDS = (
    "region", "enterprise_project", "start_time", "current_cloud_service", "incident_level", "is_service_interrupt",
    "incident_type", "incident_ownership", "incident_title", "incident_description", "incident_source",
    "incident_assignee", "assignee_scene", "assignee_role", "creator",
)  # fmt: skip
HANDLE = "/v1/external/incident/handle"


def create_body(**overrides: Any) -> dict[str, Any]:
    """The seed's create example (§4.4.1.1), with `overrides` applied (None removes a key)."""
    body: dict[str, Any] = {
        "region": ["cn-southwest-252"],
        "enterprise_project": ["ab080d9f-6b97-4e73-8679-b6d76057f274"],
        "current_cloud_service": ["65659ae2f42bf80e5f3f0635"],
        "incident_level": "level_50",
        "is_service_interrupt": "true",
        "incident_type": "inc_type_p_security_issues",
        "incident_title": "Test Time Ticket No. 10001",
        "incident_description": "Test time Ticket No. 10001",
        "incident_source": "incident_source_manual",
        "incident_assignee": [OWNER],
        "creator": CREATOR,
        "assignee_scene": "",
        "assignee_role": "",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def create(client: TestClient, key: TenantKey, **overrides: Any) -> str:
    resp = client.post(CREATE, json=create_body(**overrides), auth=key.auth)
    assert resp.status_code == 200, resp.text
    return str(resp.json()["data"]["incident_num"])


def handle(
    client: TestClient, key: TenantKey, num: str, operate_key: str, parameter: Any = None, operator: str = OWNER
) -> Response:
    body: dict[str, Any] = {"incident_num": num, "operator": operator, "operate_key": operate_key}
    if parameter is not None:
        body["parameter"] = parameter
    return client.post(HANDLE, json=body, auth=key.auth)


def handled(
    client: TestClient, key: TenantKey, num: str, operate_key: str, parameter: Any = None, operator: str = OWNER
) -> None:
    """Perform an operation the test needs done (a step before the behaviour under test)."""
    resp = handle(client, key, num, operate_key, parameter, operator)
    assert resp.status_code == 200, (operate_key, resp.text)


def show(client: TestClient, key: TenantKey, num: str) -> Response:
    return client.get(f"/v1/external/incident/{num}", auth=key.auth)


def commit_parameter(**overrides: Any) -> dict[str, Any]:
    parameter: dict[str, Any] = {
        "mtm_type": "inc_type_p_config_issues",
        "is_service_interrupt": True,
        "cause": "100001",
        "solution": "20001",
        "start_time": 1_700_000_000_000,
        "fault_recovery_time": 1_700_000_600_000,
    }
    parameter.update(overrides)
    return {k: v for k, v in parameter.items() if v is not None}


def error(resp: Response, status: int = 400) -> tuple[str, str]:
    """(error_code, error_msg) of a COC error response, after checking status and envelope."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["provider_code"] == "049" and body["data"] is None, body
    return body["error_code"], body["error_msg"]


ONCALL = "/opencoc/v1/oncall"


def define_scene(
    client: httpx.Client, key: TenantKey, scene: str, roles: dict[str, list[str]], *, delay: int | None = None
) -> None:
    """An on-call scene whose roles (levels 1, 2 ... in order) rotate daily through the given users from today."""
    made = client.post(f"{ONCALL}/scenes", json={"name": scene, "escalation_delay_seconds": delay}, auth=key.auth)
    assert made.status_code == 200, made.text
    for level, (role, users) in enumerate(roles.items(), start=1):
        rotation = {"kind": "daily", "users": users, "handoff_time": "00:00", "start_date": "2024-01-01"}
        body = {"level": level, "rotation": rotation}
        put = client.put(f"{ONCALL}/scenes/{scene}/roles/{role}", json=body, auth=key.auth)
        assert put.status_code == 200, put.text
