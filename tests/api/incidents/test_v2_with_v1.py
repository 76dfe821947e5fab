"""v1 and v2 on one incident: one workflow, one history, seen the same way through both APIs."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api.incidents.helpers import commit_parameter, error, handle, handled, show
from tests.api.incidents.v2_helpers import SETUPS, act, acted, create_mine, history_info, open_task, tasks
from tests.support.race import race
from tests.support.signing import TenantKey

RACERS = 8


def _status(client: TestClient, key: TenantKey, num: str) -> str:
    return str(show(client, key, num).json()["data"]["status"])


def test_a_v1_accept_shows_as_done_in_the_v2_tasks(client: TestClient, tenant: TenantKey) -> None:
    num = create_mine(client, tenant)
    handled(client, tenant, num, "acceptedIncident1", operator=tenant.user_id)
    states = {n["key"]: n["state"] for n in tasks(client, tenant, num)}
    assert states["incident_accept"] == "COMPLETED" and states["incident_handle"] == "ACTIVE"
    assert [i["action"] for i in history_info(client, tenant, num)] == ["create", "acceptedIncident1"]
    assert history_info(client, tenant, num)[-1]["status"] == "INCIDENT_STATUS_ACKNOWLEDGED"


def test_v1_and_v2_interleave_on_one_incident(client: TestClient, tenant: TenantKey) -> None:
    num = create_mine(client, tenant)
    acted(client, tenant, num, "accepted")
    assert _status(client, tenant, num) == "INCIDENT_STATUS_ACKNOWLEDGED"
    acted(client, tenant, num, "incidentPause", {"pause_end_time": "9999999999999"})
    # the SDK's enum has no paused status: v1 still reads ACKNOWLEDGED, and waits for the pause to end
    assert _status(client, tenant, num) == "INCIDENT_STATUS_ACKNOWLEDGED"
    code, msg = error(handle(client, tenant, num, "commitSolution1", commit_parameter(), operator=tenant.user_id))
    assert code == "COC.00067004" and "PAUSE_APPROVAL" in msg
    acted(client, tenant, num, "agreed")
    code, msg = error(handle(client, tenant, num, "commitSolution1", commit_parameter(), operator=tenant.user_id))
    assert "PAUSED" in msg
    acted(client, tenant, num, "recovery")
    handled(client, tenant, num, "commitSolution1", commit_parameter(), operator=tenant.user_id)
    assert open_task(client, tenant, num)[0] == "incident_confirm"
    acted(client, tenant, num, "confirm", {"virtual_confirm_result": "false", "virtual_confirm_comment": "again"})
    assert _status(client, tenant, num) == "INCIDENT_STATUS_ACKNOWLEDGED"
    handled(client, tenant, num, "commitSolution1", commit_parameter(), operator=tenant.user_id)
    handled(client, tenant, num, "confirm", {"virtual_confirm_result": True}, operator=tenant.user_id)
    assert _status(client, tenant, num) == "INCIDENT_STATUS_COMPLETED"
    assert open_task(client, tenant, num) == ("incident_end", "", [])
    actions = [i["action"] for i in history_info(client, tenant, num)]
    assert actions == [
        "create", "accepted", "incidentPause", "agreed", "recovery", "commitSolution1", "confirm",
        "commitSolution1", "confirm",
    ]  # fmt: skip


def test_reject_and_reopen_show_on_the_v1_detail_and_v1_can_accept_again(client: TestClient, tenant: TenantKey) -> None:
    num = create_mine(client, tenant)
    acted(client, tenant, num, "rejected", {"virtual_confirm_comment": "wrong team"})
    assert _status(client, tenant, num) == "INCIDENT_STATUS_REJECTED"
    assert error(handle(client, tenant, num, "acceptedIncident1", operator=tenant.user_id))[0] == "COC.00067004"
    acted(client, tenant, num, "ReOpen", {"level_id": "level_30"})
    detail = show(client, tenant, num).json()["data"]
    assert (detail["status"], detail["incident_level"]) == ("INCIDENT_STATUS_TRIGGERED", "level_30")
    handled(client, tenant, num, "acceptedIncident1", operator=tenant.user_id)
    assert open_task(client, tenant, num)[0] == "incident_handle"


def test_two_concurrent_actions_on_one_task_have_one_winner(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_accept"][0](client, tenant)
    _, task, _ = open_task(client, tenant, num)
    choices = [("accepted", {}), ("rejected", {"virtual_confirm_comment": "no"})]

    def act_first(i: int, go: Callable[[], object]) -> tuple[int, str, str]:
        action, params = choices[i % 2]
        go()
        resp = act(client, tenant, num, action, params, task_id=task)
        return resp.status_code, resp.json()["error_code"], action

    results = race(RACERS, act_first)
    winners = [r for r in results if r[0] == 200]
    assert len(winners) == 1, results
    assert sorted(r[:2] for r in results if r[0] != 200) == [(400, "COC.00067004")] * (RACERS - 1)
    expected = {"accepted": "INCIDENT_STATUS_ACKNOWLEDGED", "rejected": "INCIDENT_STATUS_REJECTED"}[winners[0][2]]
    assert _status(client, tenant, num) == expected
    assert [i["action"] for i in history_info(client, tenant, num)] == ["create", winners[0][2]]


def test_a_v2_action_racing_a_v1_handle_has_one_winner(client: TestClient, tenant: TenantKey) -> None:
    num = SETUPS["incident_handle"][0](client, tenant)
    _, task, _ = open_task(client, tenant, num)

    def v2_or_v1(i: int, go: Callable[[], object]) -> int:
        go()
        if i == 0:
            pause = {"pause_end_time": "9999999999999"}
            return act(client, tenant, num, "incidentPause", pause, task_id=task).status_code
        return handle(client, tenant, num, "commitSolution1", commit_parameter(), operator=tenant.user_id).status_code

    paused, solved = race(2, v2_or_v1)
    outcome = sorted((paused, solved))
    assert outcome == [200, 400]
    node = open_task(client, tenant, num)[0]
    assert node == ("incident_pause_approval" if paused == 200 else "incident_confirm")
