"""Calls and workflow set-ups shared by the v2 incident API tests."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from opencoc.core.clock import now_ms
from tests.api.incidents.helpers import commit_parameter, create
from tests.support.signing import TenantKey

ACTIONS = (
    "accepted", "unAcceptedForward", "acceptedForward", "addRemark", "commitSolution", "confirm", "incidentPause",
    "agreed", "rejected", "recovery", "changeLevel", "Reopen",
)  # fmt: skip


def create_mine(client: TestClient, key: TenantKey, **overrides: Any) -> str:
    """A new incident assigned to the key's user, who may then do its v2 actions (v1's rule on who acts)."""
    return create(client, key, **{"incident_assignee": [key.user_id], **overrides})


def tasks(client: TestClient, key: TenantKey, num: str) -> list[dict[str, Any]]:
    resp = client.get(f"/v2/incidents/{num}/tasks", auth=key.auth)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["data"])


def open_task(client: TestClient, key: TenantKey, num: str) -> tuple[str, str, list[str]]:
    """(node key, task id, operation keys) of the node the incident is at (the first listed)."""
    first = tasks(client, key, num)[0]
    ops = first["operations"]
    return first["key"], (ops[0]["task_id"] if ops else ""), [op["key"] for op in ops]


def act(
    client: TestClient,
    key: TenantKey,
    num: str,
    action: str,
    params: dict[str, Any] | None = None,
    task_id: str | None = None,
) -> Response:
    body: dict[str, Any] = {"task_id": task_id or open_task(client, key, num)[1] or "none", "action": action}
    if params is not None:
        body["params"] = params
    return client.post(f"/v2/incidents/{num}/actions", json=body, auth=key.auth)


def acted(client: TestClient, key: TenantKey, num: str, action: str, params: dict[str, Any] | None = None) -> None:
    resp = act(client, key, num, action, params)
    assert resp.status_code == 200, (action, resp.text)


def as_strings(params: dict[str, Any]) -> dict[str, str]:
    """The params as Terraform's map of strings sends them."""
    return {k: str(v).lower() if isinstance(v, bool) else str(v) for k, v in params.items()}


def params_for(node: str, action: str) -> dict[str, Any]:
    """Valid params of `action` at `node`, in Terraform's string form."""
    later = now_ms() + 3_600_000
    by_action: dict[str, dict[str, Any]] = {
        "unAcceptedForward": {"virtual_send_assignee": "someone-else", "virtual_send_comment": "yours"},
        "acceptedForward": {"virtual_send_assignee": "someone-else", "virtual_send_comment": "yours"},
        "addRemark": {"note": "looking"},
        "commitSolution": commit_parameter(),
        "confirm": {"virtual_confirm_result": True, "virtual_confirm_comment": "ok"},
        "incidentPause": {"pause_end_time": later, "pause_reason": "waiting for vendor"},
        "changeLevel": {"virtual_target_level": "level_10", "virtual_change_level_comment": "worse"},
        "rejected": {"virtual_confirm_comment": "not ours"},
        "Reopen": {"title": "reopened", "level_id": "level_20"},
        "agreed": {"note": "fine"},
    }
    if node == "incident_pause_approval":
        by_action["agreed"] = {"pause_approve_conclusion": True, "note": "fine"}
        by_action["rejected"] = {"pause_approve_conclusion": False, "note": "no"}
    if node == "incident_level_approval":
        by_action["agreed"] = {"conclusion": True, "note": "fine"}
        by_action["rejected"] = {"conclusion": False, "note": "no"}
    return as_strings(by_action.get(action, {}))


def _steps(*steps: str) -> Callable[[TestClient, TenantKey], str]:
    def make(client: TestClient, key: TenantKey) -> str:
        num = create_mine(client, key)
        for action in steps:
            node = open_task(client, key, num)[0]
            acted(client, key, num, action, params_for(node, action))
        return num

    return make


# How to bring a new incident to each node, and the v1 status it then shows.
SETUPS: dict[str, tuple[Callable[[TestClient, TenantKey], str], str]] = {
    "incident_accept": (_steps(), "INCIDENT_STATUS_TRIGGERED"),
    "incident_handle": (_steps("accepted"), "INCIDENT_STATUS_ACKNOWLEDGED"),
    "incident_pause_approval": (_steps("accepted", "incidentPause"), "INCIDENT_STATUS_ACKNOWLEDGED"),
    "incident_paused": (_steps("accepted", "incidentPause", "agreed"), "INCIDENT_STATUS_ACKNOWLEDGED"),
    "incident_level_approval": (_steps("accepted", "changeLevel"), "INCIDENT_STATUS_ACKNOWLEDGED"),
    "incident_confirm": (_steps("accepted", "commitSolution"), "INCIDENT_STATUS_RESOLVED"),
    "incident_rejected": (_steps("rejected"), "INCIDENT_STATUS_REJECTED"),
    "incident_end": (_steps("accepted", "commitSolution", "confirm"), "INCIDENT_STATUS_COMPLETED"),
}

# node -> action -> the node it leads to (the valid actions; every other action is refused there).
VALID: dict[str, dict[str, str]] = {
    "incident_accept": {
        "accepted": "incident_handle",
        "unAcceptedForward": "incident_accept",
        "rejected": "incident_rejected",
        "addRemark": "incident_accept",
    },
    "incident_handle": {
        "commitSolution": "incident_confirm",
        "acceptedForward": "incident_handle",
        "incidentPause": "incident_pause_approval",
        "changeLevel": "incident_level_approval",
        "addRemark": "incident_handle",
    },
    "incident_pause_approval": {
        "agreed": "incident_paused",
        "rejected": "incident_handle",
        "addRemark": "incident_pause_approval",
    },
    "incident_paused": {"recovery": "incident_handle", "addRemark": "incident_paused"},
    "incident_level_approval": {
        "agreed": "incident_handle",
        "rejected": "incident_handle",
        "addRemark": "incident_level_approval",
    },
    "incident_confirm": {"confirm": "incident_end", "addRemark": "incident_confirm"},
    "incident_rejected": {"Reopen": "incident_accept", "agreed": "incident_end", "addRemark": "incident_rejected"},
    "incident_end": {},
}


def history(client: TestClient, key: TenantKey, num: str, body: dict[str, Any] | None = None) -> Response:
    return client.post(f"/v2/incidents/{num}/histories", json=body or {}, auth=key.auth)


def history_info(client: TestClient, key: TenantKey, num: str) -> list[dict[str, Any]]:
    resp = history(client, key, num)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["data"]["info"])
