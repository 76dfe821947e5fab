"""Numbers beyond what the databases store are 400s naming the field, on SQLite and PostgreSQL alike."""

import pytest
from fastapi.testclient import TestClient

from tests.support.signing import TenantKey


@pytest.mark.parametrize("value", [2**63, 10**22, 10**13])
@pytest.mark.parametrize("field", ["start_time", "end_time"])
def test_an_order_time_beyond_the_year_2286_is_a_400(
    client: TestClient, tenant: TenantKey, field: str, value: int
) -> None:
    resp = client.get("/v1/job/script/orders", params={field: value}, auth=tenant.auth)
    assert resp.status_code == 400, resp.text
    assert resp.json() == {"error_code": "COC.00040701", "error_msg": f"{field} must be <= 9999999999999"}


def test_a_tag_offset_beyond_32_bits_is_a_400(client: TestClient, tenant: TenantKey) -> None:
    resp = client.get("/v1/script/coc:script/tags", params={"offset": 2**63}, auth=tenant.auth)
    assert resp.status_code == 400 and resp.json()["error_msg"] == "offset must be <= 2147483647"
