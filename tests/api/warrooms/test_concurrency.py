"""Concurrent war-room calls against a real server: the database guard lets exactly one win."""

from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from harness.server import LiveServer
from tests.api.incidents.helpers import create
from tests.api.warrooms.helpers import CREATE, OWN, war_room_body
from tests.support.race import race
from tests.support.signing import TenantKey

CALLERS = 12


def _race(server: LiveServer, key: TenantKey, path: str, body: dict[str, Any]) -> Counter[int]:
    """POST `body` to `path` from CALLERS threads released at once; count the statuses."""

    def call(_: int, go: Callable[[], object]) -> int:
        with httpx.Client(base_url=server.url, auth=key.auth, timeout=60) as http:
            go()
            return http.post(path, json=body).status_code

    return Counter(race(CALLERS, call))


def test_simultaneous_creates_for_one_incident_open_one_war_room(
    live_server: LiveServer, live_tenant: TenantKey
) -> None:
    with httpx.Client(base_url=live_server.url) as http:
        num = create(http, live_tenant)
    outcome = _race(live_server, live_tenant, CREATE, war_room_body(num, live_tenant.user_id))
    assert outcome == Counter({200: 1, 400: CALLERS - 1})
    with httpx.Client(base_url=live_server.url, auth=live_tenant.auth) as http:
        listed = http.post("/v1/external/warrooms/list", json={"incident_num": num}).json()["data"]
        assert listed["total_num"] == 1
        war_room = listed["list"][0]["war_room_num"]
    outcome = _race(live_server, live_tenant, f"{OWN}/{war_room}/status", {"status": "recovered"})
    assert outcome == Counter({200: 1, 400: CALLERS - 1})
