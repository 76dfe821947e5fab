"""A timeout or a cancel kills every process a script started, detached or not, on a real agent.

The agents here run with `--task-cgroups off`, so what is tested is the path every host has: the
agent as child subreaper, the /proc walk and the reaping of orphans. The cgroup v2 path is tested
too where the host offers one.
"""

import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest

from opencoc.agent.cgroup import TaskCgroups
from tests.e2e.jobs.support import Api, Host, wait_for

pytestmark = pytest.mark.timeout(120)


def _sleeps(seconds: int) -> dict[int, tuple[int, str]]:
    """`sleep <seconds>` processes now: pid -> (parent pid, state)."""
    found = {}
    for entry in os.scandir("/proc"):
        try:
            argv = Path(entry.path, "cmdline").read_bytes().split(b"\0")
            stat = Path(entry.path, "stat").read_text().rpartition(")")[2].split()
        except (OSError, ValueError):
            continue
        if argv[:2] == [b"sleep", str(seconds).encode()]:
            found[int(entry.name)] = (int(stat[1]), stat[0])
    return found


def _script(seconds: int) -> str:
    """Three escapes: a child in a new session, a new-session grandchild whose parent exits at
    once (re-parented), and a double fork; then the script waits."""
    return f"setsid sleep {seconds} & (setsid sleep {seconds} &); (sh -c 'sleep {seconds} &' &); echo started; sleep 60"


@pytest.fixture(scope="module")
def walk_host(add_hosts: Callable[..., list[Host]]) -> Host:
    (host,) = add_hosts(1, "--task-cgroups", "off")
    return host


def _started(seconds: int, agent: Host) -> dict[int, tuple[int, str]]:
    running = wait_for(lambda: len(s := _sleeps(seconds)) == 3 and s, "the script's three detached sleeps")
    orphans = [pid for pid, (ppid, _) in running.items() if ppid == agent.proc.pid]
    assert len(orphans) == 2, f"the agent did not adopt the orphans as their subreaper: {running}"
    return running


def _all_gone(seconds: int) -> None:
    """None left, not even as a zombie: the agent killed and reaped them."""
    wait_for(lambda: not _sleeps(seconds), f"every `sleep {seconds}` to be killed and reaped", timeout=15)


def test_a_timeout_kills_detached_and_re_parented_children(api: Api, walk_host: Host) -> None:
    seconds = random.randrange(600_000, 700_000)
    uuid = api.execute(api.script(_script(seconds)), [[walk_host]], timeout=5)
    _started(seconds, walk_host)
    api.wait_status(uuid, "ABNORMAL", "FINISHED")
    inst = api.instance(uuid)
    assert inst["status"] == "ABNORMAL" and "timed out after 5 s" in inst["message"]
    _all_gone(seconds)


def test_a_cancel_kills_detached_and_re_parented_children(api: Api, walk_host: Host) -> None:
    seconds = random.randrange(700_000, 800_000)
    uuid = api.execute(api.script(_script(seconds)), [[walk_host]])
    _started(seconds, walk_host)
    api.operate(uuid, "CANCEL_INSTANCE", instance_id=api.instance(uuid)["id"])
    api.wait_status(uuid, "ABNORMAL", "FINISHED", "CANCELED")
    assert api.instance(uuid)["status"] == "CANCELED"
    _all_gone(seconds)


@pytest.mark.skipif(
    TaskCgroups.detect() is None, reason="needs a writable cgroup v2 hierarchy with cgroup.kill (Linux 5.14+)"
)
def test_a_task_cgroup_also_kills_a_child_that_cleared_its_environment(
    api: Api, add_hosts: Callable[..., list[Host]]
) -> None:
    (host,) = add_hosts(1, "--task-cgroups", "auto")
    seconds = random.randrange(800_000, 900_000)
    script = f"(env -i setsid sleep {seconds} &); echo started; sleep 60"
    uuid = api.execute(api.script(script), [[host]], timeout=5)
    wait_for(lambda: _sleeps(seconds), "the detached sleep")
    assert api.wait_status(uuid, "ABNORMAL", "FINISHED")["status"] == "ABNORMAL"
    _all_gone(seconds)
