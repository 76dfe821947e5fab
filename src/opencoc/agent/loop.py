"""One agent identity at work: heartbeats, the long-poll for tasks, running them, reporting results."""

import asyncio
import json
import logging
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from opencoc.agent.cgroup import TaskCgroups
from opencoc.agent.connection import GONE, AgentConnection, ServerError
from opencoc.agent.executor import CANCELED, Execution, Result, Task, now_ms
from opencoc.agent.output_cap import OutputCap
from opencoc.agent.results import ResultSpool
from opencoc.agent.retry import DEFAULT_POLICY, RetryPolicy

PERMANENT = (400, 422)
FACTS_CHECK_S = 60.0  # how often a real agent looks whether its host's facts changed
TOO_LARGE = 413
MIN_OUTPUT = 16 * 1024
# How long the polls loop holds its next poll after tasks arrive, for the last of them to end and send it
# with its result (one request per task, not two); a cancel or a new task waits at most this long meanwhile.
HOLD_S = 0.5
CARRY_MAX = 64 * 1024  # a larger result is not held in memory (here and on the server) for a long-poll's wait


def shrunk(body: bytes) -> dict[str, Any] | None:
    """The result with half as much output (head and tail kept), or None when it is already small."""
    result = json.loads(body)
    data = str(result.get("output") or "").encode()
    if len(data) <= MIN_OUTPUT:
        return None
    cap = OutputCap(len(data) // 2)
    cap.feed(data)
    return {**result, "output": cap.render().decode("utf-8", "replace")}


def _poll_by_itself(carried: "asyncio.Future[dict[str, Any] | None] | None") -> None:
    """Tell the polls loop, if it still waits on `carried`, that no feed comes with this result: it polls."""
    if carried is not None and not carried.done():
        carried.set_result(None)


class AgentRunner:
    """Runs forever for one identity."""

    def __init__(
        self,
        conn: AgentConnection,
        facts: dict[str, Any],
        state_dir: Path,
        *,
        heartbeat_s: float = 10.0,
        poll_wait_s: float = 30.0,
        hold_s: float = HOLD_S,
        cgroups: TaskCgroups | None = None,
        scratch: Path | None = None,
        retry: RetryPolicy = DEFAULT_POLICY,
        facts_source: Callable[[], dict[str, Any]] | None = None,
        facts_check_s: float = FACTS_CHECK_S,
        log: logging.Logger,
    ) -> None:
        self.conn = conn
        self.facts = facts
        self.facts_source = facts_source
        self.facts_check_s = facts_check_s
        self.spool = ResultSpool(state_dir)
        self.heartbeat_s = heartbeat_s
        self.poll_wait_s = poll_wait_s
        self.cgroups = cgroups
        self.scratch = scratch
        self.retry = retry
        self.log = log
        self.running: dict[str, Execution] = {}
        self.polling = False
        self._poll_failed = asyncio.Event()  # set while no poll is open (a failed one waits to retry)
        self.hold_s = hold_s
        self._hold: asyncio.Future[asyncio.Future[dict[str, Any] | None]] | None = None  # see `_carried`
        self._jobs: set[asyncio.Task[None]] = set()

    async def run(self, *, stagger: bool = False) -> None:
        """Work until cancelled; cancelling kills the running scripts (their results stay unreported)."""
        for task_id in self.spool.pending():
            self._start(self._report(task_id))
        try:
            await asyncio.gather(self._heartbeats(stagger), self._polls())
        finally:
            jobs = list(self._jobs)
            for job in jobs:
                job.cancel()
            await asyncio.gather(*jobs, return_exceptions=True)

    def _start(self, coro: Any) -> None:
        job = asyncio.ensure_future(coro)
        self._jobs.add(job)
        job.add_done_callback(self._jobs.discard)

    async def _heartbeats(self, stagger: bool) -> None:
        if stagger:
            await asyncio.sleep(random.uniform(0, self.heartbeat_s))
        loop = asyncio.get_running_loop()
        unsent = True  # the facts: sent on start, and again whenever they change
        checked = loop.time()
        while True:
            if self.facts_source is not None and loop.time() - checked >= self.facts_check_s:
                checked = loop.time()
                fresh = await asyncio.to_thread(self.facts_source)
                if fresh != self.facts:
                    self.facts, unsent = fresh, True
            # An open long-poll keeps the agent ONLINE by itself: no heartbeat is sent while one is
            # open, only to cover the gaps (a failed poll waiting to retry) and to deliver facts.
            if unsent or not self.polling:
                try:
                    await self.conn.heartbeat(self.facts)
                    unsent = False
                except (httpx.HTTPError, ServerError) as exc:
                    self.log.warning("heartbeat failed: %s", exc)
            await self._rest(unsent, self.facts_check_s - (loop.time() - checked))

    async def _rest(self, unsent: bool, until_facts_check: float) -> None:
        """Until the next heartbeat may be due: `heartbeat_s` in a gap between polls or with facts unsent;
        while a poll is open, until one fails (and `heartbeat_s` more: a short gap needs no heartbeat,
        and a fleet turned away by a busy server must not answer with a heartbeat each) or the facts
        are to be checked. An idle agent wakes for nothing (10,000 simulated ones woke 1,000 times a
        second)."""
        if not unsent and self.polling:
            timeout = None if self.facts_source is None else max(until_facts_check, self.heartbeat_s)
            try:
                await asyncio.wait_for(self._poll_failed.wait(), timeout)
            except TimeoutError:
                return
        await asyncio.sleep(self.heartbeat_s)

    async def _polls(self) -> None:
        backoff = self.retry.backoff(self.log, "task poll failed")
        while True:
            self.polling = True
            self._poll_failed.clear()
            try:
                work: dict[str, Any] | None = await self.conn.poll(self.poll_wait_s)
            except (httpx.HTTPError, ServerError, ValueError) as exc:
                self.polling = False
                self._poll_failed.set()
                await backoff.wait(exc)
                continue
            backoff.reset()
            while work is not None:
                self._take(work)
                # With tasks handed out, the next poll rides on the result of the last of them to end, if
                # they end within `hold_s`; otherwise (or if that request fails) this loop polls itself.
                work = await self._carried() if work.get("tasks") else None

    def _take(self, work: dict[str, Any]) -> None:
        for raw in work.get("tasks") or []:
            self._accept(raw)
        for task_id in work.get("cancel") or []:
            self._cancel(str(task_id))

    async def _carried(self) -> dict[str, Any] | None:
        """The feed the last running task's result brings back as the next poll, or None when the tasks do
        not all end within `hold_s` or that request fails."""
        loop = asyncio.get_running_loop()
        hold: asyncio.Future[asyncio.Future[dict[str, Any] | None]] = loop.create_future()
        self._hold = hold
        await asyncio.wait({hold}, timeout=self.hold_s)
        self._hold = None
        if not hold.done():
            hold.cancel()
            return None
        return await hold.result()

    def _carry(self) -> "asyncio.Future[dict[str, Any] | None] | None":
        """When the polls loop holds its poll and no task runs any more: a future the reporting task resolves with
        the feed its result request brings back (None if it brings none)."""
        hold = self._hold
        if hold is None or hold.done() or self.running:
            return None
        carried: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
        hold.set_result(carried)
        return carried

    def _accept(self, raw: dict[str, Any]) -> None:
        try:
            task = Task.from_wire(raw)
        except (KeyError, TypeError, ValueError) as exc:
            self.log.error("malformed task %s: %r", raw.get("task_id"), exc)
            if raw.get("task_id"):
                now = now_ms()
                bad = Result("ABNORMAL", None, "", now, now, f"malformed task: {exc!r}")
                self._deliver(str(raw["task_id"]), bad)
            return
        if task.task_id in self.running:
            return
        execution = Execution(task, cgroups=self.cgroups, scratch=self.scratch)
        self.running[task.task_id] = execution
        self._start(self._execute(execution))

    def _cancel(self, task_id: str) -> None:
        execution = self.running.get(task_id)
        if execution is not None:
            self.log.info("task %s: cancel requested", task_id)
            execution.cancel()
            return
        now = now_ms()
        gone = Result(CANCELED, None, "", now, now, "canceled: the task was not running on this agent")
        self._deliver(task_id, gone)

    async def _execute(self, execution: Execution) -> None:
        task = execution.task
        self.log.info(
            "task %s: %s as %s, timeout %d s", task.task_id, task.script_type, task.execute_user, task.timeout
        )
        try:
            result = await execution.run()
        finally:
            self.running.pop(task.task_id, None)
        self.log.info("task %s: %s %s", task.task_id, result.status, result.error or "")
        self.spool.put(task.task_id, result.to_wire())
        del result
        await self._report(task.task_id)

    def _deliver(self, task_id: str, result: Result) -> None:
        self.spool.put(task_id, result.to_wire())
        self._start(self._report(task_id))

    async def _report(self, task_id: str) -> None:
        """POST the spooled result until the server has it (2xx), forgets the task (404/410) or rejects it.
        The first attempt carries the next poll when the polls loop waits for it (`_carry`)."""
        carried = self._carry()
        try:
            await self._deliver_spooled(task_id, carried)
        finally:
            _poll_by_itself(carried)

    async def _deliver_spooled(self, task_id: str, carried: "asyncio.Future[dict[str, Any] | None] | None") -> None:
        backoff = self.retry.backoff(self.log, f"task {task_id}: result not delivered")
        while True:
            result = self.spool.get(task_id)
            if result is None:
                return
            try:
                if carried is not None and not carried.done():
                    if len(result) <= CARRY_MAX:
                        carried.set_result(await self.conn.report(task_id, result, wait=self.poll_wait_s))
                        break
                    _poll_by_itself(carried)  # too large to hold through a wait
                await self.conn.report(task_id, result)
                break
            except ServerError as exc:
                if exc.status in GONE:
                    self.log.warning("task %s: the server no longer knows it; result dropped", task_id)
                    break
                smaller = shrunk(result) if exc.status == TOO_LARGE else None
                if smaller is not None:
                    self.log.warning("task %s: result too large for the server; sending less output", task_id)
                    self.spool.put(task_id, smaller)
                    continue
                if exc.status in PERMANENT or exc.status == TOO_LARGE:
                    self.log.error("task %s: result rejected: %s", task_id, exc)
                    break
                error: Exception = exc
            except (httpx.HTTPError, ValueError) as exc:
                error = exc
            _poll_by_itself(carried)
            del result
            await backoff.wait(error)
        self.spool.done(task_id)
