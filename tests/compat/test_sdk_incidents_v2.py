"""The official huaweicloudsdkcoc against a real `opencoc serve`: the v2 incident operations and the upload."""

import os
from types import SimpleNamespace
from typing import Any

import pytest

from harness.server import LiveServer
from tests.compat.sdk import SDK_WARNINGS, client, create_request, sdk
from tests.support.signing import TenantKey

pytestmark = SDK_WARNINGS
__all__ = ["sdk"]


@pytest.fixture(scope="module")
def v2(sdk: SimpleNamespace) -> SimpleNamespace:
    """The SDK's v2 request models (imported after `sdk` pointed HOME at a temporary directory)."""
    from huaweicloudsdkcoc.v1 import model
    from huaweicloudsdkcore.http.formdata import FormFile

    return SimpleNamespace(
        FormFile=FormFile,
        **{
            name: getattr(model, name)
            for name in (
                "ShowIncidentTaskRequest",
                "HandleIncidentRequest",
                "ExecuteActionParamsV2",
                "ListIncidentsRequest",
                "ListTicketParamsWithPageV2",
                "ListIncidentsHistoriesRequest",
                "ListTicketParamsV2",
                "ObjectFilterV2",
                "CreateExternalCocAttachmentRequest",
                "CreateExternalCocAttachmentRequestBody",
            )
        },
    )


@pytest.fixture
def coc(sdk: SimpleNamespace, live_server: LiveServer, live_tenant: TenantKey) -> Any:
    credentials = sdk.GlobalCredentials(live_tenant.access_key, live_tenant.secret_key, live_tenant.domain_id)
    return client(sdk, credentials, live_server.url)


def _act(coc: Any, v2: SimpleNamespace, num: str, action: str, params: dict[str, str] | None = None) -> Any:
    task = coc.show_incident_task(v2.ShowIncidentTaskRequest(incident_id=num)).data[0]
    body = v2.ExecuteActionParamsV2(task_id=task.operations[0].task_id, action=action, params=params)
    return coc.handle_incident(v2.HandleIncidentRequest(incident_id=num, body=body))


def test_tasks_actions_list_and_histories_through_the_sdk(
    sdk: SimpleNamespace, v2: SimpleNamespace, coc: Any, live_tenant: TenantKey
) -> None:
    # the caller acts: as in v1, the incident's assignee (the Terraform acceptance tests' HW_USER_ID)
    num = coc.create_coc_incident(create_request(sdk, incident_assignee=[live_tenant.user_id])).data.incident_num
    tasks = coc.show_incident_task(v2.ShowIncidentTaskRequest(incident_id=num)).data
    assert (tasks[0].key, tasks[0].state) == ("incident_accept", "ACTIVE")
    assert [op.key for op in tasks[0].operations] == ["accepted", "unAcceptedForward", "rejected", "addRemark"]

    assert _act(coc, v2, num, "accepted").error_code == "GOM.00000000"
    _act(coc, v2, num, "changeLevel", {"virtual_target_level": "level_10"})
    _act(coc, v2, num, "agreed", {"conclusion": "true", "note": "P1 now"})
    _act(coc, v2, num, "addRemark", {"note": "vendor engaged"})

    listed = coc.list_incidents(
        v2.ListIncidentsRequest(
            body=v2.ListTicketParamsWithPageV2(
                string_filters=[v2.ObjectFilterV2(field="ticket_id", operator="=", values=[num])],
                page=1,
                per_page=10,
                contain_total=True,
            )
        )
    )
    assert listed.data["total"] == 1
    ticket = listed.data["tickets"][0]
    assert (ticket["ticket_id"], ticket["level_id"], ticket["work_flow_status"]) == (
        num,
        "level_10",
        "INCIDENT_STATUS_ACKNOWLEDGED",
    )

    sort = v2.ObjectFilterV2(field="start_time", operator="desc", values=["start_time"])
    histories = coc.list_incidents_histories(
        v2.ListIncidentsHistoriesRequest(incident_id=num, body=v2.ListTicketParamsV2(sort_filter=sort))
    ).data
    assert histories.total == 5
    newest = histories.info[0]
    assert (newest.action, newest.comment, newest.status) == (
        "addRemark",
        "vendor engaged",
        "INCIDENT_STATUS_ACKNOWLEDGED",
    )
    assert [e.biz_id for e in histories.info[1].enum_data_list] == ["INCIDENT_STATUS_ACKNOWLEDGED", "level_10"]


def test_an_action_not_valid_now_raises_naming_it(sdk: SimpleNamespace, v2: SimpleNamespace, coc: Any) -> None:
    num = coc.create_coc_incident(create_request(sdk)).data.incident_num
    with pytest.raises(sdk.ClientRequestException) as caught:
        _act(coc, v2, num, "confirm", {"virtual_confirm_result": "true"})
    assert caught.value.status_code == 400 and caught.value.error_code == "COC.00067004"
    assert "action[confirm]" in caught.value.error_msg and "INCIDENT_STATUS_TRIGGERED" in caught.value.error_msg


def test_an_attachment_uploads_through_the_sdk(
    sdk: SimpleNamespace, v2: SimpleNamespace, coc: Any, tmp_path: Any
) -> None:
    path = tmp_path / "timeline.txt"
    path.write_bytes(b"09:00 alarm\n09:05 accepted\n")
    upload = v2.FormFile(str(path), "text/plain")
    try:
        body = v2.CreateExternalCocAttachmentRequestBody(file=upload)
        resp = coc.create_external_coc_attachment(v2.CreateExternalCocAttachmentRequest(body=body))
    finally:
        upload.close()
    assert resp.provider_code == "049" and resp.code == "GOM.00000000"
    assert resp.data.doc_name == os.path.basename(path) and len(resp.data.doc_id) == 32
