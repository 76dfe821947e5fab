"""The official huaweicloudsdkcoc against a real `opencoc serve`: create_war_room and list_war_rooms."""

from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from harness.server import LiveServer
from tests.api.incidents.helpers import define_scene
from tests.compat.sdk import SDK_WARNINGS, client, create_request, sdk
from tests.support.signing import TenantKey

pytestmark = SDK_WARNINGS
__all__ = ["sdk"]


@pytest.fixture(scope="module")
def models(sdk: SimpleNamespace) -> SimpleNamespace:
    """The SDK's war-room models (imported after `sdk` pointed HOME at a temporary directory)."""
    from huaweicloudsdkcoc.v1 import model

    names = ("CreateWarRoomRequest", "CreateWarRoomRequestBody", "ScheduleGroupInfo", "ListWarRoomsRequest",
             "ListTenantWarRoomRequestBody")  # fmt: skip
    return SimpleNamespace(**{name: getattr(model, name) for name in names})


@pytest.fixture
def coc(sdk: SimpleNamespace, live_server: LiveServer, live_tenant: TenantKey) -> Any:
    credentials = sdk.GlobalCredentials(live_tenant.access_key, live_tenant.secret_key, live_tenant.domain_id)
    return client(sdk, credentials, live_server.url)


def test_create_and_list_war_rooms_through_the_sdk(
    sdk: SimpleNamespace, models: SimpleNamespace, coc: Any, live_server: LiveServer, live_tenant: TenantKey
) -> None:
    with httpx.Client(base_url=live_server.url) as http:
        define_scene(http, live_tenant, "payments", {"primary": ["u-pat"]})
    num = coc.create_coc_incident(create_request(sdk)).data.incident_num
    body = models.CreateWarRoomRequestBody(
        war_room_name="checkout is down", description="line one\nline two", region_code_list=["cn-north-4"],
        application_id_list=["app-1"], incident_number=num,
        schedule_group=[models.ScheduleGroupInfo(scene_id="payments", role_id="primary")], participant=["u-ann"],
        war_room_admin=live_tenant.user_id, enterprise_project_id="0", notification_type="EMAIL",
    )  # fmt: skip
    created = coc.create_war_room(models.CreateWarRoomRequest(body=body))
    assert created.error_code == "GOM.00000000" and created.data.startswith("WR"), created
    listed = coc.list_war_rooms(
        models.ListWarRoomsRequest(body=models.ListTenantWarRoomRequestBody(limit=10, offset=0, incident_num=num))
    ).data
    assert (listed["total_num"], listed["running_num"], listed["closed_num"]) == (1, 1, 0)
    [room] = listed["list"]
    assert room["id"] == created.data and room["incident"]["incident_id"] == num
    assert set(room["recover_member"]) == {live_tenant.user_id, "u-ann", "u-pat"}
    counts = coc.list_war_rooms(
        models.ListWarRoomsRequest(body=models.ListTenantWarRoomRequestBody(limit=10, offset=0, statistic_flag=True))
    ).data
    assert counts["total_num"] == 1 and counts["list"] is None


def test_a_p1_incident_created_through_the_sdk_opens_its_war_room_when_the_tenant_asks_for_it(
    sdk: SimpleNamespace, models: SimpleNamespace, coc: Any, live_server: LiveServer, live_tenant: TenantKey
) -> None:
    with httpx.Client(base_url=live_server.url, auth=live_tenant.auth) as http:
        turned = http.put("/opencoc/v1/warrooms/settings", json={"auto_level_10": True})
    assert turned.status_code == 200, turned.text
    p2 = coc.create_coc_incident(create_request(sdk)).data.incident_num
    p1 = coc.create_coc_incident(create_request(sdk, incident_level="level_10")).data.incident_num
    p1_detail = coc.show_coc_incident_detail(sdk.ShowCocIncidentDetailRequest(incident_num=p1)).data
    p2_detail = coc.show_coc_incident_detail(sdk.ShowCocIncidentDetailRequest(incident_num=p2)).data
    assert p2_detail.warroom_id is None and p1_detail.warroom_id.startswith("WR")
    listed = coc.list_war_rooms(
        models.ListWarRoomsRequest(body=models.ListTenantWarRoomRequestBody(limit=10, offset=0))
    ).data
    assert [room["id"] for room in listed["list"]] == [p1_detail.warroom_id]
    assert listed["list"][0]["incident"]["incident_id"] == p1
