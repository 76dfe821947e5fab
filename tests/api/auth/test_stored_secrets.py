"""Access-key secrets at rest: new keys are stored as version 2, keys stored before still sign in."""

from fastapi.testclient import TestClient
from sqlalchemy import text

from opencoc.core.db import Database
from tests.conftest import MASTER_KEY
from tests.support.old_secrets import old_encrypt
from tests.support.signing import TenantKey


def _stored(db: Database, access_key: str) -> str:
    with db.read() as session:
        return str(session.execute(text("SELECT secret_encrypted FROM access_keys WHERE access_key = :k"),
                                   {"k": access_key}).scalar_one())  # fmt: skip


def test_a_new_key_is_stored_as_version_2(db: Database, tenant: TenantKey) -> None:
    stored = _stored(db, tenant.access_key)
    assert stored.startswith("v2:") and tenant.secret_key not in stored


def test_a_key_stored_by_an_earlier_version_still_signs_in(client: TestClient, db: Database, tenant: TenantKey) -> None:
    with db.write() as session:
        session.execute(text("UPDATE access_keys SET secret_encrypted = :s WHERE access_key = :k"),
                        {"s": old_encrypt(MASTER_KEY, tenant.secret_key), "k": tenant.access_key})  # fmt: skip
    assert not _stored(db, tenant.access_key).startswith("v2:")
    resp = client.get("/opencoc/v1/alarm-mgmt/alarms", auth=tenant.auth)
    assert resp.status_code == 200, resp.text
