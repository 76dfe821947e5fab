"""The Terraform provider's calls, replayed byte for byte against a real server.

`huaweicloud_coc_incident` and `huaweicloud_coc_incident_handle` (terraform-provider-huaweicloud,
huaweicloud/services/coc/): Go's encoder sorts keys and ends the body with a newline; the signature
covers `accept;content-type;user-agent;x-sdk-date` only, and X-Project-Id is added after signing.
`parameter` is a Terraform map of strings, so booleans and times arrive as strings.
"""

import json
import time

import httpx
import pytest

from opencoc.auth import signature
from tests.support.server import LiveServer
from tests.support.signing import TenantKey

USER_AGENT = "HashiCorp Terraform/1.9.8 (+https://www.terraform.io) Terraform Plugin SDK/2.34.0"
SIGNED = ["accept", "content-type", "user-agent", "x-sdk-date"]
USER_ID = "0f7bd0dbc44e4c1a8b4b1cc1a7b3a6e1"


def _send(server: LiveServer, key: TenantKey, method: str, path: str, body: bytes = b"") -> httpx.Response:
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Sdk-Date": time.strftime(signature.DATE_FORMAT, time.gmtime()),
    }
    lower = {k.lower(): v for k, v in headers.items()}
    sig = signature.signature(key.secret_key, signature.string_to_sign(method, path, "", lower, SIGNED, body))
    headers["Authorization"] = signature.authorization_header(key.access_key, SIGNED, sig)
    headers["X-Project-Id"] = "0970dd7a1300f5672ff2c003c60ae115"
    return httpx.request(method, server.url + path, headers=headers, content=body, timeout=30)


def _create_body(title: str) -> bytes:
    return (
        b'{"creator":"%(u)s","current_cloud_service":["6470681a31da2a47ed50a919"],"enterprise_project":["0"],'
        b'"incident_assignee":["%(u)s"],"incident_description":"%(t)s","incident_level":"level_50",'
        b'"incident_source":"incident_source_forwarding","incident_title":"%(t)s",'
        b'"incident_type":"inc_type_p_security_issues","is_service_interrupt":false,"region":[]}\n'
    ) % {b"u": USER_ID.encode(), b"t": title.encode()}


def _handle_body(num: str, operate_key: str, parameter: bytes = b"{}") -> bytes:
    return b'{"incident_num":"%s","operate_key":"%s","operator":"%s","parameter":%s}\n' % (
        num.encode(),
        operate_key.encode(),
        USER_ID.encode(),
        parameter,
    )


def _read(server: LiveServer, key: TenantKey, num: str) -> dict:  # type: ignore[type-arg]
    resp = _send(server, key, "GET", f"/v1/external/incident/{num}")
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]  # type: ignore[no-any-return]


@pytest.fixture
def incident(live_server: LiveServer, live_tenant: TenantKey) -> str:
    """`terraform apply` of huaweicloud_coc_incident: create, then read data.incident_num."""
    resp = _send(live_server, live_tenant, "POST", "/v1/external/incident/create", _create_body("tf-acc-test"))
    assert resp.status_code == 200, resp.text
    return str(resp.json()["data"]["incident_num"])


def test_incident_resource_create_and_read_round_trip(
    live_server: LiveServer, live_tenant: TenantKey, incident: str
) -> None:
    data = _read(live_server, live_tenant, incident)
    assert data["incident_title"] == data["incident_description"] == "tf-acc-test"
    assert data["is_service_interrupt"] is False
    assert data["region"] == [] and data["enterprise_project"] == ["0"]
    assert data["current_cloud_service"] == ["6470681a31da2a47ed50a919"]
    assert data["incident_assignee"] == [USER_ID] and data["creator"] == USER_ID
    assert data["status"] == "INCIDENT_STATUS_TRIGGERED" and isinstance(data["create_time"], int)
    assert {"filed_key", "enum_key", "name_zh", "name_en"} == set(data["enum_data_list"][0])


def test_handle_resources_with_string_parameters_drive_the_workflow(
    live_server: LiveServer, live_tenant: TenantKey, incident: str
) -> None:
    steps = [
        ("acceptedIncident1", b"{}", "INCIDENT_STATUS_ACKNOWLEDGED"),
        (
            "commitSolution1",
            b'{"cause":"disk full","fault_recovery_time":"1700000600000","is_service_interrupt":"true",'
            b'"mtm_type":"inc_type_p_config_issues","solution":"cleaned","start_time":"1700000000000"}',
            "INCIDENT_STATUS_RESOLVED",
        ),
        (
            "confirm",
            b'{"virtual_confirm_comment":"not yet","virtual_confirm_result":"false"}',
            "INCIDENT_STATUS_ACKNOWLEDGED",
        ),
        (
            "commitSolution1",
            b'{"cause":"c","is_service_interrupt":"false","mtm_type":"inc_type_p_config_issues","solution":"s"}',
            "INCIDENT_STATUS_RESOLVED",
        ),
        ("confirm", b'{"virtual_confirm_result":"true"}', "INCIDENT_STATUS_COMPLETED"),
    ]
    for operate_key, parameter, status in steps:
        resp = _send(
            live_server,
            live_tenant,
            "POST",
            "/v1/external/incident/handle",
            _handle_body(incident, operate_key, parameter),
        )
        assert resp.status_code == 200, (operate_key, resp.text)
        assert json.loads(resp.content)["error_code"] == "GOM.00000000"
        assert _read(live_server, live_tenant, incident)["status"] == status, operate_key
    data = _read(live_server, live_tenant, incident)
    assert data["is_service_interrupt"] is False and isinstance(data["handle_time"], int)


def test_unknown_incident_reads_as_gone(live_server: LiveServer, live_tenant: TenantKey) -> None:
    resp = _send(live_server, live_tenant, "GET", "/v1/external/incident/IM20240318132203017804260")
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "COC.00067003"
    assert resp.headers["x-request-id"]


def test_failed_handle_is_a_400_the_provider_reports(
    live_server: LiveServer, live_tenant: TenantKey, incident: str
) -> None:
    body = _handle_body(incident, "acceptedIncident 111")
    resp = _send(live_server, live_tenant, "POST", "/v1/external/incident/handle", body)
    assert resp.status_code == 400
    assert resp.json()["error_msg"] == "The field[operate_key] value[acceptedIncident 111] invalid"
