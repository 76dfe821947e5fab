"""`python -m opencoc.agent` (what `opencoc agent` execs): options, enrolment, and the run loop.

A single agent and `--simulate N` share one code path: N identities (one for a real agent),
each with its own state directory and runner, on one asyncio loop and one HTTP client.
"""

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import httpx

try:
    import uvloop
except ImportError:  # a platform uvloop does not support
    uvloop = None  # type: ignore[assignment]

from opencoc.agent import descendants, facts, identity
from opencoc.agent.cgroup import TaskCgroups
from opencoc.agent.connection import AgentConnection, ServerError, enroll, make_client, tls_context
from opencoc.agent.identity import Identity
from opencoc.agent.loop import AgentRunner
from opencoc.agent.retry import DEFAULT_POLICY, RetryPolicy
from opencoc.agent.scratch import default_scratch, remove_stale
from opencoc.agent.thread_per_call import ThreadPerCall

ENROL_CONCURRENCY = 32
# uvloop where it is installed (Linux, macOS): a simulated fleet spent 6% less CPU per task on it
# (bench/fanout.py, 75-78% against 80-85% of a core); elsewhere asyncio's own loop.
run_loop: Callable[[Coroutine[Any, Any, None]], None] = asyncio.run if uvloop is None else uvloop.run


class AgentFailure(Exception):
    """The agent cannot go on (no identity and no token, enrolment refused)."""


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="opencoc agent", description="Run the OpenCOC agent on this host.")
    p.add_argument("--server", help="Server URL, e.g. http://coc.example:8000 (default: the one it enrolled with).")
    p.add_argument("--token", default=os.environ.get("OPENCOC_AGENT_TOKEN"), help="Enrolment token (first run only).")
    p.add_argument("--state-dir", required=True, type=Path, help="Where the identity is kept.")
    p.add_argument("--region", help="Region id to report.")
    p.add_argument("--zone", help="Availability zone id to report.")
    p.add_argument("--hostname", help="Host name to report (default: this host's).")
    p.add_argument("--simulate", type=int, default=0, metavar="N", help="Run N agent identities (tests, load).")
    p.add_argument("--heartbeat", type=float, default=10.0, metavar="S", help="Seconds between heartbeats.")
    p.add_argument(
        "--poll-wait", type=float, default=30.0, metavar="S", help="Long-poll duration in seconds (the server caps it)."
    )
    p.add_argument(
        "--task-cgroups",
        choices=("auto", "off"),
        default="auto",
        help="Give each task a cgroup v2 directory when the host has one (auto), or never (off).",
    )
    p.add_argument(
        "--scratch-dir",
        type=Path,
        help="Where task scripts are written while they run (default: /dev/shm when it is a tmpfs, else the"
        " system's temporary directory).",
    )
    p.add_argument("--log-level", default="INFO")
    opts = p.parse_args(argv)
    if opts.simulate < 0:
        p.error("--simulate must be >= 0")
    if opts.scratch_dir is not None and not (opts.scratch_dir.is_dir() and os.access(opts.scratch_dir, os.W_OK)):
        p.error(f"--scratch-dir {opts.scratch_dir} must be a directory the agent can write")
    return opts


async def _enrol(
    client: httpx.AsyncClient,
    state_dir: Path,
    token: str | None,
    host_facts: dict[str, Any],
    server: str,
    retry: RetryPolicy = DEFAULT_POLICY,
    *,
    durable: bool = True,
) -> Identity:
    """The identity saved in `state_dir`, enrolling with `token` the first time."""
    saved = identity.load(state_dir)
    if saved is not None:
        return saved
    if not token:
        raise AgentFailure(f"{state_dir} holds no identity yet: pass --token (an enrolment token) to enrol")
    backoff = retry.backoff(logging.getLogger("opencoc.agent"), "enrolment failed")
    while True:
        try:
            raw = await enroll(client, token, host_facts)
            break
        except ServerError as exc:
            if exc.status < 500:
                raise AgentFailure(f"enrolment refused: {exc}") from None
            error: Exception = exc
        except httpx.HTTPError as exc:
            error = exc
        await backoff.wait(error)
    created = Identity(raw["agent_sn"], raw["agent_secret"], raw["resource_id"], server)
    # Off the event loop: the fsync takes milliseconds, and N simulated identities enrol at once.
    await asyncio.to_thread(identity.save, state_dir, created, durable=durable)
    return created


