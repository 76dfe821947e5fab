"""The official huaweicloudsdkcoc against a real `opencoc serve`: alarm webhooks and alarm operations."""

import os
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from harness.server import LiveServer
from tests.compat.sdk import SDK_WARNINGS, client
from tests.support.signing import TenantKey

pytestmark = SDK_WARNINGS


@pytest.fixture(scope="session")
def sdk_alarms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimpleNamespace]:
    """The SDK's alarm classes, imported with HOME in a temporary directory (the SDK writes ~/.huaweicloud)."""
    saved = os.environ.get("HOME")
    os.environ["HOME"] = str(tmp_path_factory.mktemp("sdk-alarms-home"))
    try:
        from huaweicloudsdkcoc.v1 import CocClient
        from huaweicloudsdkcoc.v1 import model as m
        from huaweicloudsdkcore.auth.credentials import GlobalCredentials
        from huaweicloudsdkcore.exceptions.exceptions import ClientRequestException

        yield SimpleNamespace(
            m=m, CocClient=CocClient, GlobalCredentials=GlobalCredentials, ClientRequestException=ClientRequestException
        )
    finally:
        if saved is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = saved


def _coc(sdk: SimpleNamespace, server: LiveServer, tenant: TenantKey) -> Any:
    return client(sdk, sdk.GlobalCredentials(tenant.access_key, tenant.secret_key, tenant.domain_id), server.url)


