"""The executor runs real subprocesses: users, params, masking, timeout, cancel, output cap."""

import asyncio
import os
import pickle
import pwd
import re
import subprocess
import sys
from pathlib import Path

import pytest

from harness.polling import wait_for
from opencoc.agent.cgroup import TaskCgroups
from opencoc.agent.env_names import CHANGES_BEHAVIOUR
from opencoc.agent.executor import MAX_ERROR, Execution, Param, Result, Task

IS_ROOT = os.geteuid() == 0


def _run(task: Task, cgroups: TaskCgroups | None = None) -> Result:
    return asyncio.run(Execution(task, cgroups=cgroups).run())


def _run_as(user: str, task: Task) -> Result:
    """Run the executor in a forked child that dropped to `user`: an agent started by that user."""
    entry = pwd.getpwnam(user)
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_fd)
            os.setgroups([])
            os.setgid(entry.pw_gid)
            os.setuid(entry.pw_uid)
            os.write(write_fd, pickle.dumps(_run(task)))
        finally:
            os._exit(0)
    os.close(write_fd)
    with os.fdopen(read_fd, "rb") as pipe:
        data = pipe.read()
    os.waitpid(pid, 0)
    return pickle.loads(data)


def _task(content: str, script_type: str = "SHELL", timeout: int = 30, user: str = "", params: tuple = ()) -> Task:  # type: ignore[type-arg]
    return Task("t-1", script_type, content, params, user, timeout)


