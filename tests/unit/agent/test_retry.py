"""The agent's one retry policy, and the three loops that use it, against a fake server and a fake clock."""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest

from opencoc.agent import identity
from opencoc.agent.connection import AgentConnection, make_client
from opencoc.agent.identity import Identity
from opencoc.agent.loop import AgentRunner
from opencoc.agent.main import AgentFailure, _enrol
from opencoc.agent.results import ResultSpool
from opencoc.agent.retry import RetryPolicy

IDENT = Identity("sn-1", "secret-1", "res-1", "http://server")
LOG = logging.getLogger("test.retry")


class FakeClock:
    """Records each wait instead of sleeping; the policy's jitter factor is fixed at `factor`."""

    def __init__(self, factor: float = 1.0) -> None:
        self.waits: list[float] = []
        self.policy = RetryPolicy(sleep=self.sleep, uniform=lambda low, high: factor)

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        await asyncio.sleep(0)


def test_waits_double_from_half_a_second_up_to_thirty_with_their_jitter() -> None:
    policy = RetryPolicy(uniform=lambda low, high: 1.0)
    assert [policy.delay(n) for n in range(8)] == [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    assert policy.delay(5000) == 30.0, "a long outage must not overflow the wait"
    bounds: list[tuple[float, float]] = []
    RetryPolicy(uniform=lambda low, high: bounds.append((low, high)) or low).delay(0)
    assert bounds == [(0.5, 1.5)]


def test_a_failure_is_logged_with_its_error_and_wait(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock(factor=1.2)
    with caplog.at_level(logging.WARNING, "test.retry"):
        asyncio.run(clock.policy.backoff(LOG, "task poll failed").wait(ValueError("boom")))
    assert caplog.messages == ["task poll failed (boom); retrying in 0.6 s"]
    assert clock.waits == [pytest.approx(0.6)]


Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


async def idle_poll() -> httpx.Response:
    """A long-poll with no work: it holds until the runner is cancelled."""
    await asyncio.Event().wait()
    raise AssertionError("unreachable")


def _run(handler: Handler, done: asyncio.Event, state_dir: Path, clock: FakeClock) -> None:
    async def main() -> None:
        async with make_client("http://server", transport=httpx.MockTransport(handler)) as client:
            runner = AgentRunner(AgentConnection(client, IDENT), {}, state_dir, retry=clock.policy, log=LOG)
            work = asyncio.ensure_future(runner.run())
            await asyncio.wait_for(done.wait(), 30)
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)

    asyncio.run(main())


def test_failed_polls_wait_longer_each_time_and_a_good_poll_starts_again(tmp_path: Path) -> None:
    answers = [503, 503, 200, 503]
    done = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/heartbeat"):
            return httpx.Response(200, json={})
        if not answers:
            done.set()
            return await idle_poll()
        return httpx.Response(answers.pop(0), json={"tasks": [], "cancel": []})

    clock = FakeClock()
    _run(handle, done, tmp_path, clock)
    assert clock.waits == [0.5, 1.0, 0.5]


def test_a_result_is_retried_with_growing_waits_until_the_server_takes_it(tmp_path: Path) -> None:
    ResultSpool(tmp_path).put("t1", {"status": "FINISHED", "exit_code": 0, "output": "ok"})
    answers = [503, 500, 200]
    done = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/result"):
            status = answers.pop(0)
            if not answers:
                done.set()
            return httpx.Response(status, json={})
        if request.url.path.endswith("/heartbeat"):
            return httpx.Response(200, json={})
        return await idle_poll()

    clock = FakeClock()
    _run(handle, done, tmp_path, clock)
    assert clock.waits == [0.5, 1.0] and answers == []


def test_enrolment_retries_server_and_network_errors_then_saves_the_identity(tmp_path: Path) -> None:
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(503, json={})
        if calls == 2:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"agent_sn": "sn-9", "agent_secret": "s", "resource_id": "r"})

    async def main() -> Identity:
        async with make_client("http://server", transport=httpx.MockTransport(handle)) as client:
            return await _enrol(client, tmp_path, "token", {}, "http://server", retry=clock.policy)

    clock = FakeClock()
    enrolled = asyncio.run(main())
    assert clock.waits == [0.5, 1.0]
    assert enrolled.agent_sn == "sn-9" and identity.load(tmp_path) == enrolled


def test_a_refused_enrolment_ends_at_once(tmp_path: Path) -> None:
    async def main() -> None:
        transport = httpx.MockTransport(lambda request: httpx.Response(403, json={"error": "bad token"}))
        async with make_client("http://server", transport=transport) as client:
            await _enrol(client, tmp_path, "token", {}, "http://server", retry=clock.policy)

    clock = FakeClock()
    with pytest.raises(AgentFailure, match="enrolment refused"):
        asyncio.run(main())
    assert clock.waits == []


