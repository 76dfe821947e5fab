"""The runner against an in-memory server (httpx MockTransport): feed, results, retries, spool."""

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import httpx

from harness import polling
from opencoc.agent.connection import AgentConnection, make_client
from opencoc.agent.identity import Identity
from opencoc.agent.loop import CARRY_MAX, HOLD_S, AgentRunner, shrunk
from opencoc.agent.results import ResultSpool

IDENT = Identity("sn-1", "secret-1", "res-1", "http://server")


class FakeServer:
    """Hands out the queued feeds one poll at a time; answers results with `result_statuses` in turn."""

    def __init__(
        self,
        feeds: list[dict[str, Any]],
        result_statuses: list[int],
        carried_feeds: list[dict[str, Any]] | None = None,
    ) -> None:
        self.feeds = feeds
        self.result_statuses = result_statuses
        self.carried_feeds = carried_feeds or []  # what a result with `wait` answers beside `accepted`
        self.results: list[tuple[str, dict[str, Any], int]] = []
        self.requests: list[str] = []  # "poll", or "result <task> [wait]": the order the agent sent them
        self.heartbeats = 0
        self.done = asyncio.Event()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "Bearer sn-1:secret-1"
        path = request.url.path
        if path.endswith("/heartbeat"):
            self.heartbeats += 1
            return httpx.Response(200, json={"server_time": 1})
        if path.endswith("/tasks"):
            self.requests.append("poll")
            if self.feeds:
                return httpx.Response(200, json=self.feeds.pop(0))
            await asyncio.Event().wait()  # no work: the long-poll is held until the runner is cancelled
        task_id = path.split("/")[-2]
        wait = request.url.params.get("wait")
        self.requests.append(f"result {task_id}" + (" wait" if wait else ""))
        status = self.result_statuses.pop(0) if self.result_statuses else 200
        self.results.append((task_id, json.loads(request.content), status))
        if not self.result_statuses:
            self.done.set()
        answer: dict[str, Any] = {"accepted": status == 200}
        if wait and status == 200:
            answer |= self.carried_feeds.pop(0) if self.carried_feeds else {"tasks": [], "cancel": []}
        return httpx.Response(status, json=answer)


async def _serve(server: FakeServer, state_dir: Path, hold_s: float = HOLD_S) -> None:
    async with make_client("http://server", transport=httpx.MockTransport(server.handle)) as client:
        runner = AgentRunner(
            AgentConnection(client, IDENT), {"hostname": "h"}, state_dir, hold_s=hold_s, log=logging.getLogger("test")
        )
        work = asyncio.ensure_future(runner.run())
        await asyncio.wait_for(server.done.wait(), 30)
        # The runner settles a result (forgets it) once it has read the server's last answer.
        settled = ResultSpool(state_dir).pending
        await asyncio.to_thread(polling.wait_for, lambda: not settled(), "the runner to settle its results", 10, 0.01)
        work.cancel()
        await asyncio.gather(work, return_exceptions=True)


def _task(task_id: str, content: str) -> dict[str, Any]:
    return {
        "task_id": task_id,
        "script_type": "SHELL",
        "content": content,
        "params": [],
        "execute_user": "",
        "timeout": 30,
    }


def test_a_task_runs_and_its_result_is_retried_until_accepted(tmp_path: Path) -> None:
    server = FakeServer([{"tasks": [_task("t1", "echo ok")], "cancel": []}], result_statuses=[503, 500, 200])
    asyncio.run(_serve(server, tmp_path))
    assert [(t, s) for t, _, s in server.results] == [("t1", 503), ("t1", 500), ("t1", 200)]
    result = server.results[-1][1]
    assert (result["status"], result["exit_code"], result["output"]) == ("FINISHED", 0, "ok\n")
    assert server.heartbeats >= 1
    assert ResultSpool(tmp_path).pending() == []


def test_a_gone_task_stops_the_retries(tmp_path: Path) -> None:
    server = FakeServer([{"tasks": [_task("t1", "true")], "cancel": []}], result_statuses=[404])
    asyncio.run(_serve(server, tmp_path))
    assert [(t, s) for t, _, s in server.results] == [("t1", 404)]
    assert ResultSpool(tmp_path).pending() == []


