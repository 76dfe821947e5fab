"""Runs one task as a real subprocess: user switch, params, timeout, cancel, capped output.

Parameters never become script text here: a SHELL script gets them in its environment (names
checked by env_names.py), a PYTHON script arrives with them already placed as literals by the
server (scripts/python_params.py). Each task runs in its own session; a timeout or a cancel kills
every process the script started, detached or not (descendants.py, and a cgroup v2 directory
where the host has one: cgroup.py). Output is read from a pipe as it arrives into an
`OutputCap`, so a noisy script never makes the agent hold more than the cap.
"""

import asyncio
import contextlib
import os
import pwd
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opencoc.agent import descendants, env_names
from opencoc.agent.cgroup import TaskCgroup, TaskCgroups
from opencoc.agent.child_exit import exit_code
from opencoc.agent.output_cap import DEFAULT_LIMIT, OutputCap
from opencoc.agent.scratch import prefix as task_dir_prefix

FINISHED = "FINISHED"
ABNORMAL = "ABNORMAL"
CANCELED = "CANCELED"
MASK = "***"
DRAIN_AFTER_EXIT_S = 2.0
KILLED_EXIT_S = 1.0  # how long a stopping agent waits for a killed script to be gone
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MAX_ERROR = 1024  # what the server stores of `error`
_SUFFIX = {"SHELL": ".sh", "PYTHON": ".py"}
# What the server cannot store as text (PostgreSQL refuses NUL; a lone surrogate is not UTF-8).
_UNSENDABLE = re.compile("[\x00\ud800-\udfff]")


def now_ms() -> int:
    return int(time.time() * 1000)


def sendable(text: str) -> str:
    """The text with NULs and lone surrogates replaced by U+FFFD, so the server can store it."""
    return _UNSENDABLE.sub("\ufffd", text)


@dataclass(frozen=True)
class Param:
    name: str
    value: str
    sensitive: bool = False


@dataclass(frozen=True)
class Task:
    task_id: str
    script_type: str
    content: str
    params: tuple[Param, ...] = ()
    execute_user: str = ""
    timeout: int = 60

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> "Task":
        """A task from the feed; raises KeyError/TypeError/ValueError when malformed."""
        params = tuple(
            Param(str(p["name"]), str(p.get("value") or ""), bool(p.get("sensitive"))) for p in raw.get("params") or []
        )
        return cls(
            task_id=str(raw["task_id"]),
            script_type=str(raw["script_type"]),
            content=str(raw["content"]),
            params=params,
            execute_user=str(raw.get("execute_user") or ""),
            timeout=int(raw.get("timeout") or 60),
        )

    @property
    def secrets(self) -> list[str]:
        """Sensitive values, longest first, so that one that contains another is masked whole."""
        return sorted((p.value for p in self.params if p.sensitive and p.value), key=len, reverse=True)


@dataclass
class Result:
    status: str
    exit_code: int | None
    output: str
    started_at: int
    finished_at: int
    error: str | None = None

    def to_wire(self) -> dict[str, Any]:
        """The result body, within what the server accepts (a malformed result is refused for good)."""
        return {
            "status": self.status,
            "exit_code": self.exit_code,
            "output": sendable(self.output),
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "error": None if self.error is None else sendable(self.error)[:MAX_ERROR],
        }


class TaskRefused(Exception):
    """The task cannot run on this host (unknown user, unsupported type...)."""


def mask(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, MASK)
    return text


@dataclass(frozen=True)
class RunAs:
    """Who runs the script; `switch` when the agent (root) must change to that user."""

    name: str
    uid: int
    gid: int
    home: str
    shell: str
    switch: bool
    groups: list[int] = field(default_factory=list)


def resolve_user(execute_user: str) -> RunAs:
    """The account to run as: any user when the agent is root, else only the agent's own user."""
    me = pwd.getpwuid(os.geteuid())
    name = execute_user or me.pw_name
    try:
        pw = pwd.getpwnam(name)
    except KeyError:
        raise TaskRefused(f"execute_user {name} does not exist on this host") from None
    if os.geteuid() == 0:
        switch = pw.pw_uid != 0
        groups = os.getgrouplist(pw.pw_name, pw.pw_gid) if switch else []
        return RunAs(pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir, pw.pw_shell, switch, groups)
    if pw.pw_uid != me.pw_uid:
        raise TaskRefused(
            f"cannot run as execute_user {name}: the agent runs as {me.pw_name}, not root, so it can only run as itself"
        )
    return RunAs(pw.pw_name, pw.pw_uid, pw.pw_gid, pw.pw_dir, pw.pw_shell, False)


