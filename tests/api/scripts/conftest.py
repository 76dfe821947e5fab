"""Fixtures of the scripts API tests: reviewers in a test's tenant, a real SMTP server, channels."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from harness.server import free_port
from opencoc.auth import service as auth_service
from opencoc.core.db import Database
from tests.support.mailbox import Mailbox
from tests.support.signing import TenantKey


@pytest.fixture
def add_user(db: Database, client: TestClient) -> Callable[..., TenantKey]:
    """Another user (with an access key, and optionally an email) in an existing tenant."""

    def add(tenant: TenantKey, name: str, email: str | None = None) -> TenantKey:
        cipher = client.app.state.cipher  # type: ignore[attr-defined]
        with db.write() as session:
            user = auth_service.create_user(session, tenant_name=tenant.name, name=name, password=None)
            user.email = email
            key = auth_service.create_access_key(session, cipher, tenant_name=tenant.name, user_name=name)
        return TenantKey(tenant.name, key.domain_id, key.user_id, key.access_key, key.secret_key)

    return add


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port()).start()
    yield box
    box.stop()


@pytest.fixture
def set_channel(client: TestClient) -> Callable[..., None]:
    """Add a tenant notification channel named after a script protocol, as `opencoc notify channel add` does."""

    def configure(tenant: TenantKey, protocol: str, url: str) -> None:
        body = {"name": protocol, "url": url}
        added = client.post("/opencoc/v1/notifications/channels", json=body, auth=tenant.auth)
        assert added.status_code == 200, added.text

    return configure
