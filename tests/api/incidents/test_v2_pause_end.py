"""An agreed v2 pause ends by itself at its `pause_end_time`: the incident is back at incident_handle, the
history says so once (server-side, `pauseEnded`), even with two resumers at once; a later end waits."""

import threading
from typing import Any

from fastapi.testclient import TestClient

from harness.polling import wait_for
from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from opencoc.incidents import pauses
from tests.api.incidents.helpers import show
from tests.api.incidents.v2_helpers import acted, create_mine, history_info, open_task
from tests.support.signing import TenantKey

HOUR_MS = 3_600_000


def _paused(client: TestClient, key: TenantKey, end_ms: int | None = None, *, in_ms: int = 0) -> str:
    """A paused incident whose pause ends at `end_ms`, or `in_ms` after the pause is asked for."""
    num = create_mine(client, key)
    acted(client, key, num, "accepted")
    end = end_ms if end_ms is not None else now_ms() + in_ms
    acted(client, key, num, "incidentPause", {"pause_end_time": end, "pause_reason": "vendor"})
    acted(client, key, num, "agreed", {"pause_approve_conclusion": True})
    assert open_task(client, key, num)[0] == "incident_paused"
    return num


def _drain(db: Database, at_ms: int) -> int:
    """Resume every pause ended by `at_ms` (other tests' too: the database is shared) -> how many."""
    total = 0
    while True:
        with db.write() as session:
            resumed = pauses.resume_due(session, at_ms=at_ms)
        if not resumed:
            return total
        total += resumed


def _ended(client: TestClient, key: TenantKey, num: str) -> list[dict[str, Any]]:
    return [h for h in history_info(client, key, num) if h["action"] == "pauseEnded"]


def test_a_pause_whose_end_passed_resumes_once_and_a_later_one_waits(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    end = now_ms() + 24 * HOUR_MS
    num = _paused(client, tenant, end)
    later = _paused(client, tenant, end + HOUR_MS)
    _drain(db, end - 1)
    assert open_task(client, tenant, num)[0] == "incident_paused"
    assert _drain(db, end + 1) >= 1 and _drain(db, end + 1) == 0
    assert open_task(client, tenant, num)[0] == "incident_handle"
    assert open_task(client, tenant, later)[0] == "incident_paused"
    [entry] = _ended(client, tenant, num)
    assert entry["operator"] == "opencoc-incidents" and entry["action_name_en"] == "Pause ended", entry
    assert show(client, tenant, num).json()["data"]["status"] == "INCIDENT_STATUS_ACKNOWLEDGED"
    acted(client, tenant, num, "commitSolution", {"mtm_type": "inc_type_p_config_issues", "cause": "c",
                                                  "solution": "s", "is_service_interrupt": False})  # fmt: skip


def test_two_resumers_at_once_resume_a_pause_once(client: TestClient, db: Database, tenant: TenantKey) -> None:
    end = now_ms() + 48 * HOUR_MS
    num = _paused(client, tenant, end)
    _drain(db, end - 1)  # only this pause ends in the window the two resumers race for
    start = threading.Barrier(2)
    counts: list[int] = []

    def resume() -> None:
        start.wait()
        with db.write() as session:
            counts.append(pauses.resume_due(session, at_ms=end + 1))

    workers = [threading.Thread(target=resume) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(10)
    assert len(_ended(client, tenant, num)) == 1, counts
    assert open_task(client, tenant, num)[0] == "incident_handle"


def test_the_server_resumes_a_pause_when_its_end_passes(client: TestClient, tenant: TenantKey) -> None:
    num = _paused(client, tenant, in_ms=1_000)  # from the pause itself: a loaded CI can take 300 ms to accept
    wait_for(lambda: open_task(client, tenant, num)[0] == "incident_handle", "the pause to end by itself", 10)
    assert len(_ended(client, tenant, num)) == 1
