"""What the jobs domain reads: the current version, decrypted, and any recorded version."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from opencoc.core.db import Database
from opencoc.core.errors import OpenCOCError
from opencoc.scripts import service
from opencoc.scripts.executable import ParamDef
from tests.api.scripts.helpers import create, edit_body, param, show, tenant_id
from tests.support.signing import TenantKey


def test_get_executable_decrypts_defaults_and_get_version_returns_what_ran(
    client: TestClient, tenant: TenantKey, db: Database
) -> None:
    cipher = client.app.state.cipher  # type: ignore[attr-defined]
    params = [param("host", "h1", 1), param("token", "t0ps3cret", 2, sensitive=True, param_description="api token")]
    uuid = create(client, tenant, content="echo ${host}", props={"version": "v1"}, script_params=params)
    tid = tenant_id(db, tenant)
    with db.read() as session:
        first = service.get_executable(session, tenant_id=tid, script_uuid=uuid, cipher=cipher)
    assert first.script_uuid == uuid and first.type == "SHELL" and first.content == "echo ${host}"
    assert first.status == "APPROVED" and first.version_name == "v1"
    assert first.params == [
        ParamDef("host", "h1", "desc", 1, False),
        ParamDef("token", "t0ps3cret", "api token", 2, True),
    ]
    first.ensure_approved()

    current = show(client, tenant, uuid)
    changed = edit_body(current, content="echo v2", properties={"risk_level": "LOW", "version": "v2"})
    assert client.put(f"/v1/job/scripts/{uuid}", json=changed, auth=tenant.auth).status_code == 200
    with db.read() as session:
        second = service.get_executable(session, tenant_id=tid, script_uuid=uuid, cipher=cipher)
        again = service.get_version(session, tenant_id=tid, version_id=first.version_id, cipher=cipher)
    assert second.version_id != first.version_id and second.content == "echo v2" and second.version_name == "v2"
    assert second.params[1].value == "t0ps3cret", "the masked value sent back keeps the secret"
    assert again.content == "echo ${host}" and again.version_name == "v1" and again.params == first.params

    assert client.delete(f"/v1/job/scripts/{uuid}", auth=tenant.auth).status_code == 200
    with db.read() as session:
        deleted = service.get_version(session, tenant_id=tid, version_id=second.version_id, cipher=cipher)
    assert deleted.status == "DELETED" and deleted.content == "echo v2"


def test_pending_scripts_are_not_executable_and_other_tenants_not_found(
    client: TestClient, make_tenant: Callable[..., TenantKey], db: Database
) -> None:
    cipher = client.app.state.cipher  # type: ignore[attr-defined]
    owner, other = make_tenant(), make_tenant()
    reviewers = [{"reviewer_name": "x", "reviewer_id": "x" * 32}]
    uuid = create(client, owner, props={"reviewers": reviewers, "protocol": "NOT_TO_NOTIFY"})
    with db.read() as session:
        pending = service.get_executable(session, tenant_id=tenant_id(db, owner), script_uuid=uuid, cipher=cipher)
        with pytest.raises(OpenCOCError) as gone:
            service.get_executable(session, tenant_id=tenant_id(db, other), script_uuid=uuid, cipher=cipher)
        with pytest.raises(OpenCOCError) as malformed:
            service.get_executable(session, tenant_id=tenant_id(db, owner), script_uuid="nope", cipher=cipher)
        with pytest.raises(OpenCOCError) as foreign_version:
            service.get_version(session, tenant_id=tenant_id(db, other), version_id=pending.version_id, cipher=cipher)
    with pytest.raises(OpenCOCError) as refused:
        pending.ensure_approved()
    assert refused.value.error_code == "COC.00040605" and "PENDING_APPROVE" in refused.value.error_msg
    assert gone.value.error_code == "COC.00040604" and malformed.value.error_code == "COC.00040601"
    assert foreign_version.value.error_code == "COC.00040604"
