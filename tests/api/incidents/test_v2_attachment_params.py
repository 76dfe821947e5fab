"""Attachment ids in v2 params (commitSolution's `resolve_attachments`, Reopen's `attachments`) must be the
tenant's uploads: an unknown one, or another tenant's, is a 400 naming the param, and nothing moves."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api.incidents.helpers import commit_parameter, error
from tests.api.incidents.v2_helpers import act, acted, as_strings, create_mine, history_info, open_task
from tests.support.signing import TenantKey


def _upload(client: TestClient, key: TenantKey, name: str = "log.txt") -> str:
    resp = client.post(
        "/v1/external/incident/attachments", files={"file": (name, b"disk full\n", "text/plain")}, auth=key.auth
    )
    assert resp.status_code == 200, resp.text
    return str(resp.json()["data"]["doc_id"])


def test_a_solution_naming_unknown_or_foreign_attachments_is_refused_naming_the_param(
    client: TestClient, tenant: TenantKey, make_tenant: Callable[..., TenantKey]
) -> None:
    mine, theirs = _upload(client, tenant), _upload(client, make_tenant())
    num = create_mine(client, tenant)
    acted(client, tenant, num, "accepted")
    before = len(history_info(client, tenant, num))
    for value in (f"{mine},nope", theirs, f'["{mine}", "{theirs}"]', '["unclosed', "[1, 2]"):
        resp = act(client, tenant, num, "commitSolution", as_strings(commit_parameter(resolve_attachments=value)))
        code, msg = error(resp)
        assert code == "COC.00000001" and msg.startswith("params.resolve_attachments"), (value, msg)
    assert open_task(client, tenant, num)[0] == "incident_handle"
    assert len(history_info(client, tenant, num)) == before
    acted(client, tenant, num, "commitSolution", as_strings(commit_parameter(resolve_attachments=f"{mine}, {mine}")))
    assert open_task(client, tenant, num)[0] == "incident_confirm"


def test_a_reopen_naming_an_unknown_attachment_is_refused_and_a_known_one_taken(
    client: TestClient, tenant: TenantKey
) -> None:
    num = create_mine(client, tenant)
    acted(client, tenant, num, "rejected", {"virtual_confirm_comment": "not ours"})
    code, msg = error(act(client, tenant, num, "Reopen", {"title": "again", "attachments": "nope"}))
    assert msg.startswith("params.attachments: attachment[nope] does not exist"), msg
    assert open_task(client, tenant, num)[0] == "incident_rejected"
    acted(client, tenant, num, "Reopen", {"title": "again", "attachments": f'["{_upload(client, tenant)}"]'})
    assert open_task(client, tenant, num)[0] == "incident_accept"