def test_a_result_the_server_rejects_as_malformed_is_dropped_not_retried(tmp_path: Path) -> None:
    server = FakeServer([{"tasks": [_task("t1", "printf 'a\\000b'")], "cancel": []}], result_statuses=[400])
    asyncio.run(_serve(server, tmp_path))
    assert [(t, s) for t, _, s in server.results] == [("t1", 400)]
    assert ResultSpool(tmp_path).pending() == [], "a rejected result stays spooled for another try"
    assert server.results[0][1]["output"] == "a\ufffdb", "the agent sent a NUL the server cannot store"


def test_cancel_of_a_task_not_running_here_reports_canceled(tmp_path: Path) -> None:
    server = FakeServer([{"tasks": [], "cancel": ["t9"]}], result_statuses=[200])
    asyncio.run(_serve(server, tmp_path))
    ((task_id, result, _),) = server.results
    assert task_id == "t9" and result["status"] == "CANCELED"


def test_results_left_by_a_previous_run_are_reported(tmp_path: Path) -> None:
    done = {"status": "FINISHED", "exit_code": 0, "output": "x", "started_at": 1, "finished_at": 2, "error": None}
    ResultSpool(tmp_path).put("t-old", done)
    assert ResultSpool(tmp_path).pending() == ["t-old"]
    server = FakeServer([], result_statuses=[200])
    asyncio.run(_serve(server, tmp_path))
    assert server.results == [("t-old", done, 200)]
    assert ResultSpool(tmp_path).pending() == []


def test_a_result_too_large_for_the_server_is_resent_with_half_the_output_head_and_tail_kept() -> None:
    output = "HEAD" + "x" * 100_000 + "TAIL"
    body = json.dumps({"status": "FINISHED", "exit_code": 0, "output": output}).encode()
    smaller = shrunk(body)
    assert smaller is not None and (smaller["status"], smaller["exit_code"]) == ("FINISHED", 0)
    assert len(smaller["output"]) <= len(output) // 2
    assert smaller["output"].startswith("HEAD") and smaller["output"].endswith("TAIL")
    assert "bytes truncated]" in smaller["output"]
    assert shrunk(json.dumps({"output": "x" * 16 * 1024}).encode()) is None, "16 KiB is as small as it gets"


def test_the_last_tasks_result_carries_the_next_poll_and_brings_the_next_task(tmp_path: Path) -> None:
    first = {"tasks": [_task("t1", "echo one")], "cancel": []}
    server = FakeServer([first], result_statuses=[200, 200], carried_feeds=[{"tasks": [_task("t2", "echo two")]}])
    asyncio.run(_serve(server, tmp_path))
    # One request per task: no poll between the first poll and the results, each of which polls.
    assert server.requests[:3] == ["poll", "result t1 wait", "result t2 wait"]
    assert [(t, r["output"]) for t, r, _ in server.results] == [("t1", "one\n"), ("t2", "two\n")]


def test_tasks_outliving_the_hold_get_a_poll_of_their_own_and_a_plain_result(tmp_path: Path) -> None:
    server = FakeServer([{"tasks": [_task("t1", "sleep 0.6; echo late")], "cancel": []}], result_statuses=[200])
    asyncio.run(_serve(server, tmp_path, hold_s=0.1))
    assert server.requests[:3] == ["poll", "poll", "result t1"]


def test_a_failed_carrying_result_is_retried_plain_and_the_loop_polls_itself(tmp_path: Path) -> None:
    server = FakeServer([{"tasks": [_task("t1", "echo ok")], "cancel": []}], result_statuses=[503, 200])
    asyncio.run(_serve(server, tmp_path))
    assert server.requests[:2] == ["poll", "result t1 wait"]
    assert sorted(server.requests[2:4]) == ["poll", "result t1"]


def test_a_large_result_is_not_held_for_a_poll(tmp_path: Path) -> None:
    big = f"head -c {CARRY_MAX + 1} /dev/zero | tr '\\0' x"
    server = FakeServer([{"tasks": [_task("t1", big)], "cancel": []}], result_statuses=[200])
    asyncio.run(_serve(server, tmp_path))
    assert len(server.results[0][1]["output"]) == CARRY_MAX + 1
    assert sorted(server.requests[1:3]) == ["poll", "result t1"]
