"""Which processes belong to a task, and the agent as subreaper of their orphans."""

import subprocess
import sys
import textwrap
from pathlib import Path

from opencoc.agent.descendants import Proc, members

ROOT = 4_000_100
OTHER = 4_000_900


def _p(pid: int, ppid: int, pgid: int | None = None, sid: int | None = None, state: str = "S", start: int = 7) -> Proc:
    return Proc(pid, ppid, pgid or pid, sid or pid, state, start)


PROCS = {
    p.pid: p
    for p in [
        _p(ROOT, 1),
        _p(ROOT + 1, ROOT, ROOT, ROOT),  # a child of the script
        _p(ROOT + 2, ROOT + 1, ROOT, ROOT),  # a grandchild
        _p(ROOT + 3, 1, sid=ROOT),  # re-parented, still in the session
        _p(ROOT + 4, 1, pgid=ROOT),  # re-parented, still in the process group
        _p(ROOT + 5, 1),  # detached (setsid) and re-parented: found only through `known`
        _p(ROOT + 6, ROOT + 5),  # ... and its child
        _p(ROOT + 7, ROOT, state="Z"),  # already dead
        _p(OTHER, 1),  # another task
        _p(OTHER + 1, OTHER, OTHER, OTHER),
    ]
}


def test_a_task_is_its_tree_session_and_group_but_nothing_else() -> None:
    assert members(PROCS, ROOT, "task-x", {}) == {ROOT, ROOT + 1, ROOT + 2, ROOT + 3, ROOT + 4}


def test_a_process_seen_before_stays_a_member_with_its_children_unless_its_pid_was_reused() -> None:
    assert {ROOT + 5, ROOT + 6} <= members(PROCS, ROOT, "task-x", {ROOT + 5: 7})
    assert ROOT + 5 not in members(PROCS, ROOT, "task-x", {ROOT + 5: 8})


CHILD = textwrap.dedent(
    """
    import os, subprocess
    from opencoc.agent import descendants
    from harness.polling import wait_for

    def state(pid):
        proc = descendants.read(pid)
        return proc and (proc.ppid, proc.state)

    assert descendants.become_subreaper()
    script = "(setsid sleep 300 >/dev/null 2>&1 & echo $!) &"
    orphan = int(subprocess.run(["sh", "-c", script], capture_output=True, text=True).stdout)
    def adopted():  # the subshell exits, then the kernel re-parents the sleep
        return (state(orphan) or (0,))[0] == os.getpid()

    wait_for(adopted, "the orphan to be re-parented to us", 10, 0.001, lambda: str(state(orphan)))
    os.kill(orphan, 9)
    wait_for(lambda: state(orphan) == (os.getpid(), "Z"), "the killed orphan to be a zombie", 10, 0.001)
    assert descendants.reap_orphans() >= 1  # the sleep, and the subshell that started it if it outlived sh
    assert state(orphan) is None
    print("reaped")
    """
)
REPO = Path(__file__).resolve().parents[3]  # where `tests.support` imports from


def test_the_agent_adopts_and_reaps_the_orphans_of_its_tasks() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, timeout=60, cwd=REPO)
    assert done.stdout == "reaped\n", done.stderr
