"""GET /v1/incident-tickets (list_incident_simple_tickets): the tenant's incidents, paged."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api.incidents.helpers import OWNER, create, error, show
from tests.support.signing import TenantKey


def test_list_pages_newest_first_and_only_the_callers_incidents(
    client: TestClient, make_tenant: Callable[..., TenantKey]
) -> None:
    key, other = make_tenant(), make_tenant()
    nums = [create(client, key, incident_title=f"t{i}") for i in range(3)]
    create(client, other)
    resp = client.get("/v1/incident-tickets", params={"offset": 1, "limit": 2}, auth=key.auth)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["provider_code"], body["error_code"]) == ("049", "GOM.00000000")
    assert body["data"]["total"] == 3
    first = body["data"]["list"]
    assert [t["ticket_id"] for t in first] == [nums[2], nums[1]]
    assert first[0] == {
        "title": "t2",
        "ticket_id": nums[2],
        "description": "Test time Ticket No. 10001",
        "status": "INCIDENT_STATUS_TRIGGERED",
        "level": "level_50",
        "enterprise_project": "ab080d9f-6b97-4e73-8679-b6d76057f274",
        "source": "incident_source_manual",
        "creator": "25819b46251b46218bf6ad238ddd860c",
        "assignee": [OWNER],
    }
    second = client.get("/v1/incident-tickets", params={"offset": 2, "limit": 2}, auth=key.auth).json()["data"]
    assert [t["ticket_id"] for t in second["list"]] == [nums[0]]


def test_list_rejects_bad_paging(client: TestClient, tenant: TenantKey) -> None:
    for params, rule in (
        ({"limit": 0}, "limit must be >= 1"),
        ({"limit": 101}, "limit must be <= 100"),
        ({"offset": -1}, "offset must be >= 0"),
        ({"limit": "ten"}, "limit must be an integer"),
    ):
        resp = client.get("/v1/incident-tickets", params=params, auth=tenant.auth)
        assert error(resp) == ("COC.00000001", rule), params


def test_incident_without_enterprise_project_lists_the_default_0_and_details_as_sent(
    client: TestClient, tenant: TenantKey
) -> None:
    for sent in (None, []):
        num = create(client, tenant, enterprise_project=sent)
        listed = client.get("/v1/incident-tickets", params={"limit": 1}, auth=tenant.auth).json()["data"]["list"]
        assert (listed[0]["ticket_id"], listed[0]["enterprise_project"]) == (num, "0")
        assert show(client, tenant, num).json()["data"]["enterprise_project"] == [], "Terraform reads back what it sent"