def _running(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def test_shell_exit_zero_is_finished_with_output() -> None:
    result = _run(_task("echo hello; echo oops >&2"))
    assert (result.status, result.exit_code, result.error) == ("FINISHED", 0, None)
    assert result.output == "hello\noops\n"
    assert result.finished_at >= result.started_at


def test_non_zero_exit_is_abnormal_with_the_code() -> None:
    result = _run(_task("echo partial; exit 7"))
    assert (result.status, result.exit_code, result.output) == ("ABNORMAL", 7, "partial\n")
    assert result.error == "exited with code 7"


def test_python_runs_with_python3() -> None:
    result = _run(_task("import sys\nprint(sys.version_info[0])", "PYTHON"))
    assert (result.status, result.output) == ("FINISHED", "3\n")


def test_shell_params_are_exported_and_sensitive_values_masked() -> None:
    params = (Param("name", "world"), Param("password", "s3cr3t-value", sensitive=True))
    result = _run(_task("echo hello ${name}; echo pw=$password; echo '${name}' \"${unknown}\"", params=params))
    assert result.status == "FINISHED"
    assert result.output == "hello world\npw=***\n${name} \n"


HOSTILE_VALUES = [
    "x\ntouch {m}",
    "x\rtouch {m}",
    "x\r\ntouch {m}",
    "x\vtouch {m}",
    "x\ftouch {m}",
    "x\x85touch {m}",
    "x\u2028touch {m}",
    "$(touch {m})",
    "`touch {m}`",
    "; touch {m}",
    "| touch {m}",
    "&& touch {m}",
    "|| touch {m}",
    "& touch {m} &",
    "> {m}",
    "' ; touch {m} ; '",
    '" ; touch {m} ; "',
    "${{IFS}}touch${{IFS}}{m}",
    "* ? [a-z] {{a,b}} ~ # !",
    r"\\ \n \t \x00 %s \\",
]


@pytest.mark.parametrize("template", HOSTILE_VALUES)
def test_a_shell_value_arrives_byte_exact_and_never_runs(template: str, tmp_path: Path) -> None:
    marker, out = tmp_path / "PWNED", tmp_path / "out"
    value = template.format(m=marker)
    script = 'printf %s "${v}" > "${out}"; echo ${v} > /dev/null; x=${v}; test -n "$x"'
    result = _run(_task(script, params=(Param("v", value), Param("out", str(out)))))
    assert result.status == "FINISHED", result
    assert out.read_bytes() == value.encode()
    assert not marker.exists(), f"{value!r} ran a command"


def test_a_parameter_named_like_a_variable_the_shell_reads_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    result = _run(_task(f"touch {marker}", params=(Param("greeting", "hi"), Param("LD_PRELOAD", "/tmp/x.so"))))
    assert (result.status, result.error) == ("ABNORMAL", f"parameter LD_PRELOAD {CHANGES_BEHAVIOUR}")
    assert not marker.exists()


def test_a_nul_in_a_shell_value_is_refused() -> None:
    result = _run(_task("echo never", params=(Param("v", "a\x00b"),)))
    assert (result.status, result.error) == ("ABNORMAL", "parameter v: the value holds a NUL or a lone surrogate")


def test_python_content_runs_as_the_server_placed_it() -> None:
    # The server places PYTHON parameters (scripts/python_params.py); the agent never rewrites the text.
    result = _run(_task("print('${v}')", "PYTHON", params=(Param("v", "'); print('injected"),)))
    assert (result.status, result.output) == ("FINISHED", "${v}\n")


def test_a_result_body_never_holds_nul_or_lone_surrogates_and_its_error_is_bounded() -> None:
    result = _run(_task("printf 'a\\000b\\377c'"))
    assert result.status == "FINISHED"
    assert result.to_wire()["output"] == "a\ufffdb\ufffdc"
    wire = Result("ABNORMAL", None, "x\ud800y", 1, 2, "e\x00\udfff" + "r" * 5000).to_wire()
    assert wire["output"] == "x\ufffdy"
    assert wire["error"] == "e\ufffd\ufffd" + "r" * (MAX_ERROR - 3)


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"
    result = _run(_task(f"sleep 300 & echo $! > {pidfile}; echo started; wait", timeout=1))
    assert (result.status, result.exit_code) == ("ABNORMAL", None)
    assert result.error == "timed out after 1 s" and result.output == "started\n"
    child = int(pidfile.read_text())
    assert not _running(child), f"background child {child} survived the timeout"


def test_cancel_kills_the_group_and_reports_canceled(tmp_path: Path) -> None:
    pidfile = tmp_path / "child.pid"

    async def scenario() -> Result:
        execution = Execution(_task(f"sleep 300 & echo $! > {pidfile}; wait", timeout=600))
        running = asyncio.ensure_future(execution.run())
        await asyncio.to_thread(wait_for, lambda: pidfile.exists() and pidfile.read_text().strip(), "the child's pid")
        execution.cancel()
        return await running

    result = asyncio.run(scenario())
    assert (result.status, result.error) == ("CANCELED", "canceled on request")
    assert not _running(int(pidfile.read_text()))


# A background child that leaves the session, one that also loses its parent (a subshell that
# exits), and a plain double fork; each writes its pid to a file in {d}.
DETACHED = (
    "setsid sleep 300 & echo $! > {d}/a; (setsid sleep 300 & echo $! > {d}/b);"
    " (sh -c 'sleep 300 & echo $! > {d}/c' &); "
)


def _pids(tmp_path: Path) -> list[int]:
    return [int((tmp_path / name).read_text()) for name in "abc"]


def test_timeout_kills_detached_and_double_forked_children(tmp_path: Path) -> None:
    result = _run(_task(DETACHED.format(d=tmp_path) + "echo started; sleep 60", timeout=1))
    assert (result.status, result.error) == ("ABNORMAL", "timed out after 1 s")
    survivors = [pid for pid in _pids(tmp_path) if _running(pid)]
    assert survivors == [], "detached children survived the timeout"


def test_cancel_kills_detached_and_double_forked_children(tmp_path: Path) -> None:
    async def scenario() -> Result:
        execution = Execution(_task(DETACHED.format(d=tmp_path) + f"touch {tmp_path}/go; sleep 60"))
        running = asyncio.ensure_future(execution.run())
        await asyncio.to_thread(wait_for, (tmp_path / "go").exists, "the script to start its children")
        execution.cancel()
        return await running

    assert asyncio.run(scenario()).status == "CANCELED"
    assert [pid for pid in _pids(tmp_path) if _running(pid)] == []


CGROUPS = TaskCgroups.detect()


@pytest.mark.skipif(CGROUPS is None, reason="needs a writable cgroup v2 hierarchy with cgroup.kill (Linux 5.14+)")
def test_a_task_cgroup_kills_a_child_that_cleared_its_environment_and_left(tmp_path: Path) -> None:
    # Out of reach of the /proc walk: new session, re-parented, no OPENCOC_TASK_ID. The cgroup has it.
    script = f"(env -i setsid sleep 300 & echo $! > {tmp_path}/a) ; echo started; sleep 60"
    result = _run(_task(script, timeout=1), CGROUPS)
    assert (result.status, result.output) == ("ABNORMAL", "started\n")
    assert not _running(int((tmp_path / "a").read_text()))
    assert CGROUPS is not None and not list(CGROUPS.base.glob(f"opencoc-task-{os.getpid()}-*"))


def _own_cgroup() -> str:
    return next(line for line in Path("/proc/self/cgroup").read_text().splitlines() if line.startswith("0::"))


@pytest.mark.skipif(CGROUPS is None, reason="needs a writable cgroup v2 hierarchy with cgroup.kill (Linux 5.14+)")
def test_a_task_is_in_its_cgroup_from_its_first_command_and_the_agent_back_in_its_own() -> None:
    before = _own_cgroup()
    result = _run(_task("grep ^0:: /proc/self/cgroup"), CGROUPS)
    assert result.status == "FINISHED"
    assert re.fullmatch(rf"0::/(.+/)?opencoc-task-{os.getpid()}-\d+\n", result.output), result.output
    assert _own_cgroup() == before


@pytest.mark.skipif(CGROUPS is None, reason="needs a writable cgroup v2 hierarchy with cgroup.kill (Linux 5.14+)")
def test_killing_a_task_cgroup_spares_the_agent_while_it_is_inside() -> None:
    # In a process of its own: were the agent not spared, the kill would end it.
    code = (
        "from opencoc.agent.cgroup import TaskCgroups\n"
        "cgroups = TaskCgroups.detect(); task = cgroups.create()\n"
        "with cgroups.inside(task):\n    task.kill()\n"
        "import asyncio; asyncio.run(task.remove()); print('alive', task.path.exists())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "alive False\n"), done.stderr
    assert "not killing" in done.stderr


@pytest.mark.skipif(CGROUPS is None, reason="needs a writable cgroup v2 hierarchy with cgroup.kill (Linux 5.14+)")
def test_an_agent_removes_the_empty_task_cgroups_of_agents_that_are_gone() -> None:
    assert CGROUPS is not None
    never_a_pid = int(Path("/proc/sys/kernel/pid_max").read_text()) + 1
    gone, alive = CGROUPS.base / f"opencoc-task-{never_a_pid}-1", CGROUPS.base / f"opencoc-task-{os.getpid()}-0"
    gone.mkdir()
    alive.mkdir()
    try:
        assert TaskCgroups.detect() is not None
        assert not gone.exists() and alive.exists()
    finally:
        alive.rmdir()
        if gone.exists():
            gone.rmdir()


def test_output_is_capped_at_1_mb_keeping_head_and_tail() -> None:
    script = "head -c 3000000 /dev/zero | tr '\\0' a; echo; echo THE-END"
    result = _run(_task("echo THE-START; " + script))
    out = result.output
    assert result.status == "FINISHED"
    assert len(out.encode()) <= 1024 * 1024
    assert out.startswith("THE-START\naaa") and out.endswith("aaa\nTHE-END\n")
    assert "bytes truncated]...\n" in out
    dropped = int(out.split("\n...[")[1].split(" bytes truncated")[0])
    assert dropped + len(out.encode()) - len(f"\n...[{dropped} bytes truncated]...\n") == 3_000_000 + 10 + 9


def test_unknown_user_is_abnormal_with_a_clear_message() -> None:
    result = _run(_task("echo never", user="no-such-user-xyz"))
    assert (result.status, result.output) == ("ABNORMAL", "")
    assert result.error == "execute_user no-such-user-xyz does not exist on this host"


@pytest.mark.skipif(not IS_ROOT, reason="switching users needs root")
def test_root_agent_runs_as_the_execute_user() -> None:
    result = _run(_task("id -un; id -u", user="nobody"))
    assert result.status == "FINISHED", result.error
    assert result.output == f"nobody\n{pwd.getpwnam('nobody').pw_uid}\n"


def test_non_root_agent_refuses_another_user() -> None:
    task = _task("id", user="root")
    result = _run_as("nobody", task) if IS_ROOT else _run(task)
    assert result.status == "ABNORMAL" and "cannot run as execute_user root" in (result.error or "")


def test_bat_needs_windows() -> None:
    result = _run(_task("dir", "BAT"))
    assert (result.status, result.error) == ("ABNORMAL", "BAT scripts need a Windows host")
