"""Unknown incidents and other tenants' incidents: HTTP 400 COC.00067003 (Terraform reads it as gone)."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api.incidents.helpers import create, error, handle, show
from tests.support.signing import TenantKey


def test_unknown_incident_is_400_coc_00067003(client: TestClient, tenant: TenantKey) -> None:
    code, msg = error(show(client, tenant, "IM20240101000000000000000"))
    assert code == "COC.00067003" and "IM20240101000000000000000" in msg
    code, _ = error(handle(client, tenant, "IM20240101000000000000000", "acceptedIncident1", {}))
    assert code == "COC.00067003"


def test_another_tenants_incident_is_not_found(client: TestClient, make_tenant: Callable[..., TenantKey]) -> None:
    owner, other = make_tenant(), make_tenant()
    num = create(client, owner)
    assert error(show(client, other, num))[0] == "COC.00067003"
    assert error(handle(client, other, num, "acceptedIncident1", {}))[0] == "COC.00067003"
    assert show(client, owner, num).json()["data"]["status"] == "INCIDENT_STATUS_TRIGGERED"


def test_overlong_incident_num_in_path_is_400(client: TestClient, tenant: TenantKey) -> None:
    assert error(show(client, tenant, "I" * 256)) == ("COC.00000001", "incidentNum size must be between 0 and 255")


def test_unsigned_requests_are_401(client: TestClient) -> None:
    assert client.get("/v1/external/incident/IM1").status_code == 401
    assert client.post("/v1/external/incident/create", json={}).status_code == 401
    assert client.get("/v1/incident-tickets").status_code == 401