def _environment(user: RunAs, task: Task) -> dict[str, str]:
    """A clean environment; a SHELL script's parameters are exported in it under their names."""
    env = {
        "PATH": os.environ.get("PATH", DEFAULT_PATH) if not user.switch else DEFAULT_PATH,
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "HOME": user.home,
        "USER": user.name,
        "LOGNAME": user.name,
        "SHELL": user.shell or "/bin/sh",
        descendants.TASK_ID_VAR: task.task_id,
    }
    if task.script_type == "SHELL":
        for param in task.params:
            why = env_names.refusal(param.name)
            if why is not None:  # the server refuses these too, since scripts were stored before the rule
                raise TaskRefused(f"parameter {param.name} {why}")
            if _UNSENDABLE.search(param.value):
                raise TaskRefused(f"parameter {param.name}: the value holds a NUL or a lone surrogate")
            env[param.name] = param.value
    return env


def _interpreter(task: Task, env: dict[str, str]) -> str:
    if task.script_type == "BAT":
        if sys.platform.startswith("win"):
            raise TaskRefused("BAT scripts are not supported by this agent yet")
        raise TaskRefused("BAT scripts need a Windows host")
    if task.script_type == "SHELL":
        return "/bin/sh"
    if task.script_type == "PYTHON":
        found = shutil.which("python3", path=env["PATH"])
        if found is None:
            raise TaskRefused("python3 not found on this host")
        return found
    raise TaskRefused(f"unsupported script_type {task.script_type}")


class _Capture(asyncio.Protocol):
    """Feeds pipe data into the cap as it arrives; `closed` resolves at EOF."""

    def __init__(self, cap: OutputCap, closed: "asyncio.Future[None]") -> None:
        self.cap = cap
        self.closed = closed

    def data_received(self, data: bytes) -> None:
        self.cap.feed(data)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed.done():
            self.closed.set_result(None)


