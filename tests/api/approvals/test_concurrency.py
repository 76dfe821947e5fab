"""One winner: of N approvers deciding the same request at once, exactly one decision is taken."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.support.race import race
from tests.support.signing import TenantKey

RACERS = 8


def test_racing_decisions_have_exactly_one_winner(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], open_request: Callable[..., str]
) -> None:
    approvers = [add_user(tenant, f"approver{i}") for i in range(RACERS)]
    approval_id = open_request(tenant, approvers)

    def decide(i: int, go: Callable[[], object]) -> tuple[int, str, str]:
        verdict = ("approve", "reject")[i % 2]
        go()
        resp = client.post(f"/opencoc/v1/approvals/{approval_id}/{verdict}", json={}, auth=approvers[i].auth)
        return resp.status_code, resp.json().get("error_code", ""), verdict

    results = race(RACERS, decide)

    winners = [r for r in results if r[0] == 200]
    assert len(winners) == 1, results
    assert sorted(r[:2] for r in results if r[0] != 200) == [(409, "OPENCOC.APPROVAL.NOT_PENDING")] * (RACERS - 1)
    shown = client.get(f"/opencoc/v1/approvals/{approval_id}", auth=tenant.auth).json()["data"]
    assert shown["status"] == {"approve": "APPROVED", "reject": "REJECTED"}[winners[0][2]]
    assert len(shown["decisions"]) == 1, "only the winner's decision is recorded"
