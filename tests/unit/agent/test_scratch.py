"""Task scripts are written on a RAM-backed filesystem when the host has one."""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from opencoc.agent.executor import Execution, Task
from opencoc.agent.scratch import default_scratch, filesystem, remove_stale

MOUNTINFO = """\
22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw
25 22 0:21 / /dev rw,nosuid shared:2 - devtmpfs udev rw
27 25 0:23 / /dev/shm rw,nosuid,nodev shared:4 - tmpfs tmpfs rw
30 22 0:25 / /run rw,nosuid,nodev shared:5 - tmpfs tmpfs rw,mode=755
31 22 0:26 / /tmp rw - ext4 /dev/vdb rw
"""


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/dev/shm", "tmpfs"),
        ("/dev/shm/x/y", "tmpfs"),
        ("/dev/shmem", "devtmpfs"),  # a sibling whose name starts alike is not under /dev/shm
        ("/run/opencoc", "tmpfs"),
        ("/tmp", "ext4"),
        ("/var/tmp", "ext4"),
    ],
)
def test_the_filesystem_of_a_path_is_its_longest_mount_point(path: str, kind: str) -> None:
    assert filesystem(Path(path), MOUNTINFO) == kind


def _mount_type(path: Path) -> str | None:
    return filesystem(path.resolve(), Path("/proc/self/mountinfo").read_text())


def test_dev_shm_is_the_default_where_it_is_a_tmpfs() -> None:
    if _mount_type(Path("/dev/shm")) != "tmpfs":
        pytest.fail("this host has no tmpfs on /dev/shm: the default cannot be checked here")
    assert default_scratch() == Path("/dev/shm").resolve()


def test_a_directory_on_disk_or_missing_is_not_a_default(tmp_path: Path) -> None:
    if _mount_type(tmp_path) in ("tmpfs", "ramfs"):
        pytest.fail(f"{tmp_path} is on a tmpfs here: it cannot stand for a disk")
    assert default_scratch(tmp_path) is None
    assert default_scratch(tmp_path / "missing") is None


def test_the_script_runs_from_a_private_directory_under_the_scratch_dir_removed_afterwards(tmp_path: Path) -> None:
    task = Task("t-1", "SHELL", 'echo "$0"; stat -c %a "$(dirname "$0")"')
    result = asyncio.run(Execution(task, scratch=tmp_path).run())
    script, mode = result.output.split()
    assert Path(script).parent.parent == tmp_path and Path(script).parent.name.startswith("opencoc-task-")
    assert mode == "700"
    assert list(tmp_path.iterdir()) == []


def test_an_agent_refuses_a_scratch_dir_it_cannot_use(tmp_path: Path) -> None:
    argv = [sys.executable, "-m", "opencoc", "agent", "--state-dir", str(tmp_path / "state")]
    done = subprocess.run(
        [*argv, "--server", "http://127.0.0.1:9", "--scratch-dir", str(tmp_path / "missing")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert done.returncode == 2
    assert f"--scratch-dir {tmp_path / 'missing'} must be a directory the agent can write" in done.stderr


def test_directories_left_by_agents_that_are_gone_are_removed_and_no_others(tmp_path: Path) -> None:
    dead_pid = subprocess.Popen(["true"])  # an agent that is gone: its pid names no process any more
    dead_pid.wait()
    ns = os.stat("/proc/self/ns/pid").st_ino
    left = tmp_path / f"opencoc-task-{ns}-{dead_pid.pid}-abc"
    left.mkdir()
    (left / "script.py").write_text("token = 's3cret'")
    live = tmp_path / f"opencoc-task-{ns}-{os.getpid()}-def"  # this process: an agent still running
    live.mkdir()
    unrelated = tmp_path / f"opencoc-task-{ns}-notapid-x"
    unrelated.mkdir()
    other_namespace = tmp_path / f"opencoc-task-{ns + 1}-{dead_pid.pid}-x"  # a container's: not checkable here
    other_namespace.mkdir()
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep").write_text("")
    (tmp_path / f"opencoc-task-{ns}-{dead_pid.pid}-link").symlink_to(target)
    assert remove_stale(tmp_path) == 1
    assert not left.exists()
    assert live.exists() and unrelated.exists() and other_namespace.exists() and (target / "keep").exists()


def test_a_task_directory_names_its_agent() -> None:
    task = Task("t-2", "SHELL", 'basename "$(dirname "$0")"')
    result = asyncio.run(Execution(task).run())
    assert result.output.startswith(f"opencoc-task-{os.stat('/proc/self/ns/pid').st_ino}-{os.getpid()}-")
