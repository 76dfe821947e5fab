"""A cgroup v2 directory per task where the host offers one: the kernel then kills all of it at once.

Used when the agent's own cgroup (the `0::` line of /proc/self/cgroup) lies on a cgroup2 mount,
the agent may create directories in it and the kernel has `cgroup.kill` (Linux 5.14+); under
systemd that needs `Delegate=yes` in the agent's unit. The task's first process is moved in as
soon as it has started, so what it starts is born inside; anything forked before the move is
still found by the /proc walk (descendants.py), which runs as well. Hosts with cgroup v1 only
(or `--task-cgroups off`) use the walk alone.
"""

import asyncio
import contextlib
import itertools
import logging
import os
from pathlib import Path

log = logging.getLogger("opencoc.agent")
_numbers = itertools.count(1)


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

    def add(self, pid: int) -> bool:
        try:
            (self.path / "cgroup.procs").write_text(str(pid))
        except OSError as exc:
            log.warning("could not move process %d into %s: %s", pid, self.path, exc)
            return False
        return True

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            (self.path / "cgroup.kill").write_text("1")

    async def remove(self) -> None:
        """Remove the directory; live processes (daemons a finished task started) go to the agent's cgroup."""
        for _ in range(100):
            with contextlib.suppress(OSError):
                for pid in (self.path / "cgroup.procs").read_text().split():
                    with contextlib.suppress(OSError):
                        (self.path.parent / "cgroup.procs").write_text(pid)
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
        probe = cls(base).create()
        if probe is None:
            return None
        usable = (probe.path / "cgroup.kill").exists()
        probe.path.rmdir()
        return cls(base) if usable else None

    def create(self) -> TaskCgroup | None:
        path = self.base / f"opencoc-task-{os.getpid()}-{next(_numbers)}"
        try:
            path.mkdir()
        except OSError:
            return None
        return TaskCgroup(path)
