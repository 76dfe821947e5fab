"""Two `opencoc serve` replicas on one PostgreSQL act as one server.

An order created on replica A runs on an agent long-polling replica B (the wake-up crosses
through LISTEN/NOTIFY); notifications queued on either replica are each delivered exactly once,
though both replicas' senders wake for every one.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.polling import wait_for
from harness.server import LiveServer, free_port
from tests.conftest import cli_tenant
from tests.e2e.jobs.support import Api, Host, enroll_token, start_agent
from tests.support.mailbox import Mailbox
from tests.support.signing import TenantKey

NOTICES = 12
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def tenant(two_replicas: list[LiveServer]) -> TenantKey:
    first = two_replicas[0]
    return cli_tenant(first.data_dir, first.database_url, "replicated")


@pytest.fixture
def agent_on_b(two_replicas: list[LiveServer], tenant: TenantKey, tmp_path: Path) -> Iterator[Host]:
    b = two_replicas[1]
    host = start_agent(b, enroll_token(b, tenant.name), tmp_path / "agent")
    yield host
    host.stop()


def test_an_order_created_on_replica_a_runs_on_an_agent_of_replica_b(
    two_replicas: list[LiveServer], tenant: TenantKey, agent_on_b: Host, tmp_path: Path
) -> None:
    marker = tmp_path / "ran-on-b"
    with Api(two_replicas[0], tenant) as on_a:
        uuid = on_a.execute(on_a.script(f"echo from-b > {marker}"), [[agent_on_b]])
        info = on_a.wait_status(uuid, "FINISHED", "ABNORMAL", "CANCELED")
        assert info["status"] == "FINISHED", info
        assert on_a.instance(uuid)["status"] == "FINISHED"
    assert marker.read_text() == "from-b\n"


def test_notifications_queued_on_both_replicas_are_each_delivered_once(
    two_replicas: list[LiveServer], tenant: TenantKey
) -> None:
    mailbox = Mailbox(free_port()).start()
    try:
        apis = [Api(server, tenant) for server in two_replicas]
        url = f"mailto://127.0.0.1:{mailbox.port}?from=opencoc@example.com"
        apis[0].call("POST", "/opencoc/v1/notifications/channels", json={"name": "EMAIL", "url": url})
        apis[1].call("POST", "/opencoc/v1/notifications/targets", json={"url": "mailto:reviewer@example.org"})
        reviewers = [{"reviewer_name": "admin", "reviewer_id": tenant.user_id}]
        uuids = []
        for i in range(NOTICES):
            body = {
                "name": f"replicated_{i}", "type": "SHELL", "content": "echo hi", "description": "d",
                "properties": {"risk_level": "LOW", "version": "1.0.0", "reviewers": reviewers, "protocol": "EMAIL"},
            }  # fmt: skip
            uuids.append(apis[i % 2].call("POST", "/v1/job/scripts", json=body))
        wait_for(
            lambda: [r for r in apis[1].call("GET", "/opencoc/v1/notifications/outbox") if r["status"] == "SENT"][
                NOTICES - 1 :
            ],
            f"{NOTICES} deliveries marked SENT",
        )
        outbox = apis[0].call("GET", "/opencoc/v1/notifications/outbox")
        assert len(outbox) == NOTICES and {(r["status"], r["attempts"]) for r in outbox} == {("SENT", 1)}
        bodies = [m.get_payload(0).get_payload(decode=True).decode() for m in mailbox.messages]  # type: ignore[union-attr]
        assert len(bodies) == NOTICES, f"{len(bodies)} mails for {NOTICES} notices"
        assert all(sum(uuid in b for b in bodies) == 1 for uuid in uuids), "each notice is mailed exactly once"
        for api in apis:
            api.http.close()
    finally:
        mailbox.stop()