def test_retry_after_is_never_cut_short_and_is_spread_above_what_the_server_asked() -> None:
    bounds: list[tuple[float, float]] = []
    policy = RetryPolicy(uniform=lambda low, high: bounds.append((low, high)) or high)
    assert policy.delay(0, retry_after=7) == pytest.approx(7 * 1.4)
    assert bounds == [(1, 1.4)], "the spread is on top of Retry-After, never below it"
    assert RetryPolicy(uniform=lambda low, high: low).delay(9, retry_after=3) == 3, "Retry-After replaces the doubling"


def test_a_poll_refused_with_503_and_retry_after_waits_what_the_server_said(tmp_path: Path) -> None:
    answers = [(503, "4"), (503, "9"), (200, None), (503, None)]
    done = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/heartbeat"):
            return httpx.Response(200, json={})
        if not answers:
            done.set()
            return await idle_poll()
        status, after = answers.pop(0)
        headers = {"Retry-After": after} if after else {}
        return httpx.Response(status, json={"tasks": [], "cancel": []}, headers=headers)

    clock = FakeClock()
    _run(handle, done, tmp_path, clock)
    assert clock.waits == [4.0, 9.0, 0.5], "Retry-After first, then the agent's own back-off from its start"


def test_an_enrolment_turned_away_with_retry_after_comes_back_after_it(tmp_path: Path) -> None:
    answers = [httpx.Response(503, json={}, headers={"Retry-After": "6"})]

    def handle(request: httpx.Request) -> httpx.Response:
        if answers:
            return answers.pop(0)
        return httpx.Response(200, json={"agent_sn": "sn-7", "agent_secret": "s", "resource_id": "r"})

    async def main() -> Identity:
        async with make_client("http://server", transport=httpx.MockTransport(handle)) as client:
            return await _enrol(client, tmp_path, "token", {}, "http://server", retry=clock.policy)

    clock = FakeClock()
    assert asyncio.run(main()).agent_sn == "sn-7"
    assert clock.waits == [6.0]


def test_a_malformed_retry_after_falls_back_to_the_agents_own_back_off(tmp_path: Path) -> None:
    ResultSpool(tmp_path).put("t1", {"status": "FINISHED", "exit_code": 0, "output": "ok"})
    answers = [("Wed, 21 Oct 2015 07:28:00 GMT", 503), ("-5", 503), (None, 200)]
    done = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/result"):
            after, status = answers.pop(0)
            if not answers:
                done.set()
            return httpx.Response(status, json={}, headers={"Retry-After": after} if after else {})
        if request.url.path.endswith("/heartbeat"):
            return httpx.Response(200, json={})
        return await idle_poll()

    clock = FakeClock()
    _run(handle, done, tmp_path, clock)
    assert clock.waits == [0.5, 1.0]


def test_no_heartbeat_is_sent_while_a_poll_is_open_but_changed_facts_are(tmp_path: Path) -> None:
    sent: list[dict[str, object]] = []
    done = asyncio.Event()
    hosts = iter(["web-01", "web-01", "web-02"])

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/heartbeat"):
            sent.append(json.loads(request.content)["facts"])
            if len(sent) == 2:
                done.set()
            return httpx.Response(200, json={"server_time": 0})
        return await idle_poll()

    async def main() -> None:
        async with make_client("http://server", transport=httpx.MockTransport(handle)) as client:
            runner = AgentRunner(
                AgentConnection(client, IDENT),
                {"hostname": "web-01"},
                tmp_path,
                heartbeat_s=0.01,
                facts_source=lambda: {"hostname": next(hosts, "web-02")},
                facts_check_s=0,
                log=LOG,
            )
            work = asyncio.ensure_future(runner.run())
            await asyncio.wait_for(done.wait(), 30)
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)

    asyncio.run(main())
    assert sent[:2] == [{"hostname": "web-01"}, {"hostname": "web-02"}], "only the start and the change are sent"


def test_an_idle_agent_sends_no_heartbeat_while_its_poll_is_open_and_one_when_polls_keep_failing(
    tmp_path: Path,
) -> None:
    beats: list[float] = []
    release = asyncio.Event()  # the open poll fails once the test has seen no heartbeat for a while
    done = asyncio.Event()

    async def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/heartbeat"):
            beats.append(asyncio.get_running_loop().time())
            if len(beats) == 2:
                done.set()
            return httpx.Response(200, json={"server_time": 0})
        await release.wait()  # then every poll fails, and the agent waits between them: a gap
        return httpx.Response(503, json={})

    async def main() -> None:
        async with make_client("http://server", transport=httpx.MockTransport(handle)) as client:
            backoff = RetryPolicy(sleep=lambda _s: asyncio.sleep(0.05), uniform=lambda low, high: 1.0)
            runner = AgentRunner(AgentConnection(client, IDENT), {}, tmp_path, heartbeat_s=0.01, retry=backoff, log=LOG)
            work = asyncio.ensure_future(runner.run())
            await asyncio.sleep(0.3)  # thirty heartbeat intervals with the poll open
            assert len(beats) == 1, "only the first heartbeat (the facts) while the poll is open"
            release.set()
            await asyncio.wait_for(done.wait(), 30)
            work.cancel()
            await asyncio.gather(work, return_exceptions=True)

    asyncio.run(main())
    assert len(beats) >= 2