def _slots(opts: argparse.Namespace, server: str) -> list[tuple[Path, dict[str, Any], str]]:
    """(state dir, facts, logger name) of each identity this process runs."""
    host = facts.collect(server=server, region_id=opts.region, zone_id=opts.zone, hostname=opts.hostname)
    if not opts.simulate:
        return [(opts.state_dir, host, "opencoc.agent")]
    return [
        (opts.state_dir / f"agent-{i}", {**host, "hostname": f"{host['hostname']}-sim-{i:03d}"}, f"opencoc.agent.{i}")
        for i in range(opts.simulate)
    ]


async def _run(opts: argparse.Namespace) -> None:
    asyncio.get_running_loop().set_default_executor(ThreadPerCall())
    saved = identity.load(opts.state_dir) if not opts.simulate else None
    server = opts.server or (saved.server if saved else None)
    if not server:
        raise AgentFailure("--server is required on the first run")
    slots = _slots(opts, server)
    tls = tls_context(server)
    cgroups = _isolation(opts)
    scratch = opts.scratch_dir or default_scratch()
    agent_log = logging.getLogger("opencoc.agent")
    agent_log.info("task scripts are written under %s", scratch or tempfile.gettempdir())
    if removed := remove_stale(scratch):
        agent_log.info("removed %d task directories left by agents that are gone", removed)
    gate = asyncio.Semaphore(ENROL_CONCURRENCY)

    def host_facts_now() -> dict[str, Any]:
        return facts.collect(server=server, region_id=opts.region, zone_id=opts.zone, hostname=opts.hostname)

    async with contextlib.AsyncExitStack() as stack:

        async def start(state_dir: Path, host_facts: dict[str, Any], name: str) -> AgentRunner:
            client = await stack.enter_async_context(make_client(server, tls=tls))
            async with gate:
                ident = await _enrol(client, state_dir, opts.token, host_facts, server, durable=not opts.simulate)
            conn = AgentConnection(client, ident)
            log = logging.getLogger(name)
            return AgentRunner(
                conn,
                host_facts,
                state_dir,
                heartbeat_s=opts.heartbeat,
                poll_wait_s=opts.poll_wait,
                cgroups=cgroups,
                scratch=scratch,
                facts_source=None if opts.simulate else host_facts_now,  # a simulated host's facts never change
                log=log,
            )

        runners = await asyncio.gather(*(start(*slot) for slot in slots))
        logging.getLogger("opencoc.agent").info(
            "%d agent identit%s enrolled; serving %s", len(runners), "y" if len(runners) == 1 else "ies", server
        )
        work = [runner.run(stagger=bool(opts.simulate)) for runner in runners]
        await _until_signal([descendants.reap_forever(), *work])


def _isolation(opts: argparse.Namespace) -> TaskCgroups | None:
    """Become the subreaper of the tasks' orphans; a cgroup per task too where the host allows it."""
    log = logging.getLogger("opencoc.agent")
    if not descendants.become_subreaper():
        log.warning("could not become a child subreaper: orphans of tasks are re-parented to init")
    cgroups = TaskCgroups.detect() if opts.task_cgroups == "auto" else None
    log.info("task processes: subreaper and /proc walk%s", f", cgroup v2 under {cgroups.base}" if cgroups else "")
    return cgroups


async def _until_signal(work: list[Any]) -> None:
    """Run the runners until SIGTERM/SIGINT (or one of them fails), then cancel them all."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    tasks = [asyncio.ensure_future(w) for w in work]
    stopper = asyncio.ensure_future(stop.wait())
    done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for task in [stopper, *tasks]:
        task.cancel()
    await asyncio.gather(stopper, *tasks, return_exceptions=True)
    for task in done:
        if task is not stopper and not task.cancelled() and task.exception() is not None:
            raise task.exception()


def main(argv: list[str] | None = None) -> None:
    opts = parse(argv)
    logging.basicConfig(
        level=opts.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    try:
        run_loop(_run(opts))
    except AgentFailure as exc:
        sys.stderr.write(f"error: {exc}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
