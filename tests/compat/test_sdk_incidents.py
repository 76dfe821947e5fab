"""The official huaweicloudsdkcoc against a real `opencoc serve`: the incident lifecycle and its errors."""

import json
from types import SimpleNamespace

import pytest

from harness.server import LiveServer
from tests.compat.sdk import SDK_WARNINGS, client, create_request, handle_request, sdk
from tests.support.signing import TenantKey

pytestmark = SDK_WARNINGS
__all__ = ["sdk"]


def test_full_lifecycle_through_the_sdk(sdk: SimpleNamespace, live_server: LiveServer, live_tenant: TenantKey) -> None:
    coc = client(
        sdk,
        sdk.GlobalCredentials(live_tenant.access_key, live_tenant.secret_key, live_tenant.domain_id),
        live_server.url,
    )
    created = coc.create_coc_incident(create_request(sdk))
    assert created.provider_code == "049" and created.error_code == "GOM.00000000"
    num = created.data.incident_num
    assert num.startswith("IM") and len(num) == 26

    def status() -> str:
        return str(coc.show_coc_incident_detail(sdk.ShowCocIncidentDetailRequest(incident_num=num)).data.status)

    assert status() == "INCIDENT_STATUS_TRIGGERED"
    coc.handle_coc_incident(handle_request(sdk, num, "acceptedIncident1", "u-oncall"))
    assert status() == "INCIDENT_STATUS_ACKNOWLEDGED"
    solution = {
        "mtm_type": "inc_type_p_config_issues",
        "is_service_interrupt": True,
        "cause": "MTU mismatch",
        "solution": "set MTU 1400",
        "fault_recovery_time": 1_700_000_900_000,
    }
    coc.handle_coc_incident(handle_request(sdk, num, "commitSolution1", "u-oncall", solution))
    assert status() == "INCIDENT_STATUS_RESOLVED"
    rejected = {"virtual_confirm_result": False, "virtual_confirm_comment": "still flapping"}
    coc.handle_coc_incident(handle_request(sdk, num, "confirm", "u-creator", rejected))
    assert status() == "INCIDENT_STATUS_ACKNOWLEDGED"
    coc.handle_coc_incident(handle_request(sdk, num, "commitSolution1", "u-oncall", solution))
    accepted = {"virtual_confirm_result": True, "virtual_confirm_comment": "stable for a day"}
    resp = coc.handle_coc_incident(handle_request(sdk, num, "confirm", "u-creator", accepted))
    assert resp.error_code == "GOM.00000000"

    shown = coc.show_coc_incident_detail(sdk.ShowCocIncidentDetailRequest(incident_num=num))
    data = shown.data
    assert data.status == "INCIDENT_STATUS_COMPLETED"
    assert data.is_service_interrupt is True
    assert data.start_time == 1_700_000_000_000 and data.fault_recovery_time == 1_700_000_900_000
    assert isinstance(data.handle_time, int) and isinstance(data.create_time, int)
    assert data.incident_type == "inc_type_p_networking_issues", "the creator's type stays"
    solution = json.loads(shown.raw_content)["data"]["solution"]
    assert (solution["mtm_type"], solution["start_time"]) == ("inc_type_p_config_issues", 1_700_000_000_000)
    assert data.incident_assignee == ["u-oncall"] and data.creator == "u-creator"
    names = {(e.filed_key, e.enum_key): (e.name_zh, e.name_en) for e in data.enum_data_list}
    assert names[("level_id", "level_20")] == ("P2", "P2")
    assert names[("work_flow_status", "INCIDENT_STATUS_COMPLETED")] == ("已完成", "COMPLETED")

    listed = coc.list_incident_simple_tickets(sdk.ListIncidentSimpleTicketsRequest(offset=1, limit=10))
    assert listed.data["total"] == 1 and listed.data["list"][0]["ticket_id"] == num

    by_ticket = sdk.ObjectFilter(field="ticket_id", operator="=", values=[num])
    histories = coc.list_coc_ticket_operation_histories(
        sdk.ListCocTicketOperationHistoriesRequest(ticket_type="incident", body=sdk.ListTicketParams([by_ticket]))
    ).data
    actions = [(e["operator"], e["action"]) for e in histories["info"]]
    assert actions == [
        ("u-creator", "create"),
        ("u-oncall", "acceptedIncident1"),
        ("u-oncall", "commitSolution1"),
        ("u-creator", "confirm"),
        ("u-oncall", "commitSolution1"),
        ("u-creator", "confirm"),
    ]
    assert histories["total"] == 6 and histories["info"][3]["comment"] == "still flapping"


def test_errors_surface_as_client_request_exception(
    sdk: SimpleNamespace, live_server: LiveServer, live_tenant: TenantKey
) -> None:
    coc = client(
        sdk,
        sdk.GlobalCredentials(live_tenant.access_key, live_tenant.secret_key, live_tenant.domain_id),
        live_server.url,
    )
    with pytest.raises(sdk.ClientRequestException) as unknown:
        coc.show_coc_incident_detail(sdk.ShowCocIncidentDetailRequest(incident_num="IM00000000000000000000000"))
    assert unknown.value.status_code == 400
    assert unknown.value.error_code == "COC.00067003"
    assert "IM00000000000000000000000" in unknown.value.error_msg
    assert unknown.value.request_id

    num = coc.create_coc_incident(create_request(sdk)).data.incident_num
    with pytest.raises(sdk.ClientRequestException) as invalid:
        coc.handle_coc_incident(handle_request(sdk, num, "acceptedIncident 111", "u-oncall"))
    assert invalid.value.error_code == "COC.00000001"
    assert invalid.value.error_msg == "The field[operate_key] value[acceptedIncident 111] invalid"

    with pytest.raises(sdk.ClientRequestException) as wrong_status:
        coc.handle_coc_incident(handle_request(sdk, num, "confirm", "u-creator", {}))
    assert wrong_status.value.error_code == "COC.00067004"
    assert "INCIDENT_STATUS_TRIGGERED" in wrong_status.value.error_msg


def test_basic_credentials_with_project_id_work(
    sdk: SimpleNamespace, live_server: LiveServer, live_tenant: TenantKey
) -> None:
    coc = client(
        sdk, sdk.BasicCredentials(live_tenant.access_key, live_tenant.secret_key, "any-project"), live_server.url
    )
    num = coc.create_coc_incident(create_request(sdk, is_service_interrupt="false")).data.incident_num
    data = coc.show_coc_incident_detail(sdk.ShowCocIncidentDetailRequest(incident_num=num)).data
    assert data.is_service_interrupt is False


def test_another_tenants_sdk_client_cannot_see_the_incident(
    sdk: SimpleNamespace, live_server: LiveServer, live_tenant: TenantKey
) -> None:
    from tests.conftest import cli_tenant

    owner = client(
        sdk,
        sdk.GlobalCredentials(live_tenant.access_key, live_tenant.secret_key, live_tenant.domain_id),
        live_server.url,
    )
    num = owner.create_coc_incident(create_request(sdk)).data.incident_num
    other_key = cli_tenant(live_server.data_dir, live_server.database_url, f"other-{num[-6:]}")
    other = client(
        sdk, sdk.GlobalCredentials(other_key.access_key, other_key.secret_key, other_key.domain_id), live_server.url
    )
    with pytest.raises(sdk.ClientRequestException) as gone:
        other.show_coc_incident_detail(sdk.ShowCocIncidentDetailRequest(incident_num=num))
    assert gone.value.error_code == "COC.00067003"
