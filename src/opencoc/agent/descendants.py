"""Every process a task started, found and killed even after it left the task's session.

A script can detach children (`setsid cmd &`, a double fork): they leave its session and
process group, and their parents exit. The agent therefore:

- makes itself a child subreaper (`prctl(PR_SET_CHILD_SUBREAPER)`), so that orphans of its
  tasks are re-parented to the agent, not to init, and the agent reaps them when they exit;
- on a timeout or cancel, walks /proc and takes as the task's every process that descends from
  the task's first process, is in its session or process group, or carries the task's
  `OPENCOC_TASK_ID` in its environment (every child inherits it, whatever its session or parent),
  and everything descending from those. Each is stopped (SIGSTOP: a stopped process cannot fork),
  the walk repeats until it finds nothing new, then all of them are killed (SIGKILL).

Signals go through a pidfd opened after checking the process's start time, so a pid reused by an
unrelated process in between is never signalled. A process that both clears its environment and
leaves the task's tree before the kill escapes the walk; a cgroup v2 directory (cgroup.py) catches
it where the host has one.
"""

import asyncio
import contextlib
import ctypes
import os
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PR_SET_CHILD_SUBREAPER = 36
PROC = Path("/proc")
MAX_ROUNDS = 100
REAP_EVERY_S = 5.0
TASK_ID_VAR = "OPENCOC_TASK_ID"

_state = {"subreaper": False, "spawning": 0}
_managed: set[int] = set()  # pids the executor waits for: never reaped here


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgid: int
    sid: int
    state: str
    start: int  # clock ticks after boot: tells a reused pid apart


def become_subreaper() -> bool:
    """Make this process the reaper of its descendants' orphans (Linux 3.4+); False if refused."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        status: int = libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        done = status == 0
    except (OSError, AttributeError):
        done = False
    _state["subreaper"] = done
    return done


def read(pid: int) -> Proc | None:
    """The process's /proc/<pid>/stat, or None when it is gone."""
    try:
        raw = (PROC / str(pid) / "stat").read_bytes()
    except OSError:
        return None
    fields = raw[raw.rindex(b")") + 2 :].split()  # the command name may hold spaces and parentheses
    return Proc(pid, int(fields[1]), int(fields[2]), int(fields[3]), fields[0].decode(), int(fields[19]))


def snapshot() -> dict[int, Proc]:
    procs = {}
    for entry in os.scandir(PROC):
        if entry.name.isdigit() and (proc := read(int(entry.name))) is not None:
            procs[proc.pid] = proc
    return procs


def _carries(pid: int, marker: bytes) -> bool:
    try:
        environ = (PROC / str(pid) / "environ").read_bytes()
    except OSError:  # gone, or another user's process under a non-root agent
        return False
    return marker in b"\0" + environ


def members(procs: dict[int, Proc], root: int, task_id: str, known: dict[int, int]) -> set[int]:
    """The live processes of the task in `procs` (see the module's docstring); `known`: pid -> start."""
    marker = f"\0{TASK_ID_VAR}={task_id}\0".encode()
    found = {
        p.pid
        for p in procs.values()
        if known.get(p.pid) == p.start or root in (p.pid, p.sid, p.pgid) or _carries(p.pid, marker)
    }
    children: dict[int, list[int]] = {}
    for p in procs.values():
        children.setdefault(p.ppid, []).append(p.pid)
    stack = list(found)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    found.discard(os.getpid())
    return {pid for pid in found if procs[pid].state != "Z"}


def _signal(proc: Proc, sig: int) -> None:
    """Send `sig` to `proc` if that pid still is that process."""
    try:
        fd: int | None = os.pidfd_open(proc.pid)
    except ProcessLookupError:
        return
    except OSError:  # a kernel before 5.3: a plain kill after the same check
        fd = None
    try:
        now = read(proc.pid)
        if now is not None and now.start == proc.start:
            if fd is None:
                os.kill(proc.pid, sig)
            else:
                signal.pidfd_send_signal(fd, sig)
    except (ProcessLookupError, PermissionError):  # gone; another user's under a non-root agent
        pass
    finally:
        if fd is not None:
            os.close(fd)


def kill_task(root: int, task_id: str) -> None:
    """Stop, then kill, every process of the task (the caller reaps the orphans once they are dead)."""
    known: dict[int, int] = {}
    stopped: list[Proc] = []
    for _ in range(MAX_ROUNDS):
        procs = snapshot()
        new = [procs[pid] for pid in members(procs, root, task_id, known) if known.get(pid) != procs[pid].start]
        if not new:
            break
        for proc in new:
            _signal(proc, signal.SIGSTOP)
            known[proc.pid] = proc.start
            stopped.append(proc)
    for proc in stopped:
        _signal(proc, signal.SIGKILL)


@contextlib.contextmanager
def spawning() -> Iterator[set[int]]:
    """Around starting a task's process: add its pid to the yielded set, which the reaper leaves alone.

    While a start is under way the reaper does nothing: the new child may already have exited
    before its pid is known, and the executor must be the one to collect its status.
    """
    _state["spawning"] += 1
    try:
        yield _managed
    finally:
        _state["spawning"] -= 1


def release(pid: int) -> None:
    """The executor has collected `pid`."""
    _managed.discard(pid)


def reap_orphans() -> int:
    """Collect exited orphans re-parented to this agent (never a task's own process); how many."""
    if not _state["subreaper"] or _state["spawning"]:
        return 0
    me, reaped = os.getpid(), 0
    for proc in snapshot().values():
        if proc.ppid == me and proc.state == "Z" and proc.pid not in _managed:
            with contextlib.suppress(ChildProcessError):
                reaped += os.waitpid(proc.pid, os.WNOHANG)[0] == proc.pid
    return reaped


async def reap_forever(every_s: float = REAP_EVERY_S) -> None:
    """Reap orphans (daemons a finished task left, once they exit) every few seconds."""
    while True:
        await asyncio.sleep(every_s)
        reap_orphans()
