"""Where a task's script file is written: a RAM-backed directory when the host has one.

A script file lives as long as its task. On a tmpfs it never reaches the disk (a PYTHON script
carries its parameters as literals, sensitive ones too), and starting or ending a task never waits
for the host's disk: with the files in /tmp on ext4, creating and removing them waited for the
journal while a database on the same disk synced (bench/fanout.py, 200 hosts: 0.65 s against
0.58 s with them on /dev/shm).
"""

import os
import shutil
import stat
import tempfile
from pathlib import Path

RAM_FILESYSTEMS = ("tmpfs", "ramfs")
SHARED_MEMORY = Path("/dev/shm")
PREFIX = "opencoc-task-"


def _pid_namespace() -> str:
    """This process's pid namespace (its inode): a pid names a process only within it, and agents in
    containers sharing the host's /dev/shm have other namespaces."""
    try:
        return str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        return "0"


def prefix() -> str:
    """The name a task's directory starts with: it names the agent's pid namespace and pid, so a later agent
    can tell it is left over (`remove_stale`)."""
    return f"{PREFIX}{_pid_namespace()}-{os.getpid()}-"


def filesystem(path: Path, mountinfo: str) -> str | None:
    """The type of the filesystem `path` lies on, from the text of /proc/self/mountinfo."""
    best, found = "", None
    for line in mountinfo.splitlines():
        left, _, right = line.partition(" - ")
        fields, kind = left.split(), right.split()[:1]
        if len(fields) < 5 or not kind:
            continue
        mount_point = fields[4]
        inside = str(path) == mount_point or str(path).startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, found = mount_point, kind[0]
    return found


def default_scratch(candidate: Path = SHARED_MEMORY) -> Path | None:
    """`candidate` (/dev/shm) when it is a RAM-backed directory the agent may write, else None (the system's
    temporary directory)."""
    try:
        real = candidate.resolve(strict=True)
        mountinfo = Path("/proc/self/mountinfo").read_text()
    except OSError:
        return None
    if filesystem(real, mountinfo) in RAM_FILESYSTEMS and os.access(real, os.W_OK | os.X_OK):
        return real
    return None


def remove_stale(directory: Path | None) -> int:
    """Remove the task directories that agents killed while their tasks ran left in `directory` (None: the
    system's temporary directory): a script there may carry parameter values. Only real directories whose
    agent is gone (in this pid namespace), and the agent's own or, for a root agent, any user's. Returns how
    many were removed."""
    removed = 0
    ours = f"{PREFIX}{_pid_namespace()}-"  # another namespace's pids cannot be checked here: left alone
    for path in (directory or Path(tempfile.gettempdir())).glob(f"{ours}*-*"):
        pid = path.name.removeprefix(ours).split("-")[0]
        try:
            info = path.lstat()
        except OSError:
            continue
        mine = info.st_uid == os.geteuid() or os.geteuid() == 0
        if pid.isdigit() and stat.S_ISDIR(info.st_mode) and mine and not Path("/proc", pid).exists():
            shutil.rmtree(path, ignore_errors=True)
            removed += not path.exists()
    return removed
