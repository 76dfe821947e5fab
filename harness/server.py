"""A real `opencoc serve` process on a free loopback port, for compat and end-to-end tests."""

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from harness.polling import wait_for


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(proc: subprocess.Popen, url: str, what: str, log_tail: Callable[[], str], timeout: float) -> None:  # type: ignore[type-arg]
    """Return once GET `url` answers 200; RuntimeError with the log tail if `proc` exits, AssertionError on timeout."""

    def answers() -> bool:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited: {log_tail()}")
        try:
            return httpx.get(url, timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    wait_for(answers, f"{what} to answer {url}", timeout, detail=log_tail)


def server_env(data_dir: Path, database_url: str | None, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["OPENCOC_DATA_DIR"] = str(data_dir)
    env["OPENCOC_SECRET_KEY"] = "test-master-key"
    env.pop("OPENCOC_DATABASE_URL", None)
    if database_url and not database_url.startswith("sqlite"):
        env["OPENCOC_DATABASE_URL"] = database_url
    env.update(extra)
    return env


@dataclass
class LiveServer:
    data_dir: Path
    database_url: str | None
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    workers: int = 1
    proc: subprocess.Popen | None = None  # type: ignore[type-arg]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return server_env(self.data_dir, self.database_url, **self.extra_env)

    def start(self, timeout: float = 30.0) -> "LiveServer":
        argv = [sys.executable, "-m", "opencoc", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        with open(self.data_dir / f"server-{self.port}.log", "ab") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                [*argv, "--workers", str(self.workers)],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        wait_ready(self.proc, self.url + "/opencoc/health", "server", self.log_tail, timeout)
        return self

    def log_tail(self) -> str:
        path = self.data_dir / f"server-{self.port}.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def kill9(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill9()

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
        """Run `opencoc ARGS` against this server's database and endpoint."""
        env = self.env | {"OPENCOC_ENDPOINT": self.url}
        result = subprocess.run(
            [sys.executable, "-m", "opencoc", *args], env=env, capture_output=True, text=True, timeout=120
        )
        if check and result.returncode != 0:
            raise AssertionError(f"opencoc {' '.join(args)} failed: {result.stdout}\n{result.stderr}")
        return result
