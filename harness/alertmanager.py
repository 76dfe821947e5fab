"""A real Prometheus Alertmanager (Debian package prometheus-alertmanager) on loopback, for tests and bench.

OPENCOC_TEST_ALERTMANAGER=required (CI) makes a missing binary a failure instead of a skip.
"""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from harness.server import free_port, wait_ready

BINARY = "prometheus-alertmanager"

CONFIG = """\
route:
  receiver: opencoc
  group_by: ['alertname', 'instance']
  group_wait: {group_wait}
  group_interval: {group_interval}
  repeat_interval: 1h
receivers:
  - name: opencoc
    webhook_configs:
      - url: {webhook_url}
        send_resolved: true
        max_alerts: 0
"""


def binary() -> str | None:
    return shutil.which(BINARY) or (f"/usr/bin/{BINARY}" if os.path.exists(f"/usr/bin/{BINARY}") else None)


def required() -> bool:
    return os.environ.get("OPENCOC_TEST_ALERTMANAGER", "").lower() == "required"


@dataclass
class Alertmanager:
    folder: Path
    webhook_url: str
    group_wait: str = "1s"
    group_interval: str = "1s"
    port: int = 0
    proc: subprocess.Popen | None = None  # type: ignore[type-arg]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "Alertmanager":
        exe = binary()
        if exe is None:
            raise FileNotFoundError(BINARY)
        self.port = free_port()
        config = self.folder / "alertmanager.yml"
        config.write_text(
            CONFIG.format(webhook_url=self.webhook_url, group_wait=self.group_wait, group_interval=self.group_interval)
        )
        (self.folder / "data").mkdir(exist_ok=True)
        argv = [
            exe,
            f"--config.file={config}",
            f"--storage.path={self.folder / 'data'}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--cluster.listen-address=",
        ]
        with open(self.folder / "alertmanager.log", "ab") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_ready(self.proc, f"{self.url}/-/ready", "alertmanager", self.log_tail, timeout)
        return self

    def log_tail(self) -> str:
        path = self.folder / "alertmanager.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def post_alerts(self, alerts: list[dict[str, Any]]) -> None:
        resp = httpx.post(f"{self.url}/api/v2/alerts", json=alerts, timeout=30)
        resp.raise_for_status()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
