"""PUT .../operation: each operation's effect, and a 400 naming it when the status does not fit."""

import pytest

from tests.api.jobs.helpers import Fleet, batches


def test_cancel_instance_of_a_running_instance_goes_to_its_agent(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script(), batches([a, b]), success_rate=50)
    task = fleet.task(a)
    inst = fleet.instances(uuid, 1)[a.agent_sn]
    fleet.operate(uuid, "CANCEL_INSTANCE", instance_id=inst["id"])
    assert fleet.poll(a) == {"tasks": [], "cancel": [task["task_id"]]}
    assert fleet.poll(a)["cancel"] == [], "a cancel is not re-sent at once"
    assert fleet.instances(uuid, 1)[a.agent_sn]["status"] == "PROCESSING", "the agent reports when it has killed it"
    assert fleet.report(a, task["task_id"], "CANCELED", "killed\n").json() == {"accepted": True}
    assert fleet.instances(uuid, 1)[a.agent_sn]["status"] == "CANCELED"
    fleet.run(b)
    assert fleet.status(uuid) == "ABNORMAL"


def test_cancel_instance_of_a_waiting_instance_ends_it_at_once(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script(), batches([a], [b]))
    inst = fleet.instances(uuid, 2)[b.agent_sn]
    fleet.operate(uuid, "CANCEL_INSTANCE", instance_id=inst["id"])
    assert fleet.instances(uuid, 2)[b.agent_sn]["status"] == "CANCELED"
    fleet.run(a)
    assert fleet.status(uuid) == "ABNORMAL"
    assert fleet.poll(b)["tasks"] == []


def test_skip_batch_cancels_its_instances_and_the_order_goes_on(fleet: Fleet) -> None:
    a, b, c = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches([a], [b], [c]))
    fleet.operate(uuid, "SKIP_BATCH", batch_index=2)
    fleet.run(a)
    assert fleet.poll(b)["tasks"] == []
    fleet.run(c)
    assert fleet.status(uuid) == "FINISHED", "a skipped batch does not count against the order"
    assert fleet.stats(uuid)["CANCELED"] == (1, [2])
    listed = {x["batch_index"]: x["properties"] for x in fleet.get(f"/v1/job/script/orders/{uuid}/batches")}
    assert listed == {1: "FINISHED", 2: "SKIPPED", 3: "FINISHED"}


def test_skip_the_running_batch_kills_it_and_starts_the_next(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script(), batches([a], [b]))
    task = fleet.task(a)
    fleet.operate(uuid, "SKIP_BATCH", batch_index=1)
    assert fleet.poll(a)["cancel"] == [task["task_id"]]
    fleet.run(b)
    assert fleet.report(a, task["task_id"], "CANCELED").json() == {"accepted": True}
    assert fleet.status(uuid) == "FINISHED"
    assert fleet.instances(uuid, 1)[a.agent_sn]["status"] == "CANCELED"


def test_skip_a_finished_batch_is_refused(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script(), batches([a], [b]))
    fleet.run(a)
    resp = fleet.operate_raw(uuid, "SKIP_BATCH", batch_index=1)
    assert resp.status_code == 400
    assert "SKIP_BATCH" in resp.json()["error_msg"] and "finished" in resp.json()["error_msg"]


def test_cancel_order_cancels_waiting_and_kills_running(fleet: Fleet) -> None:
    a, b, c = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches([a, b], [c]))
    task = fleet.task(a)
    fleet.operate(uuid, "CANCEL_ORDER")
    info = fleet.info(uuid)
    assert info["status"] == "CANCELED" and info["gmt_finished"] is not None
    assert fleet.poll(b)["tasks"] == [], "a task not yet handed out is never handed out"
    assert fleet.poll(a)["cancel"] == [task["task_id"]]
    assert fleet.report(a, task["task_id"], "CANCELED").json() == {"accepted": True}
    assert fleet.stats(uuid)["CANCELED"] == (3, [1, 2])
    assert fleet.status(uuid) == "CANCELED"


def test_pause_order_lets_running_instances_finish_but_starts_no_batch(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script(), batches([a], [b]))
    task = fleet.task(a)
    fleet.operate(uuid, "PAUSE_ORDER")
    assert fleet.report(a, task["task_id"]).json() == {"accepted": True}
    info = fleet.info(uuid)
    assert info["status"] == "PAUSED" and "paused by" in info["properties"]["reason"]
    assert fleet.poll(b)["tasks"] == []
    fleet.operate(uuid, "CONTINUE_ORDER")
    fleet.run(b)
    assert fleet.status(uuid) == "FINISHED"


