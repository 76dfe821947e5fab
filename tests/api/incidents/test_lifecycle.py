"""The incident workflow end to end: create, accept, commit, confirm (false then true), detail fields."""

from fastapi.testclient import TestClient

from tests.api.incidents.helpers import CREATOR, OWNER, commit_parameter, create, error, handle, handled, show
from tests.support.signing import TenantKey


def _status(client: TestClient, key: TenantKey, num: str) -> str:
    return str(show(client, key, num).json()["data"]["status"])


def test_create_returns_incident_num_in_the_coc_envelope(client: TestClient, tenant: TenantKey) -> None:
    from tests.api.incidents.helpers import CREATE, create_body

    resp = client.post(CREATE, json=create_body(), auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["provider_code"] == "049" and body["error_code"] == "GOM.00000000" and body["error_msg"] is None
    num = body["data"]["incident_num"]
    assert len(num) == 26 and num.startswith("IM") and num[2:].isdigit()


def test_new_incident_is_triggered(client: TestClient, tenant: TenantKey) -> None:
    assert _status(client, tenant, create(client, tenant)) == "INCIDENT_STATUS_TRIGGERED"


def test_full_lifecycle_with_rejected_verification(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    resp = handle(client, tenant, num, "acceptedIncident1", {})
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"provider_code": "049", "error_code": "GOM.00000000", "error_msg": None, "data": None}
    assert _status(client, tenant, num) == "INCIDENT_STATUS_ACKNOWLEDGED"

    assert handle(client, tenant, num, "commitSolution1", commit_parameter()).status_code == 200
    data = show(client, tenant, num).json()["data"]
    assert data["status"] == "INCIDENT_STATUS_RESOLVED"
    assert isinstance(data["handle_time"], int) and data["handle_time"] > 0
    assert data["incident_type"] == "inc_type_p_security_issues", "the creator's type stays"
    assert data["start_time"] is None, "the creator gave no start time; the solution's is kept with the solution"
    assert data["fault_recovery_time"] == 1_700_000_600_000
    assert data["solution"] == {
        "mtm_type": "inc_type_p_config_issues",
        "is_service_interrupt": True,
        "start_time": 1_700_000_000_000,
        "fault_recovery_time": 1_700_000_600_000,
        "fault_delineation_time": None,
        "cause": "100001",
        "solution": "20001",
    }

    confirm = {"virtual_confirm_result": False, "virtual_confirm_comment": "13"}
    assert handle(client, tenant, num, "confirm", confirm, operator=CREATOR).status_code == 200
    assert _status(client, tenant, num) == "INCIDENT_STATUS_ACKNOWLEDGED"

    assert handle(client, tenant, num, "commitSolution1", commit_parameter(cause="again")).status_code == 200
    assert show(client, tenant, num).json()["data"]["solution"]["cause"] == "again", "the latest solution shows"
    confirm = {"virtual_confirm_result": True, "virtual_confirm_comment": "ok"}
    assert handle(client, tenant, num, "confirm", confirm, operator=CREATOR).status_code == 200
    assert _status(client, tenant, num) == "INCIDENT_STATUS_COMPLETED"


def test_confirm_defaults_to_passed(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    handled(client, tenant, num, "acceptedIncident1", {})
    handled(client, tenant, num, "commitSolution1", commit_parameter())
    assert handle(client, tenant, num, "confirm", {}).status_code == 200
    assert _status(client, tenant, num) == "INCIDENT_STATUS_COMPLETED"


def test_accept_twice_is_rejected_naming_the_status(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    assert handle(client, tenant, num, "acceptedIncident1", {}).status_code == 200
    code, msg = error(handle(client, tenant, num, "acceptedIncident1", {}))
    assert code == "COC.00067004"
    assert "INCIDENT_STATUS_ACKNOWLEDGED" in msg and "acceptedIncident1" in msg


def test_operations_out_of_order_are_rejected_and_change_nothing(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    code, msg = error(handle(client, tenant, num, "commitSolution1", commit_parameter()))
    assert code == "COC.00067004" and "INCIDENT_STATUS_TRIGGERED" in msg
    code, msg = error(handle(client, tenant, num, "confirm", {}))
    assert code == "COC.00067004" and "INCIDENT_STATUS_TRIGGERED" in msg
    data = show(client, tenant, num).json()["data"]
    assert data["status"] == "INCIDENT_STATUS_TRIGGERED" and data["handle_time"] is None


def test_completed_incident_accepts_no_more_operations(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    handled(client, tenant, num, "acceptedIncident1", {})
    handled(client, tenant, num, "commitSolution1", commit_parameter())
    handled(client, tenant, num, "confirm", {"virtual_confirm_result": True})
    for key, parameter in (("acceptedIncident1", {}), ("commitSolution1", commit_parameter()), ("confirm", {})):
        code, msg = error(handle(client, tenant, num, key, parameter))
        assert code == "COC.00067004" and "INCIDENT_STATUS_COMPLETED" in msg, key


def test_detail_has_every_field_with_real_types(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant, start_time=1_700_000_000_000, incident_ownership="own-1")
    data = show(client, tenant, num).json()["data"]
    assert data == {
        "incident_num": num,
        "region": ["cn-southwest-252"],
        "enterprise_project": ["ab080d9f-6b97-4e73-8679-b6d76057f274"],
        "current_cloud_service": ["65659ae2f42bf80e5f3f0635"],
        "incident_level": "level_50",
        "is_service_interrupt": True,
        "start_time": 1_700_000_000_000,
        "fault_recovery_time": None,
        "fault_delineation_time": None,
        "incident_ownership": "own-1",
        "incident_type": "inc_type_p_security_issues",
        "incident_title": "Test Time Ticket No. 10001",
        "incident_description": "Test time Ticket No. 10001",
        "incident_source": "incident_source_manual",
        "incident_assignee": [OWNER],
        "assignee_scene": "",
        "assignee_role": "",
        "warroom_id": None,
        "handle_time": None,
        "status": "INCIDENT_STATUS_TRIGGERED",
        "create_time": data["create_time"],
        "creator": CREATOR,
        "enum_data_list": data["enum_data_list"],
        "acceptor": None,
        "oncall_assignee": None,
        "solution": None,
    }
    assert isinstance(data["create_time"], int) and data["create_time"] > 1_700_000_000_000


def test_enum_data_list_names_values_in_english_and_chinese(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    entries = {
        (e["filed_key"], e["enum_key"]): (e["name_zh"], e["name_en"])
        for e in show(client, tenant, num).json()["data"]["enum_data_list"]
    }
    assert entries == {
        ("current_cloud_service_id", "65659ae2f42bf80e5f3f0635"): (
            "65659ae2f42bf80e5f3f0635",
            "65659ae2f42bf80e5f3f0635",
        ),
        ("creator", CREATOR): (CREATOR, CREATOR),
        ("level_id", "level_50"): ("P5", "P5"),
        ("work_flow_status", "INCIDENT_STATUS_TRIGGERED"): ("未受理", "TRIGGERED"),
        ("mtm_type", "inc_type_p_security_issues"): ("安全问题", "Security issues"),
        ("source_id", "incident_source_manual"): ("手动创建", "Manual Creation"),
        ("assignee", OWNER): (OWNER, OWNER),
    }


def test_status_names_follow_the_workflow(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    handled(client, tenant, num, "acceptedIncident1", {})
    handled(client, tenant, num, "commitSolution1", commit_parameter())
    entries = show(client, tenant, num).json()["data"]["enum_data_list"]
    status = next(e for e in entries if e["filed_key"] == "work_flow_status")
    assert (status["enum_key"], status["name_zh"], status["name_en"]) == (
        "INCIDENT_STATUS_RESOLVED",
        "待验证",
        "RESOLVED",
    )


def test_known_users_are_named_in_enum_data_list(client: TestClient, make_tenant) -> None:  # type: ignore[no-untyped-def]
    key = make_tenant(user="alice")
    num = create(client, key, creator=key.user_id, incident_assignee=[key.user_id])
    entries = show(client, key, num).json()["data"]["enum_data_list"]
    people = {
        e["filed_key"]: (e["enum_key"], e["name_zh"], e["name_en"])
        for e in entries
        if e["filed_key"] in ("creator", "assignee")
    }
    assert people == {"creator": (key.user_id, "alice", "alice"), "assignee": (key.user_id, "alice", "alice")}
