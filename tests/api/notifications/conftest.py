"""Fixtures of the notifications API tests: a real SMTP server, channel and target helpers."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from harness.server import free_port
from tests.support.mailbox import Mailbox
from tests.support.signing import TenantKey

CHANNELS = "/opencoc/v1/notifications/channels"
TARGETS = "/opencoc/v1/notifications/targets"
OUTBOX = "/opencoc/v1/notifications/outbox"


def mail_url(port: int, password: str | None = None) -> str:
    user = f"ops:{password}@" if password else ""
    return f"mailto://{user}127.0.0.1:{port}?from=opencoc@example.com"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port()).start()
    yield box
    box.stop()


@pytest.fixture
def add_channel(client: TestClient) -> Callable[..., dict[str, Any]]:
    def add(tenant: TenantKey, name: str, url: str) -> dict[str, Any]:
        added = client.post(CHANNELS, json={"name": name, "url": url}, auth=tenant.auth)
        assert added.status_code == 200, added.text
        data: dict[str, Any] = added.json()["data"]
        return data

    return add
