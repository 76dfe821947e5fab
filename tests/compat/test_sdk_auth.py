"""Authentication as the official SDK and IAM token users do it, against a real server.

- GlobalCredentials and BasicCredentials, with explicit ids and with `with_region` auto-resolution
  (`HUAWEICLOUD_SDK_IAM_ENDPOINT` pointing at us: GET /v3/auth/domains, GET /v3/projects?name=).
- X-Auth-Token from POST /v3/auth/tokens (the SDK has no token credential, so httpx sends it).
"""

import itertools
from types import SimpleNamespace

import httpx
import pytest

from harness.server import LiveServer
from tests.api.incidents.helpers import create_body
from tests.compat.sdk import SDK_WARNINGS, client, create_request, sdk
from tests.conftest import cli_tenant
from tests.support.signing import TenantKey

pytestmark = SDK_WARNINGS
__all__ = ["sdk"]
_names = itertools.count(1)


@pytest.fixture(scope="module")
def key(live_server: LiveServer) -> TenantKey:
    """One tenant for this module: every test here only reads back what it created."""
    return cli_tenant(live_server.data_dir, live_server.database_url, f"sdkauth{id(live_server)}x{next(_names)}")


def _round_trip(sdk: SimpleNamespace, coc: object) -> None:
    """Create an incident and read it back through `coc`."""
    num = coc.create_coc_incident(create_request(sdk)).data.incident_num  # type: ignore[attr-defined]
    data = coc.show_coc_incident_detail(sdk.ShowCocIncidentDetailRequest(incident_num=num)).data  # type: ignore[attr-defined]
    assert data.incident_num == num and data.status == "INCIDENT_STATUS_TRIGGERED"


def test_global_credentials_sign_with_domain_id(sdk: SimpleNamespace, live_server: LiveServer, key: TenantKey) -> None:
    credentials = sdk.GlobalCredentials(key.access_key, key.secret_key, key.domain_id)
    _round_trip(sdk, client(sdk, credentials, live_server.url))


def test_global_credentials_with_another_domain_id_are_rejected(
    sdk: SimpleNamespace, live_server: LiveServer, key: TenantKey
) -> None:
    credentials = sdk.GlobalCredentials(key.access_key, key.secret_key, "0" * 32)
    with pytest.raises(sdk.ClientRequestException) as denied:
        client(sdk, credentials, live_server.url).create_coc_incident(create_request(sdk))
    assert (denied.value.status_code, denied.value.error_code) == (401, "common.01010001")


def test_wrong_secret_is_rejected(sdk: SimpleNamespace, live_server: LiveServer, key: TenantKey) -> None:
    credentials = sdk.GlobalCredentials(key.access_key, "x" * 40, key.domain_id)
    with pytest.raises(sdk.ClientRequestException) as denied:
        client(sdk, credentials, live_server.url).create_coc_incident(create_request(sdk))
    assert denied.value.error_msg == "Token missing or invalid."


def test_basic_credentials_sign_with_project_id(sdk: SimpleNamespace, live_server: LiveServer, key: TenantKey) -> None:
    credentials = sdk.BasicCredentials(key.access_key, key.secret_key, "0970dd7a1300f5672ff2c003c60ae115")
    _round_trip(sdk, client(sdk, credentials, live_server.url))


def test_with_region_resolves_the_domain_id_from_our_iam(
    sdk: SimpleNamespace, live_server: LiveServer, key: TenantKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", live_server.url)
    credentials = sdk.GlobalCredentials(key.access_key, key.secret_key)
    region = sdk.Region("opencoc-local", live_server.url)
    coc = sdk.CocClient.new_builder().with_credentials(credentials).with_region(region).build()
    assert credentials.domain_id == key.domain_id
    _round_trip(sdk, coc)


def test_with_region_resolves_the_project_id_from_our_iam(
    sdk: SimpleNamespace, live_server: LiveServer, key: TenantKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUAWEICLOUD_SDK_IAM_ENDPOINT", live_server.url)
    credentials = sdk.BasicCredentials(key.access_key, key.secret_key)
    region = sdk.Region("cn-north-4", live_server.url)
    coc = sdk.CocClient.new_builder().with_credentials(credentials).with_region(region).build()
    assert credentials.project_id and len(credentials.project_id) == 32
    _round_trip(sdk, coc)


def test_token_from_password_login_calls_the_incident_api(live_server: LiveServer, key: TenantKey) -> None:
    live_server.cli("admin", "create-user", "--tenant", key.name, "--user", "oncall", "--password", "s3cret-pass")
    login = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "oncall", "password": "s3cret-pass", "domain": {"name": key.name}}},
            },
            "scope": {"project": {"name": "cn-north-4"}},
        }
    }
    issued = httpx.post(live_server.url + "/v3/auth/tokens", json=login, timeout=30)
    assert issued.status_code == 201, issued.text
    user_id = issued.json()["token"]["user"]["id"]
    headers = {"X-Auth-Token": issued.headers["X-Subject-Token"], "Content-Type": "application/json"}
    with httpx.Client(base_url=live_server.url, headers=headers, timeout=30) as http:
        body = create_body(incident_assignee=[user_id], creator=user_id, enterprise_project=None)
        created = http.post("/v1/external/incident/create", json=body)
        assert created.status_code == 200, created.text
        num = created.json()["data"]["incident_num"]
        accept = {"incident_num": num, "operator": user_id, "operate_key": "acceptedIncident1", "parameter": {}}
        assert http.post("/v1/external/incident/handle", json=accept).status_code == 200
        data = http.get(f"/v1/external/incident/{num}").json()["data"]
    assert data["status"] == "INCIDENT_STATUS_ACKNOWLEDGED"
    people = {e["filed_key"]: e["name_en"] for e in data["enum_data_list"] if e["filed_key"] in ("creator", "assignee")}
    assert people == {"creator": "oncall", "assignee": "oncall"}, "known users are named in enum_data_list"

    forged = httpx.get(
        f"{live_server.url}/v1/external/incident/{num}", headers={"X-Auth-Token": "MIIforged"}, timeout=30
    )
    assert forged.status_code == 401 and forged.json()["error_code"] == "common.01010001"