class Execution:
    """One running task; `cancel()` kills all its processes and makes it end CANCELED."""

    def __init__(
        self,
        task: Task,
        output_limit: int = DEFAULT_LIMIT,
        cgroups: TaskCgroups | None = None,
        scratch: Path | None = None,
    ) -> None:
        self.task = task
        self.output_limit = output_limit
        self.cgroups = cgroups
        self.scratch = scratch  # where the script's private directory is made (None: the system's temp dir)
        self.pid: int | None = None
        self._cancel = asyncio.Event()

    def cancel(self) -> None:
        self._cancel.set()

    async def run(self) -> Result:
        """Run the task to its end and describe how it ended (never raises for task failures)."""
        started = now_ms()
        workdir: list[Path] = []
        try:
            # The file work (user lookup, a temp directory, the script, a cgroup) runs on the event loop: it
            # takes 0.2-0.5 ms, less than a hand-over to a thread and back under load (bench/fanout.py).
            user, env, interpreter, script, cgroup = self._prepare(workdir)
            return await self._spawn(interpreter, script, user, env, cgroup, started)
        except TaskRefused as exc:
            return Result(ABNORMAL, None, "", started, now_ms(), mask(str(exc), self.task.secrets))
        except OSError as exc:
            message = f"could not start the script as {self.task.execute_user or 'the agent user'}: {exc.strerror}"
            return Result(ABNORMAL, None, "", started, now_ms(), message)
        finally:
            if workdir:
                shutil.rmtree(workdir[0], True)

    def _prepare(self, workdir: list[Path]) -> tuple[RunAs, dict[str, str], str, Path, TaskCgroup | None]:
        """Who runs it, its environment, its interpreter, its script file (in a new directory, appended to
        `workdir` for `run` to remove) and its cgroup."""
        user = resolve_user(self.task.execute_user)
        env = _environment(user, self.task)
        interpreter = _interpreter(self.task, env)
        workdir.append(Path(tempfile.mkdtemp(prefix=task_dir_prefix(), dir=self.scratch)))
        script = self._write_script(workdir[0], user)
        return user, env, interpreter, script, self.cgroups.create() if self.cgroups is not None else None

    def _write_script(self, workdir: Path, user: RunAs) -> Path:
        path = workdir / ("script" + _SUFFIX[self.task.script_type])
        try:
            data = self.task.content.encode()
        except UnicodeEncodeError:
            raise TaskRefused("the script's content is not valid UTF-8 text") from None
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if user.switch:
            os.chown(workdir, user.uid, user.gid)
            os.chown(path, user.uid, user.gid)
        return path

    async def _spawn(
        self, interpreter: str, script: Path, user: RunAs, env: dict[str, str], cgroup: TaskCgroup | None, started: int
    ) -> Result:
        loop = asyncio.get_running_loop()
        cap = OutputCap(self.output_limit)
        try:
            read_fd, proc = self._start([interpreter, str(script)], user, env, cgroup)
            closed: asyncio.Future[None] = loop.create_future()
            transport, _ = await loop.connect_read_pipe(lambda: _Capture(cap, closed), os.fdopen(read_fd, "rb", 0))
            try:
                ended = await self._wait(proc)
                if ended != "exit":
                    self._kill_all(proc.pid, cgroup)
                    await exit_code(proc)
                    descendants.release(proc.pid)
                    descendants.reap_orphans()  # the killed orphans, now zombies of the agent
                with contextlib.suppress(TimeoutError):
                    # Background children may still hold the pipe; stop reading after a short drain.
                    await asyncio.wait_for(asyncio.shield(closed), DRAIN_AFTER_EXIT_S)
            except asyncio.CancelledError:  # the agent is stopping
                self._kill_and_collect(proc, cgroup)
                raise
            finally:
                transport.close()
        finally:
            if cgroup is not None:
                await cgroup.remove()
        descendants.release(proc.pid)
        output = mask(cap.render().decode("utf-8", "replace"), self.task.secrets)
        return self._result(ended, proc.returncode, output, started)

    def _start(
        self, argv: list[str], user: RunAs, env: dict[str, str], cgroup: TaskCgroup | None
    ) -> tuple[int, "subprocess.Popen[bytes]"]:
        """Start the script in a new session (born in its cgroup): (read end of its output pipe, process)."""
        read_fd, write_fd = os.pipe()
        switch: dict[str, Any] = {"user": user.uid, "group": user.gid, "extra_groups": user.groups}
        proc: subprocess.Popen[bytes] | None = None
        try:
            with descendants.spawning() as managed:
                with self.cgroups.inside(cgroup) if self.cgroups and cgroup else contextlib.nullcontext():
                    proc = subprocess.Popen(
                        argv,
                        stdin=subprocess.DEVNULL,
                        stdout=write_fd,
                        stderr=write_fd,
                        cwd=user.home if os.path.isdir(user.home) else "/",
                        env=env,
                        start_new_session=True,
                        **(switch if user.switch else {}),
                    )
                    managed.add(proc.pid)
        except BaseException:
            os.close(read_fd)
            if proc is not None:  # it started, then the agent could not leave its cgroup: no unwatched run
                self._kill_and_collect(proc, cgroup)
            raise
        finally:
            os.close(write_fd)
        self.pid = proc.pid
        return read_fd, proc

    def _kill_and_collect(self, proc: "subprocess.Popen[bytes]", cgroup: TaskCgroup | None) -> None:
        """Kill the task's processes and collect its first one (waiting at most KILLED_EXIT_S), off the loop's
        usual path: the agent is stopping, or the start failed."""
        self._kill_all(proc.pid, cgroup)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(KILLED_EXIT_S)
        descendants.release(proc.pid)

    def _kill_all(self, root: int, cgroup: TaskCgroup | None) -> None:
        """Kill every process of the task: its cgroup at once, then whatever the /proc walk finds."""
        if cgroup is not None:
            cgroup.kill()
        descendants.kill_task(root, self.task.task_id)

    async def _wait(self, proc: "subprocess.Popen[bytes]") -> str:
        """How the process ended: `exit`, `cancel` or `timeout`."""
        exited = asyncio.ensure_future(exit_code(proc))
        cancelled = asyncio.ensure_future(self._cancel.wait())
        try:
            done, _ = await asyncio.wait(
                {exited, cancelled}, timeout=self.task.timeout, return_when=asyncio.FIRST_COMPLETED
            )
        finally:
            cancelled.cancel()
            if not exited.done():
                exited.cancel()
        if exited in done:
            return "exit"
        return "cancel" if cancelled in done else "timeout"

    def _result(self, ended: str, code: int | None, output: str, started: int) -> Result:
        finished = now_ms()
        if ended == "cancel":
            return Result(CANCELED, None, output, started, finished, "canceled on request")
        if ended == "timeout":
            return Result(ABNORMAL, None, output, started, finished, f"timed out after {self.task.timeout} s")
        if code == 0:
            return Result(FINISHED, 0, output, started, finished)
        if code is not None and code < 0:
            return Result(ABNORMAL, None, output, started, finished, f"killed by signal {-code}")
        return Result(ABNORMAL, code, output, started, finished, f"exited with code {code}")
