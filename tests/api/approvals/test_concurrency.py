"""One winner: of N approvers deciding the same request at once, exactly one decision is taken."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

from fastapi.testclient import TestClient

from tests.support.signing import TenantKey

RACERS = 8


def test_racing_decisions_have_exactly_one_winner(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], open_request: Callable[..., str]
) -> None:
    approvers = [add_user(tenant, f"approver{i}") for i in range(RACERS)]
    approval_id = open_request(tenant, approvers)
    start = Barrier(RACERS)

    def decide(i: int) -> tuple[int, str, str]:
        verdict = ("approve", "reject")[i % 2]
        start.wait()
        resp = client.post(f"/opencoc/v1/approvals/{approval_id}/{verdict}", json={}, auth=approvers[i].auth)
        return resp.status_code, resp.json().get("error_code", ""), verdict

    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(decide, range(RACERS)))

    winners = [r for r in results if r[0] == 200]
    assert len(winners) == 1, results
    assert sorted(r[:2] for r in results if r[0] != 200) == [(409, "OPENCOC.APPROVAL.NOT_PENDING")] * (RACERS - 1)
    shown = client.get(f"/opencoc/v1/approvals/{approval_id}", auth=tenant.auth).json()["data"]
    assert shown["status"] == {"approve": "APPROVED", "reject": "REJECTED"}[winners[0][2]]
    assert len(shown["decisions"]) == 1, "only the winner's decision is recorded"
