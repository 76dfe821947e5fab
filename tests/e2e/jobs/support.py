"""Real agents and a signed API client for the script-execution end-to-end tests."""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from harness.polling import wait_for
from harness.server import LiveServer
from opencoc.client.auth import SdkHmacAuth
from tests.support.signing import TenantKey

ORDERS = "/v1/job/script/orders"
ENDED = ("FINISHED", "ABNORMAL", "CANCELED")


@dataclass
class Host:
    """One `opencoc agent` process with its own state directory."""

    proc: subprocess.Popen  # type: ignore[type-arg]
    state_dir: Path
    agent_sn: str
    resource_id: str

    def kill9(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()


def enroll_token(server: LiveServer, tenant: str) -> str:
    out = server.cli("admin", "create-enroll-token", "--tenant", tenant, "--json")
    return str(json.loads(out.stdout)["token"])


def start_agent(server: LiveServer, token: str, state_dir: Path, *extra: str) -> Host:
    """Start an agent (heartbeat every second) and wait until it has enrolled."""
    argv = [sys.executable, "-m", "opencoc", "agent", "--server", server.url, "--token", token]
    argv += ["--state-dir", str(state_dir), "--heartbeat", "1", "--poll-wait", "5", *extra]
    with open(state_dir.parent / f"{state_dir.name}.log", "ab") as log:
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    ident = state_dir / "identity.json"
    wait_for(lambda: ident.exists() or proc.poll() is not None, "the agent to enrol")
    assert proc.poll() is None, (state_dir.parent / f"{state_dir.name}.log").read_text()
    raw = json.loads(ident.read_text())
    return Host(proc, state_dir, raw["agent_sn"], raw["resource_id"])


@dataclass
class Api:
    """The tenant's view of the COC API, signed like the SDK."""

    server: LiveServer
    tenant: TenantKey
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        auth = SdkHmacAuth(self.tenant.access_key, self.tenant.secret_key)
        self.http = httpx.Client(base_url=self.server.url, auth=auth, timeout=30)

    def __enter__(self) -> "Api":
        return self

    def __exit__(self, *_: object) -> None:
        self.http.close()

    def call(self, method: str, path: str, **kw: Any) -> Any:
        resp = self.http.request(method, path, **kw)
        assert resp.status_code == 200, f"{method} {path}: {resp.status_code} {resp.text}"
        return resp.json()["data"]

    def script(
        self, content: str, params: dict[str, str] | None = None, name: str | None = None, script_type: str = "SHELL"
    ) -> str:
        body = {
            "name": name or f"e2e_{time.monotonic_ns()}",
            "type": script_type,
            "content": content,
            "description": "end-to-end",
            "properties": {"risk_level": "HIGH", "version": "1.0.0"},
            "script_params": [
                {"param_name": k, "param_value": v, "param_description": k, "param_order": i, "sensitive": False}
                for i, (k, v) in enumerate((params or {}).items(), start=1)
            ],
        }
        return str(self.call("POST", "/v1/job/scripts", json=body))

    def execute(
        self,
        script_uuid: str,
        groups: list[list[Host]],
        strategy: str = "CONTINUE",
        params: dict[str, str] | None = None,
        **execute_param: Any,
    ) -> str:
        body = {
            "execute_param": {"timeout": 60, "success_rate": 100, "execute_user": "root", "resourceful": True}
            | execute_param
            | {"script_params": [{"param_name": k, "param_value": v} for k, v in (params or {}).items()]},
            "execute_batches": [
                {
                    "batch_index": i,
                    "rotation_strategy": strategy,
                    "target_instances": [{"resource_id": h.resource_id, "agent_sn": h.agent_sn} for h in group],
                }
                for i, group in enumerate(groups, start=1)
            ],
        }
        return str(self.call("POST", f"/v1/job/scripts/{script_uuid}", json=body))

    def info(self, uuid: str) -> dict[str, Any]:
        data: dict[str, Any] = self.call("GET", f"{ORDERS}/{uuid}")
        return data

    def wait_status(self, uuid: str, *statuses: str, timeout: float = 30.0) -> dict[str, Any]:
        info: dict[str, Any] = wait_for(
            lambda: (i := self.info(uuid))["status"] in statuses and i, f"order {uuid} to be {statuses}", timeout
        )
        return info

    def instances(self, uuid: str, batch_index: int) -> list[dict[str, Any]]:
        data = self.call("GET", f"{ORDERS}/{uuid}/batches/{batch_index}", params={"limit": 50})
        return list(data["execute_instances"])

    def instance(self, uuid: str, batch_index: int = 1) -> dict[str, Any]:
        (inst,) = self.instances(uuid, batch_index)
        return inst

    def operate(self, uuid: str, operation_type: str, **body: Any) -> None:
        assert self.call("PUT", f"{ORDERS}/{uuid}/operation", json={"operation_type": operation_type, **body}) == uuid
