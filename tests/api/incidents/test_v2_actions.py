"""POST /v2/incidents/{id}/actions: every action in every workflow state, valid or refused, on both databases."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.api.incidents.helpers import CREATOR, create, define_scene, error, show
from tests.api.incidents.v2_helpers import (
    ACTIONS,
    SETUPS,
    VALID,
    act,
    acted,
    history_info,
    open_task,
    params_for,
    tasks,
)
from tests.support.signing import TenantKey

CASES = [(node, action) for node in SETUPS for action in ACTIONS]


@pytest.mark.parametrize(("node", "action"), CASES, ids=[f"{n}-{a}" for n, a in CASES])
def test_each_action_moves_the_incident_where_valid_and_is_refused_elsewhere(
    client: TestClient, tenant: TenantKey, node: str, action: str
) -> None:
    setup, status = SETUPS[node]
    num = setup(client, tenant)
    assert open_task(client, tenant, num)[0] == node
    before_detail = show(client, tenant, num).json()["data"]
    before_history = history_info(client, tenant, num)
    resp = act(client, tenant, num, action, params_for(node, action))
    target = VALID[node].get(action)
    if target is None:
        code, msg = error(resp)
        assert code == "COC.00067004"
        assert f"action[{action}]" in msg and f"state[{status}" in msg, msg
        assert show(client, tenant, num).json()["data"] == before_detail, "a refused action changed the incident"
        assert history_info(client, tenant, num) == before_history, "a refused action was recorded"
        return
    assert resp.status_code == 200, resp.text
    assert open_task(client, tenant, num)[0] == target
    info = history_info(client, tenant, num)
    assert len(info) == len(before_history) + 1 and info[-1]["action"] == action
    assert info[-1]["operator"] == tenant.user_id


def test_a_new_incident_lists_its_accept_task_first_with_the_operations_valid_now(
    client: TestClient, tenant: TenantKey
) -> None:
    num = SETUPS["incident_accept"][0](client, tenant)
    nodes = tasks(client, tenant, num)
    assert [(n["key"], n["state"]) for n in nodes] == [
        ("incident_accept", "ACTIVE"),
        ("incident_handle", "INACTIVE"),
        ("incident_confirm", "INACTIVE"),
        ("incident_end", "INACTIVE"),
    ]
    assert [op["key"] for op in nodes[0]["operations"]] == ["accepted", "unAcceptedForward", "rejected", "addRemark"]
    assert len({op["task_id"] for op in nodes[0]["operations"]}) == 1
    assert all(not n["operations"] for n in nodes[1:])


def test_tasks_mark_the_nodes_already_done(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_confirm"][0](client, tenant)
    states = {n["key"]: n["state"] for n in tasks(client, tenant, num)}
    assert states == {
        "incident_confirm": "ACTIVE",
        "incident_accept": "COMPLETED",
        "incident_handle": "COMPLETED",
        "incident_end": "INACTIVE",
    }


def test_a_stale_task_id_is_refused_and_nothing_is_written(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_handle"][0](client, tenant)
    _, stale, _ = open_task(client, tenant, num)
    acted(client, tenant, num, "acceptedForward", {"virtual_send_assignee": "bob"})
    before = history_info(client, tenant, num)
    code, msg = error(act(client, tenant, num, "addRemark", {"note": "x"}, task_id=stale))
    assert code == "COC.00067004" and f"task_id[{stale}]" in msg and "incident_handle" in msg
    assert history_info(client, tenant, num) == before


def test_an_unknown_action_is_refused_naming_it(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_accept"][0](client, tenant)
    code, msg = error(act(client, tenant, num, "explode"))
    assert code == "COC.00000001" and "action" in msg and "explode" in msg


def test_reopen_is_accepted_in_both_spellings(client: TestClient, tenant: TenantKey) -> None:
    for spelling in ("Reopen", "ReOpen"):
        num = SETUPS["incident_rejected"][0](client, tenant)
        acted(client, tenant, num, spelling, {"title": f"again {spelling}"})
        assert show(client, tenant, num).json()["data"]["status"] == "INCIDENT_STATUS_TRIGGERED"
        assert history_info(client, tenant, num)[-1]["action"] == "Reopen"


def test_level_change_agreed_sets_the_level_and_records_before_and_after(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_level_approval"][0](client, tenant)
    assert show(client, tenant, num).json()["data"]["incident_level"] == "level_50", "the request alone changes nothing"
    acted(client, tenant, num, "agreed", {"conclusion": "true", "note": "ok"})
    assert show(client, tenant, num).json()["data"]["incident_level"] == "level_10"
    last = history_info(client, tenant, num)[-1]
    assert {"field": "incident_level", "before": "level_50", "after": "level_10"} in last["changes"]
    assert {"prop_id": "level_id", "biz_id": "level_10", "name_zh": "P1", "name_en": "P1"} in last["enum_data_list"]


def test_level_change_rejected_keeps_the_level(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_level_approval"][0](client, tenant)
    acted(client, tenant, num, "rejected", {"conclusion": "false"})
    assert show(client, tenant, num).json()["data"]["incident_level"] == "level_50"
    assert history_info(client, tenant, num)[-1]["changes"] == []


def test_a_conclusion_contradicting_the_action_is_refused(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_pause_approval"][0](client, tenant)
    code, msg = error(act(client, tenant, num, "agreed", {"pause_approve_conclusion": "false"}))
    assert code == "COC.00000001" and "pause_approve_conclusion must be true for agreed" in msg
    assert open_task(client, tenant, num)[0] == "incident_pause_approval"


def test_forward_to_a_person_changes_the_assignee_with_before_and_after(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_accept"][0](client, tenant)
    acted(client, tenant, num, "unAcceptedForward", {"virtual_send_assignee": "carol", "virtual_send_comment": "yours"})
    assert show(client, tenant, num).json()["data"]["incident_assignee"] == ["carol"]
    last = history_info(client, tenant, num)[-1]
    assert last["changes"] == [{"field": "incident_assignee", "before": [tenant.user_id], "after": ["carol"]}]
    assert last["comment"] == "yours"


def test_forward_to_a_scene_and_role_assigns_the_person_on_call(client: TestClient, tenant: TenantKey) -> None:
    define_scene(client, tenant, "scene-1", {"sre": ["u-oncall"]})
    num = SETUPS["incident_handle"][0](client, tenant)
    acted(client, tenant, num, "acceptedForward", {"virtual_schedule_type": "scene-1", "virtual_schedule_role": "sre"})
    detail = show(client, tenant, num).json()["data"]
    assert (detail["assignee_scene"], detail["assignee_role"], detail["incident_assignee"]) == ("scene-1", "sre", [])
    assert detail["oncall_assignee"] == "u-oncall"
    acted(client, tenant, num, "acceptedForward", {"virtual_send_assignee": "someone-else"})
    detail = show(client, tenant, num).json()["data"]
    assert (detail["incident_assignee"], detail["oncall_assignee"]) == (["someone-else"], None)


@pytest.mark.parametrize(
    ("scene", "role", "field"),
    [("nowhere", "sre", "params.virtual_schedule_type"), ("scene-1", "nobody", "params.virtual_schedule_role")],
)
def test_forward_to_an_unknown_scene_or_role_is_refused_naming_the_param(
    client: TestClient, tenant: TenantKey, scene: str, role: str, field: str
) -> None:
    define_scene(client, tenant, "scene-1", {"sre": ["u-oncall"]})
    num = SETUPS["incident_handle"][0](client, tenant)
    before = show(client, tenant, num).json()["data"]
    code, msg = error(act(client, tenant, num, "acceptedForward",
                          {"virtual_schedule_type": scene, "virtual_schedule_role": role}))  # fmt: skip
    assert code == "COC.00000001" and msg.startswith(field)
    assert show(client, tenant, num).json()["data"] == before


def test_forward_without_a_person_or_a_scene_and_role_is_refused(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_accept"][0](client, tenant)
    code, msg = error(act(client, tenant, num, "unAcceptedForward", {"virtual_schedule_type": "scene-1"}))
    assert code == "COC.00000001" and "virtual_send_assignee" in msg and "virtual_schedule_role" in msg


def test_solution_params_take_terraform_string_forms(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_handle"][0](client, tenant)
    params = {
        "mtm_type": "inc_type_p_config_issues",
        "is_service_interrupt": "true",
        "cause": "disk",
        "solution": "cleaned",
        "start_time": "1700000000000",
        "fault_recovery_time": "1700000600000",
    }
    acted(client, tenant, num, "commitSolution", params)
    solution = show(client, tenant, num).json()["data"]["solution"]
    assert (solution["is_service_interrupt"], solution["fault_recovery_time"]) == (True, 1_700_000_600_000)


def test_a_pause_ending_in_the_past_is_refused(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_handle"][0](client, tenant)
    code, msg = error(act(client, tenant, num, "incidentPause", {"pause_end_time": "1000"}))
    assert code == "COC.00000001" and "pause_end_time must be in the future" in msg


def test_a_flag_that_is_not_a_boolean_is_refused(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_confirm"][0](client, tenant)
    code, msg = error(act(client, tenant, num, "confirm", {"virtual_confirm_result": "maybe"}))
    assert code == "COC.00000001" and "params.virtual_confirm_result" in msg


def test_reopen_replaces_the_fields_given_and_records_each_change(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_rejected"][0](client, tenant)
    acted(client, tenant, num, "Reopen", {"title": "second try", "assignee": "dave", "is_service_interrupt": "false"})
    detail = show(client, tenant, num).json()["data"]
    assert (detail["incident_title"], detail["incident_assignee"], detail["is_service_interrupt"]) == (
        "second try",
        ["dave"],
        False,
    )
    fields = {c["field"] for c in history_info(client, tenant, num)[-1]["changes"]}
    assert {"incident_title", "incident_assignee", "is_service_interrupt"} <= fields


def test_reopen_to_a_scene_and_role_assigns_the_person_on_call(client: TestClient, tenant: TenantKey) -> None:
    define_scene(client, tenant, "scene-1", {"sre": ["u-oncall"]})
    num = SETUPS["incident_rejected"][0](client, tenant)
    acted(client, tenant, num, "Reopen", {"assignee_scene": "scene-1", "assignee_role": "sre"})
    detail = show(client, tenant, num).json()["data"]
    assert (detail["assignee_scene"], detail["assignee_role"], detail["oncall_assignee"]) == (
        "scene-1",
        "sre",
        "u-oncall",
    )
    code, msg = error(act(client, tenant, SETUPS["incident_rejected"][0](client, tenant), "Reopen",
                          {"assignee_scene": "scene-1", "assignee_role": "nobody"}))  # fmt: skip
    assert code == "COC.00000001" and msg.startswith("params.assignee_role")


def test_a_non_approver_may_not_agree_to_a_pause(client: TestClient, tenant: TenantKey, make_user: object) -> None:
    num = SETUPS["incident_pause_approval"][0](client, tenant)
    bob = make_user(tenant, "bob-v2")  # type: ignore[operator]
    resp = act(client, bob, num, "agreed", {"note": "sure"}, task_id=open_task(client, tenant, num)[1])
    assert resp.status_code == 403, resp.text
    assert open_task(client, tenant, num)[0] == "incident_pause_approval"


def test_the_creator_by_name_may_agree_to_a_pause(client: TestClient, make_tenant: object, make_user: object) -> None:
    admin = make_tenant()  # type: ignore[operator]
    creator = make_user(admin, CREATOR)  # type: ignore[operator]
    num = SETUPS["incident_pause_approval"][0](client, admin)
    acted(client, creator, num, "agreed", {"note": "ok"})
    assert open_task(client, admin, num)[0] == "incident_paused"


def test_an_incident_approval_decided_through_the_approvals_api_moves_the_incident(
    client: TestClient, tenant: TenantKey, make_user: object
) -> None:
    num = SETUPS["incident_level_approval"][0](client, tenant)
    creator = make_user(tenant, CREATOR)  # type: ignore[operator]
    pending = client.get("/opencoc/v1/approvals", auth=creator.auth).json()["data"]["approvals"]
    approval = next(a for a in pending if a["subject"]["kind"] == "incident" and a["subject"]["id"] == num)
    assert approval["title"] == f"Incident {num}: level change to level_10"
    resp = client.post(f"/opencoc/v1/approvals/{approval['approval_id']}/approve", json={}, auth=creator.auth)
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["status"] == "APPROVED"
    assert open_task(client, tenant, num)[0] == "incident_handle"
    assert show(client, tenant, num).json()["data"]["incident_level"] == "level_10"


def test_another_tenants_incident_is_not_found(client: TestClient, tenant: TenantKey, make_tenant: object) -> None:
    num = SETUPS["incident_accept"][0](client, tenant)
    other = make_tenant()  # type: ignore[operator]
    assert error(client.get(f"/v2/incidents/{num}/tasks", auth=other.auth))[0] == "COC.00067003"
    assert error(act(client, other, num, "accepted", task_id="x"))[0] == "COC.00067003"


def test_a_viewer_may_not_act(client: TestClient, tenant: TenantKey, make_user: object) -> None:
    num = SETUPS["incident_accept"][0](client, tenant)
    viewer = make_user(tenant, "viewer-v2", role="viewer")  # type: ignore[operator]
    resp = act(client, viewer, num, "accepted", task_id=open_task(client, tenant, num)[1])
    assert resp.status_code == 403, resp.text
    assert open_task(client, tenant, num)[0] == "incident_accept"


def test_params_nested_too_deep_are_refused_naming_params(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_accept"][0](client, tenant)
    deep: dict[str, object] = {"note": "x"}
    for _ in range(300):
        deep = {"n": deep}
    code, msg = error(act(client, tenant, num, "addRemark", {"note": "x", "extra": deep}))
    assert code == "COC.00000001" and "params" in msg, msg
    assert [i["action"] for i in history_info(client, tenant, num)] == ["create"]


def test_only_whom_v1_lets_act_may_do_a_v2_action_and_others_get_v1s_error(
    client: TestClient, tenant: TenantKey, make_user: Callable[..., TenantKey]
) -> None:
    other = make_user(tenant, "olga")
    num = SETUPS["incident_accept"][0](client, tenant)
    for action, params in (("accepted", {}), ("unAcceptedForward", {"virtual_send_assignee": "olga"})):
        code, msg = error(act(client, other, num, action, params))
        assert code == "COC.00067005" and f"operator[{other.user_id}] may not {action}" in msg, msg
    assert open_task(client, tenant, num)[0] == "incident_accept"
    acted(client, other, num, "addRemark", {"note": "anyone who handles incidents may remark"})
    acted(client, tenant, num, "accepted")
    code, msg = error(act(client, other, num, "commitSolution", params_for("incident_handle", "commitSolution")))
    assert code == "COC.00067005" and "may not commitSolution: only an assignee" in msg, msg
    acted(client, tenant, num, "acceptedForward", {"virtual_send_assignee": other.user_id})
    acted(client, other, num, "commitSolution", params_for("incident_handle", "commitSolution"))
    assert open_task(client, tenant, num)[0] == "incident_confirm"


def test_an_incident_with_nobody_assigned_may_be_accepted_by_anyone_as_in_v1(
    client: TestClient, tenant: TenantKey, make_user: Callable[..., TenantKey]
) -> None:
    define_scene(client, tenant, "empty", {"sre": []})
    num = create(client, tenant, incident_assignee=None, assignee_scene="empty", assignee_role="sre")
    acted(client, make_user(tenant, "walt"), num, "accepted")
    assert open_task(client, tenant, num)[0] == "incident_handle"
