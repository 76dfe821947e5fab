"""Concurrent operations on one incident against a real server: the database guard lets exactly one win."""

import threading
from collections import Counter

import httpx

from harness.server import LiveServer
from tests.api.incidents.helpers import CREATE, HANDLE, OWNER, commit_parameter, create_body
from tests.support.signing import TenantKey

CALLERS = 24


def _race(server: LiveServer, key: TenantKey, body: dict) -> Counter[tuple[int, str]]:  # type: ignore[type-arg]
    """Send `body` to /handle from CALLERS threads released at once; count (status, error_code)."""
    barrier = threading.Barrier(CALLERS)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def call() -> None:
        with httpx.Client(base_url=server.url, auth=key.auth, timeout=60) as http:
            barrier.wait()
            resp = http.post(HANDLE, json=body)
        with lock:
            results.append((resp.status_code, resp.json()["error_code"]))

    threads = [threading.Thread(target=call) for _ in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Counter(results)


def test_simultaneous_accepts_exactly_one_succeeds(live_server: LiveServer, live_tenant: TenantKey) -> None:
    with httpx.Client(base_url=live_server.url, auth=live_tenant.auth, timeout=30) as http:
        num = http.post(CREATE, json=create_body(incident_assignee=[OWNER])).json()["data"]["incident_num"]
    outcome = _race(
        live_server, live_tenant, {"incident_num": num, "operator": OWNER, "operate_key": "acceptedIncident1"}
    )
    assert outcome == Counter({(200, "GOM.00000000"): 1, (400, "COC.00067004"): CALLERS - 1})


def test_simultaneous_solutions_exactly_one_succeeds(live_server: LiveServer, live_tenant: TenantKey) -> None:
    with httpx.Client(base_url=live_server.url, auth=live_tenant.auth, timeout=30) as http:
        num = http.post(CREATE, json=create_body()).json()["data"]["incident_num"]
        accept = {"incident_num": num, "operator": OWNER, "operate_key": "acceptedIncident1", "parameter": {}}
        assert http.post(HANDLE, json=accept).status_code == 200
    body = {"incident_num": num, "operator": OWNER, "operate_key": "commitSolution1", "parameter": commit_parameter()}
    outcome = _race(live_server, live_tenant, body)
    assert outcome == Counter({(200, "GOM.00000000"): 1, (400, "COC.00067004"): CALLERS - 1})