def test_retry_instance_reruns_a_failed_instance_and_reopens_the_order(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    first = fleet.run(a, "ABNORMAL", "failed\n")
    assert fleet.status(uuid) == "ABNORMAL"
    inst = fleet.instances(uuid, 1)[a.agent_sn]
    fleet.operate(uuid, "RETRY_INSTANCE", instance_id=inst["id"], batch_index=1)
    info = fleet.info(uuid)
    assert info["status"] == "PROCESSING" and info["gmt_finished"] is None
    assert fleet.instances(uuid, 1)[a.agent_sn]["message"] is None, "the old log goes with the old run"
    second = fleet.run(a, output="fixed\n")
    assert second["task_id"] != first["task_id"]
    assert fleet.report(a, first["task_id"], "ABNORMAL").status_code == 404, "the earlier run's task is gone"
    assert fleet.status(uuid) == "FINISHED"
    assert fleet.instances(uuid, 1)[a.agent_sn]["message"] == "fixed\n"


def test_retry_instance_in_a_paused_order_keeps_it_paused(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script(), batches([a], [b]))
    fleet.run(a, "ABNORMAL")
    assert fleet.status(uuid) == "PAUSED"
    fleet.operate(uuid, "RETRY_INSTANCE", instance_id=fleet.instances(uuid, 1)[a.agent_sn]["id"])
    fleet.run(a)
    assert fleet.status(uuid) == "PAUSED"
    assert fleet.poll(b)["tasks"] == []
    fleet.operate(uuid, "CONTINUE_ORDER")
    fleet.run(b)
    assert fleet.status(uuid) == "FINISHED"


@pytest.mark.parametrize(
    ("operation", "status"),
    [("CONTINUE_ORDER", "PROCESSING"), ("RETRY_INSTANCE", "READY")],
)
def test_operation_not_fitting_a_running_order_is_400(fleet: Fleet, operation: str, status: str) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    inst = fleet.instances(uuid, 1)[a.agent_sn]
    resp = fleet.operate_raw(uuid, operation, instance_id=inst["id"])
    assert resp.status_code == 400
    msg = resp.json()["error_msg"]
    assert operation in msg and status in msg, msg


@pytest.mark.parametrize(
    "operation", ["PAUSE_ORDER", "CONTINUE_ORDER", "CANCEL_ORDER", "SKIP_BATCH", "CANCEL_INSTANCE"]
)
def test_operations_on_a_finished_order_are_400(fleet: Fleet, operation: str) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    fleet.run(a)
    resp = fleet.operate_raw(uuid, operation, batch_index=1, instance_id=1)
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "COC.00040701"
    assert operation in resp.json()["error_msg"] and "FINISHED" in resp.json()["error_msg"]


def test_instance_operations_check_the_instance(fleet: Fleet) -> None:
    a, b, c = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches([a], [b], [c]))
    fleet.run(a)
    finished = fleet.instances(uuid, 1)[a.agent_sn]["id"]
    resp = fleet.operate_raw(uuid, "CANCEL_INSTANCE", instance_id=finished)
    assert resp.status_code == 400 and "FINISHED" in resp.json()["error_msg"]
    resp = fleet.operate_raw(uuid, "CANCEL_INSTANCE")
    assert resp.status_code == 400 and "instance_id" in resp.json()["error_msg"]
    resp = fleet.operate_raw(uuid, "CANCEL_INSTANCE", instance_id=10**12)
    assert resp.status_code == 400 and "instance_id" in resp.json()["error_msg"]
    waiting = fleet.instances(uuid, 3)[c.agent_sn]["id"]
    fleet.operate(uuid, "CANCEL_INSTANCE", instance_id=waiting)
    resp = fleet.operate_raw(uuid, "RETRY_INSTANCE", instance_id=waiting)
    assert resp.status_code == 400, "an instance of a batch that has not run cannot be retried"
    assert resp.json() == {
        "error_code": "COC.00040701",
        "error_msg": "operation_type RETRY_INSTANCE is not allowed: batch 3 has not run",
    }


def test_unknown_operation_type_is_400(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    resp = fleet.operate_raw(uuid, "REBOOT")
    assert resp.status_code == 400 and "operation_type" in resp.json()["error_msg"]
