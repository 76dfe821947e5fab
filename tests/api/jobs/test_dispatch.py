"""The dispatcher: batch after batch, gates (PAUSE, success rate), end states, exactly-once results."""

from sqlalchemy import select

from opencoc.jobs.models import InstanceOutput, ScriptInstance
from tests.api.jobs.helpers import Fleet, batches


def test_batches_run_one_after_another_and_the_order_finishes(fleet: Fleet) -> None:
    a, b, c = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches([a, b], [c]))
    assert uuid.startswith("SCT") and len(uuid) <= 26
    assert fleet.poll(c) == {"tasks": [], "cancel": []}, "batch 2 must wait for batch 1"
    task = fleet.task(a)
    assert task["script_type"] == "SHELL" and task["content"] == "echo ${a}"
    assert task["params"] == [{"name": "a", "value": "default", "sensitive": False}]
    assert task["execute_user"] == "root" and task["timeout"] == 60
    assert fleet.poll(a)["tasks"] == [], "a task is handed out once"
    assert fleet.report(a, task["task_id"], output="out-a\n").json() == {"accepted": True}
    assert fleet.info(uuid)["status"] == "PROCESSING"
    fleet.run(b)
    assert fleet.info(uuid)["properties"]["current_execute_batch_index"] == 2
    fleet.run(c)
    info = fleet.info(uuid)
    assert info["status"] == "FINISHED"
    assert info["gmt_finished"] >= info["gmt_created"]
    assert info["execute_costs"] == info["gmt_finished"] - info["gmt_created"]
    assert fleet.instances(uuid, 1)[a.agent_sn]["message"] == "out-a\n"
    assert fleet.stats(uuid)["FINISHED"] == (3, [1, 2])


def test_a_result_is_applied_once_and_only_by_its_agent(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script(), batches([a]))
    task = fleet.task(a)
    assert fleet.report(b, task["task_id"]).status_code == 404, "another agent's task is unknown to it"
    assert fleet.report(a, "no-such-task").status_code == 404
    assert fleet.report(a, task["task_id"], output="first").json() == {"accepted": True}
    assert fleet.report(a, task["task_id"], "ABNORMAL", output="second").json() == {"accepted": False}
    assert fleet.instances(uuid, 1)[a.agent_sn]["status"] == "FINISHED"
    assert fleet.instances(uuid, 1)[a.agent_sn]["message"] == "first"


def test_output_is_stored_apart_from_the_instance(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    fleet.run(a, output="x" * 2000)
    inst_id = fleet.instances(uuid, 1)[a.agent_sn]["id"]
    with fleet.db.read() as session:
        assert session.scalar(select(InstanceOutput.output).where(InstanceOutput.instance_id == inst_id)) == "x" * 2000
        assert session.get_one(ScriptInstance, inst_id).status == "FINISHED"


def test_a_1_mb_output_whose_json_is_several_mb_is_accepted(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    output = "\x01" * (1024 * 1024)  # 1 MiB of control bytes: 6 MiB once JSON-escaped
    resp = fleet.report(a, fleet.task(a)["task_id"], output=output)
    assert resp.status_code == 200 and resp.json() == {"accepted": True}
    assert fleet.instances(uuid, 1)[a.agent_sn]["message"] == output


def test_a_result_body_over_8_mib_is_413(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    fleet.execute(fleet.script(), batches([a]))
    resp = fleet.report(a, fleet.task(a)["task_id"], output="x" * (8 * 1024 * 1024))
    assert resp.status_code == 413
    assert resp.json() == {"error_code": "COC.00000413", "error_msg": "request body must be at most 8388608 bytes"}


def test_rotation_pause_pauses_between_batches_until_continue(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script(), batches([a], [b], strategy="PAUSE"))
    fleet.run(a)
    info = fleet.info(uuid)
    assert info["status"] == "PAUSED"
    assert "rotation_strategy is PAUSE" in info["properties"]["reason"]
    assert fleet.poll(b)["tasks"] == []
    fleet.operate(uuid, "CONTINUE_ORDER")
    fleet.run(b)
    assert fleet.status(uuid) == "FINISHED", "PAUSE after the last batch does not hold the order"


def test_success_rate_100_pauses_on_the_first_failure(fleet: Fleet) -> None:
    a, b, c = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches([a, b], [c]), success_rate=100)
    fleet.run(a)
    fleet.run(b, "ABNORMAL", "boom\n")
    info = fleet.info(uuid)
    assert info["status"] == "PAUSED"
    assert "50.0%" in info["properties"]["reason"] and "100%" in info["properties"]["reason"]
    assert fleet.poll(c)["tasks"] == []
    fleet.operate(uuid, "CONTINUE_ORDER")
    fleet.run(c)
    info = fleet.info(uuid)
    assert info["status"] == "ABNORMAL", "an order that ran to the end with a failure is ABNORMAL"
    assert info["gmt_finished"] is not None


def test_success_rate_50_does_not_pause_at_exactly_half(fleet: Fleet) -> None:
    a, b, c = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches([a, b], [c]), success_rate="50.0")
    fleet.run(a)
    fleet.run(b, "ABNORMAL")
    assert fleet.status(uuid) == "PROCESSING"
    fleet.run(c)
    assert fleet.status(uuid) == "ABNORMAL"


def test_success_rate_counts_every_batch_run_so_far(fleet: Fleet) -> None:
    a, b, c, d = fleet.enroll(4)
    uuid = fleet.execute(fleet.script(), batches([a, b], [c], [d]), success_rate=70)
    fleet.run(a)
    fleet.run(b)
    fleet.run(c, "ABNORMAL")
    info = fleet.info(uuid)
    assert info["status"] == "PAUSED", "2 of 3 is 66.7%, below 70"
    assert info["properties"]["current_execute_batch_index"] == 3


def test_a_failure_in_the_last_batch_ends_the_order_abnormal_without_pausing(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    fleet.run(a, "ABNORMAL", "exit 3\n")
    assert fleet.status(uuid) == "ABNORMAL"
    assert fleet.stats(uuid)["ABNORMAL"] == (1, [1])


def test_an_offline_target_is_accepted_and_fails_as_agent_offline(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    fleet.offline(b)
    uuid = fleet.execute(fleet.script(), batches([a, b]), success_rate=50)
    instance = fleet.instances(uuid, 1)[b.agent_sn]
    assert instance["status"] == "ABNORMAL"
    assert instance["message"] == "agent offline"
    assert instance["target_instance"]["agent_status"] == "OFFLINE"
    fleet.run(a)
    assert fleet.status(uuid) == "ABNORMAL"


def test_every_target_offline_ends_the_order_at_once(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    fleet.offline(a)
    uuid = fleet.execute(fleet.script(), batches([a]))
    assert fleet.status(uuid) == "ABNORMAL"
