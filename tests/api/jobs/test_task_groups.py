"""Results that arrive together are applied in one statement, and one claim hands out tasks and cancels
together (jobs/tasks.py): each row still gets its own values, a repeat is applied once."""

from typing import Any

from sqlalchemy import event, select

from opencoc.core.errors import OpenCOCError
from opencoc.jobs import tasks
from opencoc.jobs.models import InstanceOutput, ScriptInstance
from opencoc.jobs.schemas import TaskResult
from tests.api.jobs.helpers import Fleet, batches

UNKNOWN = "0" * 32


def _apply(fleet: Fleet, reports: list[tasks.Reported]) -> list[bool | OpenCOCError]:
    with fleet.db.write() as session:
        outcomes, _ = tasks.report(session, reports, now=1_700_000_000_000, offline_after_s=90)
    return outcomes


def test_results_of_one_group_each_end_their_own_instance(fleet: Fleet) -> None:
    a, b, c = fleet.enroll(3)
    uuid = fleet.execute(fleet.script(), batches([a, b, c]))
    results = {
        a: TaskResult(status="FINISHED", exit_code=0, output="from a"),
        b: TaskResult(status="ABNORMAL", exit_code=7, output="from b", error="b failed"),
        c: TaskResult(status="CANCELED", output="from c", error="killed"),
    }
    reports = [tasks.Reported(h.agent_sn, fleet.task(h)["task_id"], r) for h, r in results.items()]
    assert _apply(fleet, reports) == [True, True, True]
    got = fleet.instances(uuid, 1)
    assert [(got[h.agent_sn]["status"], got[h.agent_sn]["message"]) for h in (a, b, c)] == [
        ("FINISHED", "from a"),
        ("ABNORMAL", "from b\nb failed"),
        ("CANCELED", "from c\nkilled"),
    ]
    with fleet.db.read() as session:
        codes = dict(session.execute(select(ScriptInstance.agent_sn, ScriptInstance.exit_code)).all())
    assert [codes[h.agent_sn] for h in (a, b, c)] == [0, 7, None]
    assert fleet.status(uuid) == "ABNORMAL"


def test_a_group_spanning_orders_moves_on_each_whose_running_tasks_it_ended(fleet: Fleet) -> None:
    a, b, c, d = fleet.enroll(4)
    ending = fleet.execute(fleet.script(), batches([a], [b]))
    running = fleet.execute(fleet.script(), batches([c, d]))
    done = TaskResult(status="FINISHED", exit_code=0, output="ok")
    reports = [tasks.Reported(h.agent_sn, fleet.task(h)["task_id"], done) for h in (a, c)]
    with fleet.db.write() as session:
        outcomes, woken = tasks.report(session, reports, now=1_700_000_000_000, offline_after_s=90)
    assert outcomes == [True, True] and woken == {b.agent_sn}
    assert fleet.info(ending)["properties"]["current_execute_batch_index"] == 2, "its batch 1 ended: batch 2 runs"
    assert fleet.status(running) == "PROCESSING", "d's task is still due: that order waits"
    fleet.run(d)
    assert fleet.status(running) == "FINISHED"


def test_a_repeat_within_a_group_is_a_repeat_and_an_unknown_task_is_not_found(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    task_id = fleet.task(a)["task_id"]
    first = TaskResult(status="FINISHED", exit_code=0, output="first")
    again = TaskResult(status="ABNORMAL", exit_code=1, output="again")
    reports = [
        tasks.Reported(a.agent_sn, task_id, first),
        tasks.Reported(a.agent_sn, UNKNOWN, first),
        tasks.Reported(a.agent_sn, task_id, again),
    ]
    applied, unknown, repeat = _apply(fleet, reports)
    assert applied is True and repeat is False
    assert isinstance(unknown, OpenCOCError) and unknown.status == 404
    inst = fleet.instances(uuid, 1)[a.agent_sn]
    assert (inst["status"], inst["message"]) == ("FINISHED", "first")
    with fleet.db.read() as session:
        assert list(session.scalars(select(InstanceOutput.output).where(InstanceOutput.instance_id == inst["id"]))) == [
            "first"
        ]


def test_a_result_of_another_agents_task_is_not_found_and_changes_nothing(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script(), batches([a]))
    task_id = fleet.task(a)["task_id"]
    (outcome,) = _apply(fleet, [tasks.Reported(b.agent_sn, task_id, TaskResult(status="FINISHED"))])
    assert isinstance(outcome, OpenCOCError) and outcome.status == 404
    assert fleet.instances(uuid, 1)[a.agent_sn]["status"] == "PROCESSING"


def test_one_poll_gets_a_new_task_and_a_cancel_together(fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    running = fleet.execute(fleet.script(), batches([a]))
    old = fleet.task(a)["task_id"]
    waiting = fleet.execute(fleet.script(), batches([a]))
    fleet.operate(running, "CANCEL_ORDER")
    feed = fleet.poll(a)
    assert feed["cancel"] == [old]
    (new,) = feed["tasks"]
    assert new["task_id"] != old
    assert fleet.instances(waiting, 1)[a.agent_sn]["status"] == "PROCESSING"
    assert fleet.instances(running, 1)[a.agent_sn]["status"] == "PROCESSING", "a cancel waits for the agent"
    assert fleet.poll(a) == {"tasks": [], "cancel": []}, "neither is handed out twice"


def test_an_orders_script_is_read_once_for_all_its_hand_outs(fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    fleet.execute(fleet.script("echo ${a}"), batches([a, b]))
    statements: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(fleet.db.write_engine, "before_cursor_execute", seen)
    try:
        first, second = fleet.task(a), fleet.task(b)
    finally:
        event.remove(fleet.db.write_engine, "before_cursor_execute", seen)
    assert first["content"] == second["content"] and first["task_id"] != second["task_id"]
    reads = [s for s in statements if "script_orders.content" in s]
    assert len(reads) == 1, reads
