"""Concurrent operations on one incident against a real server: the database guard lets exactly one win."""

from collections import Counter
from collections.abc import Callable

import httpx

from harness.server import LiveServer
from tests.api.incidents.helpers import CREATE, HANDLE, OWNER, commit_parameter, create_body
from tests.support.race import race
from tests.support.signing import TenantKey

CALLERS = 24


def _race(server: LiveServer, key: TenantKey, body: dict) -> Counter[tuple[int, str]]:  # type: ignore[type-arg]
    """Send `body` to /handle from CALLERS threads released at once; count (status, error_code)."""

    def call(_: int, go: Callable[[], object]) -> tuple[int, str]:
        with httpx.Client(base_url=server.url, auth=key.auth, timeout=60) as http:
            go()
            resp = http.post(HANDLE, json=body)
        return resp.status_code, resp.json()["error_code"]

    return Counter(race(CALLERS, call))


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
