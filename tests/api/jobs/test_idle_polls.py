"""An idle agent's long-poll costs the database nothing; work reaches it through announcements."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event

from harness.polling import wait_for
from opencoc.agents import service as agents_service
from opencoc.app import create_app
from opencoc.config import Settings
from opencoc.core.clock import now_ms
from opencoc.jobs.announced import Announced
from tests.api.jobs.helpers import TASKS, Fleet, batches


def _statements_naming(client: TestClient, agent_sn: str, fn: Any) -> list[str]:
    """The SQL statements the app ran with `agent_sn` among their parameters while `fn()` ran."""
    db = client.app.state.db  # type: ignore[attr-defined]
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        if agent_sn in repr(parameters):
            seen.append(statement)

    engines = {db.write_engine, db.read_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)
    return seen


def test_an_idle_agents_polls_read_nothing_about_it_from_the_first_after_its_enrolment(
    client: TestClient, fleet: Fleet
) -> None:
    (a,) = fleet.enroll(1)  # the enrolling process holds the new row: the first poll needs no read either

    def polls() -> None:
        for _ in range(3):
            assert fleet.poll(a) == {"tasks": [], "cancel": []}

    assert _statements_naming(client, a.agent_sn, polls) == []


def test_work_made_between_two_polls_is_handed_out_by_the_next_at_once(client: TestClient, fleet: Fleet) -> None:
    a, b = fleet.enroll(2)
    fleet.poll(a)
    fleet.execute(fleet.script(), batches([a, b]))
    statements = _statements_naming(client, a.agent_sn, lambda: fleet.task(a))
    assert statements, "the announced agent's poll claims its task from the database"


def test_a_lost_announcement_is_made_again_by_the_sweep(client: TestClient, fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    uuid = fleet.execute(fleet.script(), batches([a]))
    announced: Announced = client.app.state.jobs_announced  # type: ignore[attr-defined]
    assert announced.take(a.agent_sn), "the order's commit announced its agent"
    resp = client.get(TASKS, params={"wait": 10}, headers=a.headers)  # the once-a-second sweep announces it again
    assert resp.status_code == 200 and len(resp.json()["tasks"]) == 1
    assert fleet.instances(uuid, 1)[a.agent_sn]["status"] == "PROCESSING"


def test_a_wrong_wait_is_a_400_naming_the_field_and_the_rule(client: TestClient, fleet: Fleet) -> None:
    (a,) = fleet.enroll(1)
    for wait, msg in (("61", "wait must be <= 60.0"), ("-1", "wait must be >= 0.0"), ("soon", "wait must be a number")):
        resp = client.get(TASKS, params={"wait": wait}, headers=a.headers)
        assert resp.status_code == 400
        assert resp.json() == {"error_code": "COC.00040701", "error_msg": msg}


def test_a_restarted_server_knows_its_agents_before_their_first_poll_and_not_the_revoked_ones(
    client: TestClient, fleet: Fleet, settings: Settings
) -> None:
    kept, revoked = fleet.enroll(2)
    with fleet.db.write() as session:
        assert agents_service.revoke(session, tenant_name=fleet.tenant.name, agent_sn=revoked.agent_sn, now=now_ms())
    with TestClient(create_app(settings), raise_server_exceptions=False) as again:
        registry = again.app.state.agent_registry  # type: ignore[attr-defined]
        wait_for(lambda: registry.get(kept.agent_sn) is not None, "the start-up warm-up")
        assert registry.get(revoked.agent_sn) is None

        def first_poll() -> None:
            assert again.get(TASKS, params={"wait": 0}, headers=kept.headers).json() == {"tasks": [], "cancel": []}

        assert _statements_naming(again, kept.agent_sn, first_poll) == []
        assert again.get(TASKS, params={"wait": 0}, headers=revoked.headers).status_code == 401
