"""A tenant with enrolled hosts, its scripts and orders, driven through the real HTTP API.

The test plays each host's agent over the agent protocol (poll tasks, post results), so the
dispatcher's decisions can be checked step by step; tests/e2e run the real agent program.
"""

import itertools
from dataclasses import dataclass, field
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import update

from opencoc.agents.models import Agent
from opencoc.core.db import Database
from tests.api.agents.helpers import Enrolled, enroll, enroll_token
from tests.support.signing import TenantKey

ORDERS = "/v1/job/script/orders"
TASKS = "/opencoc/v1/agent/tasks"
_names = itertools.count(1)


def param(name: str, value: str, order: int, sensitive: bool = False) -> dict[str, Any]:
    return {
        "param_name": name,
        "param_value": value,
        "param_description": "d",
        "param_order": order,
        "sensitive": sensitive,
    }


def target(host: Enrolled) -> dict[str, Any]:
    return {"resource_id": host.resource_id, "agent_sn": host.agent_sn, "region_id": "cn-north-4", "project_id": "p1"}


def batches(*groups: list[Enrolled], strategy: str = "CONTINUE") -> list[dict[str, Any]]:
    return [
        {"batch_index": i, "rotation_strategy": strategy, "target_instances": [target(h) for h in group]}
        for i, group in enumerate(groups, start=1)
    ]


def execute_body(execute_batches: list[dict[str, Any]], **param_overrides: Any) -> dict[str, Any]:
    execute_param = {"resourceful": True, "timeout": 60, "success_rate": 100, "execute_user": "root"}
    return {"execute_param": execute_param | param_overrides, "execute_batches": execute_batches}


@dataclass
class Fleet:
    client: TestClient
    db: Database
    tenant: TenantKey
    hosts: list[Enrolled] = field(default_factory=list)

    def enroll(self, n: int) -> list[Enrolled]:
        token = enroll_token(self.db, self.tenant)
        new = [self.client_enroll(token) for _ in range(n)]
        self.hosts += new
        return new

    def client_enroll(self, token: str) -> Enrolled:
        n = next(_names)
        return enroll(self.client, token, hostname=f"host-{n}", fixed_ip=f"10.0.0.{n % 250}", zone_id="az1")

    def offline(self, host: Enrolled) -> None:
        """Make a host look as if its agent stopped calling long ago."""
        with self.db.write() as session:
            session.execute(update(Agent).where(Agent.agent_sn == host.agent_sn).values(last_seen_at=1))

    def script(self, content: str = "echo ${a}", params: list[dict[str, Any]] | None = None, **body: Any) -> str:
        payload = {
            "name": f"job_script_{next(_names)}",
            "type": "SHELL",
            "content": content,
            "description": "a test script",
            "properties": {"risk_level": "LOW", "version": "1.0.0"},
            "script_params": [param("a", "default", 1)] if params is None else params,
        } | body
        resp = self.client.post("/v1/job/scripts", json=payload, auth=self.tenant.auth)
        assert resp.status_code == 200, resp.text
        uuid: str = resp.json()["data"]
        return uuid

    def execute_raw(self, script_uuid: str, body: dict[str, Any]) -> Any:
        return self.client.post(f"/v1/job/scripts/{script_uuid}", json=body, auth=self.tenant.auth)

    def execute(self, script_uuid: str, execute_batches: list[dict[str, Any]], **param: Any) -> str:
        resp = self.execute_raw(script_uuid, execute_body(execute_batches, **param))
        assert resp.status_code == 200, resp.text
        uuid: str = resp.json()["data"]
        return uuid

    def get(self, path: str, **params: Any) -> Any:
        resp = self.client.get(path, params=params, auth=self.tenant.auth)
        assert resp.status_code == 200, resp.text
        return resp.json()["data"]

    def info(self, uuid: str) -> dict[str, Any]:
        data: dict[str, Any] = self.get(f"{ORDERS}/{uuid}")
        return data

    def status(self, uuid: str) -> str:
        return str(self.info(uuid)["status"])

    def batch(self, uuid: str, index: int, **params: Any) -> dict[str, Any]:
        data: dict[str, Any] = self.get(f"{ORDERS}/{uuid}/batches/{index}", **({"limit": 50} | params))
        return data

    def instances(self, uuid: str, index: int) -> dict[str, dict[str, Any]]:
        """The batch's instances by agent_sn."""
        return {i["target_instance"]["agent_sn"]: i for i in self.batch(uuid, index)["execute_instances"]}

    def stats(self, uuid: str) -> dict[str, tuple[int, list[int]]]:
        data = self.get(f"{ORDERS}/{uuid}/statistics")
        return {s["instance_status"]: (s["instance_count"], s["batch_indexes"]) for s in data["execute_statistics"]}

    def operate_raw(self, uuid: str, operation_type: str, **body: Any) -> Any:
        payload = {"operation_type": operation_type, **body}
        return self.client.put(f"{ORDERS}/{uuid}/operation", json=payload, auth=self.tenant.auth)

    def operate(self, uuid: str, operation_type: str, **body: Any) -> None:
        resp = self.operate_raw(uuid, operation_type, **body)
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"data": uuid}

    def poll(self, host: Enrolled) -> dict[str, Any]:
        resp = self.client.get(TASKS, params={"wait": 0}, headers=host.headers)
        assert resp.status_code == 200, resp.text
        data: dict[str, Any] = resp.json()
        return data

    def task(self, host: Enrolled) -> dict[str, Any]:
        """The one task the host gets now."""
        tasks = self.poll(host)["tasks"]
        assert len(tasks) == 1, f"expected one task for {host.agent_sn}, got {tasks}"
        task: dict[str, Any] = tasks[0]
        return task

    def report(self, host: Enrolled, task_id: str, status: str = "FINISHED", output: str = "ok\n", **kw: Any) -> Any:
        body = {
            "status": status,
            "exit_code": 0 if status == "FINISHED" else 1,
            "output": output,
            "started_at": 1,
            "finished_at": 2,
            "error": None,
        } | kw
        return self.client.post(f"{TASKS}/{task_id}/result", json=body, headers=host.headers)

    def run(self, host: Enrolled, status: str = "FINISHED", output: str = "ok\n") -> dict[str, Any]:
        """Take the host's task and report it."""
        task = self.task(host)
        resp = self.report(host, task["task_id"], status, output)
        assert resp.json() == {"accepted": True}, resp.text
        return task
