"""The write that ends a batch hands the next batch's tasks to the polls waiting on this replica
(jobs/handout.py): created and handed out in one transaction, no claim after it."""

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select

from harness.polling import wait_for
from opencoc.jobs.models import ScriptInstance, ScriptOrder
from opencoc.jobs.order_specs import OrderSpecs
from opencoc.jobs.parked import ParkedPolls
from tests.api.agents.helpers import Enrolled
from tests.api.jobs.helpers import TASKS, Fleet, batches, param

CLAIM = "started_at=CASE"  # the claim's UPDATE (jobs/tasks.py _CLAIM)


@contextmanager
def _waiting_poll(client: TestClient, host: Enrolled, wait: float = 20) -> Iterator["Future[Any]"]:
    """The host's long-poll, open (and waiting here) for the block: its response's future."""
    parked: ParkedPolls = client.app.state.jobs_task_groups.parked  # type: ignore[attr-defined]
    with ThreadPoolExecutor(1) as pool:
        polled = pool.submit(lambda: client.get(TASKS, params={"wait": wait}, headers=host.headers))
        wait_for(lambda: parked.waiting(host.agent_sn), timeout=10, what="the poll to wait")
        yield polled


def _statements(client: TestClient, fn: Callable[[], Any]) -> list[tuple[str, str]]:
    """(statement, parameters) of every statement the app ran while `fn()` ran."""
    engine = client.app.state.db.write_engine  # type: ignore[attr-defined]
    seen: list[tuple[str, str]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, repr(parameters)))

    event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def _runs(fleet: Fleet, uuid: str) -> dict[str, tuple[str, int | None, int | None]]:
    """Each instance's (status, started_at, gmt_finished), by agent."""
    with fleet.db.read() as session:
        i = ScriptInstance
        rows = session.execute(
            select(i.agent_sn, i.status, i.started_at, i.gmt_finished)
            .join(ScriptOrder, ScriptOrder.id == ScriptInstance.order_id)
            .where(ScriptOrder.execute_uuid == uuid)
        ).all()
    return {sn: (status, started, finished) for sn, status, started, finished in rows}


def test_the_result_that_ends_a_batch_hands_the_next_to_the_waiting_poll_in_its_write(
    client: TestClient, fleet: Fleet
) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script("echo ${a}", [param("a", "next", 1)]), batches([a], [b]))
    first = fleet.task(a)
    with _waiting_poll(client, b) as polled:
        seen = _statements(client, lambda: fleet.report(a, first["task_id"]))
        response = polled.result(timeout=10)
    assert response.status_code == 200, response.text
    (task,) = response.json()["tasks"]
    assert task["script_type"] == "SHELL" and task["params"] == [{"name": "a", "value": "next", "sensitive": False}]
    assert not [s for s, params in seen if CLAIM in s and b.agent_sn in params], "no claim: the write handed it"
    runs = _runs(fleet, uuid)
    assert runs[b.agent_sn][0] == "PROCESSING"
    assert runs[b.agent_sn][1] == runs[a.agent_sn][2], "started in the write that ended batch 1"
    assert fleet.report(b, task["task_id"]).json() == {"accepted": True}, "the handed task is b's to report"
    assert fleet.status(uuid) == "FINISHED"


def test_a_task_the_write_cannot_build_goes_to_the_claim_which_ends_it_with_its_reason(
    client: TestClient, fleet: Fleet
) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script("echo ${t}", [param("t", "s3cret", 1, sensitive=True)]), batches([a], [b]))
    first = fleet.task(a)
    with fleet.db.write() as session:  # stored under another OPENCOC_SECRET_KEY
        order = session.scalars(select(ScriptOrder).where(ScriptOrder.execute_uuid == uuid)).one()
        order.params = [{**p, "param_value": "gAAAAA-not-ours"} for p in order.params]
    client.app.state.jobs_task_groups.specs = OrderSpecs()  # type: ignore[attr-defined]  # as on a fresh replica
    with _waiting_poll(client, b, wait=3) as polled:
        assert fleet.report(a, first["task_id"]).json() == {"accepted": True}
        wait_for(lambda: _runs(fleet, uuid)[b.agent_sn][0] == "ABNORMAL", timeout=10, what="b's task to end")
        response = polled.result(timeout=10)
    assert response.json() == {"tasks": [], "cancel": []}, "nothing half-built reaches the agent"
    assert fleet.instances(uuid, 2)[b.agent_sn]["message"].endswith(
        "parameters not placed: secret cannot be decrypted with this OPENCOC_SECRET_KEY"
    )
    assert fleet.status(uuid) == "ABNORMAL"


def test_an_orders_first_batch_goes_to_the_waiting_poll_in_the_write_that_creates_it(
    client: TestClient, fleet: Fleet
) -> None:
    (a,) = fleet.enroll(1)
    script = fleet.script()
    with _waiting_poll(client, a) as polled:
        seen = _statements(client, lambda: fleet.execute(script, batches([a])))
        (task,) = polled.result(timeout=10).json()["tasks"]
    assert not [s for s, params in seen if CLAIM in s], "no claim: the execute call's write handed it"
    assert fleet.report(a, task["task_id"]).json() == {"accepted": True}


def test_continuing_a_paused_order_hands_its_next_batch_to_the_waiting_poll(client: TestClient, fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    uuid = fleet.execute(fleet.script(), batches([a], [b]))
    fleet.run(a, "ABNORMAL")
    assert fleet.status(uuid) == "PAUSED"
    with _waiting_poll(client, b) as polled:
        seen = _statements(client, lambda: fleet.operate(uuid, "CONTINUE_ORDER"))
        (task,) = polled.result(timeout=10).json()["tasks"]
    assert not [s for s, params in seen if CLAIM in s and b.agent_sn in params]
    assert fleet.report(b, task["task_id"]).json() == {"accepted": True}
    assert fleet.status(uuid) == "ABNORMAL", "a's failure stays counted"
