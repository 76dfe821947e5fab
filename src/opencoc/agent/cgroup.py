"""A cgroup v2 directory per task where the host offers one: the kernel then kills all of it at once.

Used when the agent's own cgroup (the `0::` line of /proc/self/cgroup) lies on a cgroup2 mount,
the agent may create directories in it and move itself in and out, and the kernel has `cgroup.kill`
(Linux 5.14+); under systemd that needs `Delegate=yes` in the agent's unit. The agent steps into the
task's directory for the instant it forks the task's first process, so that process is born inside
and nothing it starts can be outside (no wait for a move after the start). The /proc walk
(descendants.py) runs as well. Hosts with cgroup v1 only (or `--task-cgroups off`) use the walk alone.
"""

import asyncio
import contextlib
import itertools
import logging
import os
from collections.abc import Iterator
from pathlib import Path

log = logging.getLogger("opencoc.agent")
_numbers = itertools.count(1)


def _move(pid: int, directory: Path) -> None:
    """Move the process into the cgroup `directory` (OSError if the kernel refuses)."""
    (directory / "cgroup.procs").write_text(str(pid))


def _holds(directory: Path, pid: int) -> bool:
    try:
        return str(pid) in (directory / "cgroup.procs").read_text().split()
    except OSError:
        return False


def _own_directory() -> Path | None:
    """The agent's cgroup v2 directory, if it has one."""
    try:
        own = next(line[3:] for line in Path("/proc/self/cgroup").read_text().splitlines() if line.startswith("0::"))
        mounts = Path("/proc/self/mountinfo").read_text().splitlines()
    except (OSError, StopIteration):
        return None
    for line in mounts:
        left, _, right = line.partition(" - ")
        fields = left.split()
        if right.split()[:1] == ["cgroup2"] and len(fields) > 4 and fields[3] == "/":
            return Path(fields[4]) / own.lstrip("/")
    return None


class TaskCgroup:
    """One task's directory."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def kill(self) -> None:
        """Kill every process in it, unless the agent itself is still there (it could not move back)."""
        if _holds(self.path, os.getpid()):
            log.error("not killing %s: the agent itself is inside", self.path)
            return
        with contextlib.suppress(OSError):
            (self.path / "cgroup.kill").write_text("1")

    async def remove(self) -> None:
        """Remove the directory; live processes (daemons a finished task started) go to the agent's cgroup."""
        for _ in range(100):
            with contextlib.suppress(OSError):
                for pid in (self.path / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):
                        _move(int(pid), self.path.parent)
            try:
                self.path.rmdir()
                return
            except FileNotFoundError:
                return
            except OSError:  # killed processes still exiting, or one forked while moving
                await asyncio.sleep(0.01)
        log.warning("could not remove %s", self.path)


def _remove_stale(base: Path) -> None:
    """Remove the empty task directories of agents that are gone (killed before they could)."""
    for path in base.glob("opencoc-task-*-*"):
        pid = path.name.split("-")[2]
        if pid.isdigit() and not Path("/proc", pid).exists():
            with contextlib.suppress(OSError):  # not empty: its processes still run
                path.rmdir()


class TaskCgroups:
    """Makes task directories inside the agent's own cgroup."""

    def __init__(self, base: Path) -> None:
        self.base = base

    @classmethod
    def detect(cls) -> "TaskCgroups | None":
        """The agent's cgroup v2 directory when tasks can have their own there, else None."""
        base = _own_directory()
        if base is None:
            return None
        _remove_stale(base)
        cgroups = cls(base)
        probe = cgroups.create()
        if probe is None:
            return None
        try:
            _move(os.getpid(), probe.path)
            _move(os.getpid(), base)
            usable = (probe.path / "cgroup.kill").exists()
        except OSError:
            usable = False
        with contextlib.suppress(OSError):
            probe.path.rmdir()
        return cgroups if usable else None

    def create(self) -> TaskCgroup | None:
        path = self.base / f"opencoc-task-{os.getpid()}-{next(_numbers)}"
        try:
            path.mkdir()
        except OSError:
            return None
        return TaskCgroup(path)

    @contextlib.contextmanager
    def inside(self, cgroup: TaskCgroup) -> Iterator[None]:
        """The agent itself in `cgroup` for the block, so the process it forks there is born inside.

        Keep the block to the fork (nothing in it may await). If the agent cannot move in, the process
        starts in the agent's cgroup (the /proc walk still finds it); if it cannot move back, OSError.
        """
        try:
            _move(os.getpid(), cgroup.path)
            entered = True
        except OSError as exc:
            log.warning("could not move the agent into %s: %s", cgroup.path, exc)
            entered = False
        try:
            yield
        finally:
            if entered:
                _move(os.getpid(), self.base)