def _integration(server: LiveServer, tenant: TenantKey, type_: str) -> str:
    resp = httpx.post(
        f"{server.url}/opencoc/v1/alarm-mgmt/integrations",
        json={"name": type_, "type": type_},
        auth=tenant.auth,
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    return str(resp.json()["data"]["integration_key"])


def _report(sdk: SimpleNamespace, key: str, **overrides: Any) -> Any:
    fields: dict[str, Any] = {
        "alarm_id": "18cf0a1b2c3d0f8",
        "alarm_name": "CPU Usage Exceeding Threshold",
        "alarm_level": "Critical",
        "time": 1709118444540,
        "name_space": "shanghai",
        "region_id": "cn-north-4",
        "application_id": "18cfa0a5ef8d",
        "resource_name": "machine-1",
        "resource_id": "18c0a1b2c3d4e5ff68625",
        "alarm_desc": "cpu above 90%",
        "url": "https://monitor.example.com/1",
        "alarm_status": "alarm",
        "alarm_source": "coc",
        "additional": {"team": "db"},
    }
    fields.update(overrides)
    body = sdk.m.ReportCustomEventRequestBody(**fields)
    return sdk.m.CreateReportCustomEventRequest(integration_key=key, body=body)


def test_report_custom_event_and_alarm_operations(
    sdk_alarms: SimpleNamespace, live_server: LiveServer, live_tenant: TenantKey
) -> None:
    sdk, m = sdk_alarms, sdk_alarms.m
    coc = _coc(sdk, live_server, live_tenant)
    key = _integration(live_server, live_tenant, "custom")
    resp = coc.create_report_custom_event(_report(sdk, key))
    assert (resp.provider_code, resp.error_code, resp.error_msg) == ("049", "COC.00000000", "success")
    coc.create_report_custom_event(_report(sdk, key))
    coc.create_report_custom_event(_report(sdk, key, alarm_id="second", alarm_level="Info", alarm_name="Disk"))

    listed = httpx.get(f"{live_server.url}/opencoc/v1/alarm-mgmt/alarms", auth=live_tenant.auth, timeout=30).json()[
        "data"
    ]
    ids = {a["original_alarm_id"]: a["alarm_id"] for a in listed["list"]}
    first, second = ids["18cf0a1b2c3d0f8"], ids["second"]

    shown = coc.show_alarm(m.ShowAlarmRequest(alarm_id=first)).data
    assert shown.id == first and shown.name == "CPU Usage Exceeding Threshold"
    assert shown.importance == "Critical" and shown.status == "alarm" and shown.converge_count == 2
    assert shown.associate_event_id.startswith("IM") and shown.domain_id == live_tenant.domain_id
    assert shown.region == "cn-north-4" and shown.app == "18cfa0a5ef8d" and isinstance(shown.create_time, int)

    transferred = coc.transfer_alarm_to_incident(
        m.TransferAlarmToIncidentRequest(
            body=m.AlarmToIncidentRequestBody(
                alarm_ids=second, title="disk alarm", level_id="level_40", mtm_type="inc_type_p_hardware_issues"
            )
        )
    )
    [num] = transferred.data
    assert num.startswith("IM")
    assert coc.show_alarm(m.ShowAlarmRequest(alarm_id=second)).data.associate_event_id == num

    cleared = coc.clear_alarm(m.ClearAlarmRequest(body=m.ClearAlarmRequestBody(alarm_ids=first, remarks="restarted")))
    assert cleared.data == [first]
    assert coc.show_alarm(m.ShowAlarmRequest(alarm_id=first)).data.status == "ok"

    histories = coc.list_alarm_handle_histories(m.ListAlarmHandleHistoriesRequest(alarm_id=first, offset=0, limit=10))
    assert histories.count == 2
    assert [h.task_type for h in histories.alarm_handle_histories] == ["incident", "clear"]
    assert histories.alarm_handle_histories[1].work_order_id.startswith("WO")
    assert histories.resolved_record.remarks == "restarted" and isinstance(histories.resolved_record.resolved_time, int)

    with pytest.raises(sdk.ClientRequestException) as unsupported:
        coc.handler_alarm(
            m.HandlerAlarmRequest(
                alarm_id=first, body=m.AutoHandlerAlarmRequestBody(task_type="RUNBOOK", associated_task_id="rb-1")
            )
        )
    assert unsupported.value.status_code == 400 and unsupported.value.error_code == "COC.00000001"
    assert "task_type" in unsupported.value.error_msg

    with pytest.raises(sdk.ClientRequestException) as missing:
        coc.show_alarm(m.ShowAlarmRequest(alarm_id="AL-none"))
    assert missing.value.status_code == 404 and missing.value.error_msg == "alarm[AL-none] does not exist"


def test_report_errors_through_the_sdk(
    sdk_alarms: SimpleNamespace, live_server: LiveServer, live_tenant: TenantKey
) -> None:
    sdk = sdk_alarms
    coc = _coc(sdk, live_server, live_tenant)
    key = _integration(live_server, live_tenant, "custom")
    with pytest.raises(sdk.ClientRequestException) as invalid:
        coc.create_report_custom_event(_report(sdk, key, alarm_name=None, alarm_id=None))
    assert invalid.value.status_code == 400 and invalid.value.error_code == "COC.00000001"
    assert invalid.value.error_msg == "alarmName must not be null | alarmId must not be null"
    with pytest.raises(sdk.ClientRequestException) as denied:
        coc.create_report_custom_event(_report(sdk, "wrong-key"))
    assert denied.value.status_code == 401 and denied.value.error_code == "common.01010001"


def test_report_prometheus_event_through_the_sdk(
    sdk_alarms: SimpleNamespace, live_server: LiveServer, live_tenant: TenantKey
) -> None:
    sdk, m = sdk_alarms, sdk_alarms.m
    coc = _coc(sdk, live_server, live_tenant)
    key = _integration(live_server, live_tenant, "prometheus")
    alert = {
        "status": "firing",
        "labels": {"alertname": "Down", "severity": "major", "instance": "h1"},
        "annotations": {"summary": "h1 down"},
        "startsAt": "2024-02-28T11:07:24Z",
        "fingerprint": "fp00000000000001",
    }
    resp = coc.create_report_prometheus_event(
        m.CreateReportPrometheusEventRequest(integration_key=key, body={"version": "4", "alerts": [alert]})
    )
    assert resp.error_code == "COC.00000000"
    listed = httpx.get(f"{live_server.url}/opencoc/v1/alarm-mgmt/alarms", auth=live_tenant.auth, timeout=30).json()[
        "data"
    ]
    [alarm] = listed["list"]
    assert alarm["alarm_name"] == "Down" and alarm["alarm_level"] == "Major" and alarm["alarm_desc"] == "h1 down"
