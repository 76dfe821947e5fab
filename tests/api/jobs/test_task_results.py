"""An agent's result is bounded and storable: a malformed one is a 400 and changes nothing."""

from typing import Any

import pytest
from sqlalchemy import func, select

from opencoc.jobs.models import InstanceOutput
from tests.api.jobs.helpers import TASKS, Fleet, batches

MALFORMED: list[tuple[str, dict[str, Any] | bytes, str]] = [
    ("exit code 2**63", {"exit_code": 2**63}, "exit_code must be <= 2147483647"),
    ("exit code -2**63", {"exit_code": -(2**63)}, "exit_code must be >= -2147483648"),
    ("exit code 2**31", {"exit_code": 2**31}, "exit_code must be <= 2147483647"),
    ("started_at 2**63", {"started_at": 2**63}, "started_at must be <= 9999999999999"),
    ("negative finished_at", {"finished_at": -1}, "finished_at must be >= 0"),
    ("error over 1024", {"error": "e" * 1025}, "error length must be at most 1024 characters"),
    ("output over 2 Mi", {"output": "o" * (2 * 1024 * 1024 + 1)}, "output length must be at most 2097152 characters"),
    ("NUL in output", {"output": "a\x00b"}, "output must not contain NUL characters or lone surrogates"),
    ("NUL in error", {"error": "\x00"}, "error must not contain NUL characters or lone surrogates"),
    # JSON lets a string escape half of a UTF-16 pair; no text column can store it.
    ("lone surrogate in output", b'{"status": "FINISHED", "output": "x\\ud800y"}', "output must "),
    ("lone low surrogate in error", b'{"status": "ABNORMAL", "error": "\\udfff"}', "error must "),
    ("not JSON", b'{"status": "FINISHED", ', "request body is not valid JSON"),
    ("not UTF-8", b'{"status": "FINISHED", "output": "\xff"}', "request body is not valid JSON"),
    ("nested 100,000 deep", b"[" * 100_000, "request body is not valid JSON"),
]


@pytest.mark.parametrize(("case", "body", "message"), MALFORMED, ids=[c for c, _, _ in MALFORMED])
def test_a_malformed_result_is_a_400_and_nothing_is_applied(
    fleet: Fleet, case: str, body: dict[str, Any] | bytes, message: str
) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    task_id = fleet.task(a)["task_id"]
    if isinstance(body, bytes):
        resp = fleet.client.post(
            f"{TASKS}/{task_id}/result", content=body, headers={**a.headers, "Content-Type": "application/json"}
        )
    else:
        resp = fleet.report(a, task_id, **body)
    assert resp.status_code == 400, f"{case}: {resp.status_code} {resp.text}"
    assert resp.json()["error_msg"].startswith(message), resp.json()
    inst = fleet.instances(uuid, 1)[a.agent_sn]
    assert inst["status"] == "PROCESSING", "a rejected result was applied"
    with fleet.db.read() as session:
        stored = session.scalar(select(func.count()).where(InstanceOutput.instance_id == inst["id"]))
    assert stored == 0
    assert fleet.report(a, task_id, output="fine", exit_code=0).json() == {"accepted": True}


def test_the_largest_storable_values_are_accepted(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    body = {"exit_code": 2**31 - 1, "error": "é" * 1024, "output": "\ufffd\U0001f600", "started_at": 9_999_999_999_999}
    assert fleet.report(a, fleet.task(a)["task_id"], "ABNORMAL", **body).json() == {"accepted": True}
    inst = fleet.instances(uuid, 1)[a.agent_sn]
    assert inst["status"] == "ABNORMAL" and inst["message"].startswith("\ufffd\U0001f600")


@pytest.mark.parametrize("task_id", ["0" * 32 + "%0A", "%00", "x" * 5000])
def test_a_task_id_that_cannot_exist_is_not_found(fleet: Fleet, task_id: str) -> None:
    (a,) = fleet.enroll(1)
    assert fleet.report(a, task_id).status_code == 404


def test_a_result_with_wait_goes_on_as_the_agents_next_poll(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    first = fleet.execute(fleet.script(), batches([a]))
    task_id = fleet.task(a)["task_id"]
    second = fleet.execute(fleet.script(), batches([a]))
    body = {"status": "FINISHED", "exit_code": 0, "output": "ok\n", "started_at": 1, "finished_at": 2, "error": None}
    resp = fleet.client.post(f"{TASKS}/{task_id}/result", params={"wait": 5}, json=body, headers=a.headers)
    assert resp.status_code == 200, resp.text
    answer = resp.json()
    assert answer["accepted"] is True and answer["cancel"] == []
    (handed,) = answer["tasks"]
    assert handed["task_id"] != task_id
    assert fleet.status(first) == "FINISHED"
    assert fleet.instances(second, 1)[a.agent_sn]["status"] == "PROCESSING"
    assert fleet.report(a, handed["task_id"]).json() == {"accepted": True}
    assert fleet.status(second) == "FINISHED"
    # A repeat is not applied twice, and with nothing due its feed is empty after the wait.
    again = fleet.client.post(f"{TASKS}/{task_id}/result", params={"wait": 0}, json=body, headers=a.headers)
    assert again.json() == {"accepted": False, "tasks": [], "cancel": []}


BAD_WAITS = [("61", "wait must be <= 60"), ("-1", "wait must be >= 0"), ("x", "wait")]


@pytest.mark.parametrize(("wait", "message"), BAD_WAITS)
def test_a_result_with_a_bad_wait_is_a_400_and_not_applied(fleet: Fleet, wait: str, message: str) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    task_id = fleet.task(a)["task_id"]
    body = {"status": "FINISHED", "exit_code": 0, "output": "ok\n", "started_at": 1, "finished_at": 2, "error": None}
    resp = fleet.client.post(f"{TASKS}/{task_id}/result", params={"wait": wait}, json=body, headers=a.headers)
    assert resp.status_code == 400, resp.text
    assert message in resp.json()["error_msg"]
    assert fleet.instances(uuid, 1)[a.agent_sn]["status"] == "PROCESSING"
