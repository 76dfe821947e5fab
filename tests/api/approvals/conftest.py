"""Fixtures of the approvals API tests: users of a tenant and requests opened as a domain opens them."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from opencoc.approvals import service as approvals
from opencoc.approvals.schemas import Approver, Subject
from opencoc.auth import service as auth_service
from opencoc.auth.caller import Caller
from opencoc.core.db import Database
from tests.support.signing import TenantKey


@pytest.fixture
def add_user(db: Database, client: TestClient) -> Callable[[TenantKey, str], TenantKey]:
    """Another user, with an access key, in an existing tenant."""

    def add(tenant: TenantKey, name: str) -> TenantKey:
        cipher = client.app.state.cipher  # type: ignore[attr-defined]
        with db.write() as session:
            auth_service.create_user(session, tenant_name=tenant.name, name=name, password=None)
            key = auth_service.create_access_key(session, cipher, tenant_name=tenant.name, user_name=name)
        return TenantKey(tenant.name, key.domain_id, key.user_id, key.access_key, key.secret_key)

    return add


def caller_of(db: Database, client: TestClient, key: TenantKey) -> Caller:
    cipher = client.app.state.cipher  # type: ignore[attr-defined]
    with db.read() as session:
        identity = auth_service.load_key(session, cipher, key.access_key)
    assert identity is not None
    return identity.caller


@pytest.fixture
def open_request(db: Database, client: TestClient) -> Callable[..., str]:
    """Open a request on a "change" subject as its domain would -> its approval_id."""

    def open_(requester: TenantKey, approvers: list[TenantKey], required: int = 1, subject_id: str = "CH1") -> str:
        caller = caller_of(db, client, requester)
        with db.write() as session:
            request = approvals.open_request(
                session,
                tenant_id=caller.tenant_id,
                subject=Subject(kind="change", id=subject_id, version="1"),
                title=f"change {subject_id}",
                requester=caller,
                approvers=[Approver(user_id=a.user_id) for a in approvers],
                required=required,
            )
        return request.approval_id

    return open_
