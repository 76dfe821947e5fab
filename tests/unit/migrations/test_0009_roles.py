"""Migration 0009 on SQLite and PostgreSQL: per tenant the earliest-created user becomes admin, the others operators."""

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from harness import postgres
from opencoc.core.migrate import MIGRATIONS

_names = itertools.count(1)
meta = sa.MetaData()
tenants = sa.Table(
    "tenants", meta, sa.Column("id", sa.Integer), sa.Column("name", sa.String), sa.Column("domain_id", sa.String),
    sa.Column("created_at", sa.BigInteger),
)  # fmt: skip
users = sa.Table(
    "users", meta, sa.Column("id", sa.Integer), sa.Column("tenant_id", sa.Integer), sa.Column("user_id", sa.String),
    sa.Column("name", sa.String), sa.Column("created_at", sa.BigInteger),
)  # fmt: skip


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.db'}"
        return
    server: postgres.PgServer | None = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL is not available (set OPENCOC_TEST_POSTGRES=required to insist)")
    yield server.create_database(f"roles_{next(_names)}")


def _migrate(url: str, revision: str) -> None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            cfg = Config()
            cfg.set_main_option("script_location", str(MIGRATIONS))
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            conn.commit()
    finally:
        engine.dispose()


def test_upgrade_makes_each_tenants_first_user_admin(url: str) -> None:
    _migrate(url, "0008_revocation")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(
            tenants.insert(), [{"id": t, "name": f"t{t}", "domain_id": str(t) * 32, "created_at": 1} for t in (1, 2)]
        )
        conn.execute(
            users.insert(),
            [
                # tenant 1: "admin" was renamed; "early" came first; tenant 2: two users created at once (lower id wins)
                {"id": 1, "tenant_id": 1, "user_id": "a" * 32, "name": "late", "created_at": 20},
                {"id": 2, "tenant_id": 1, "user_id": "b" * 32, "name": "early", "created_at": 10},
                {"id": 3, "tenant_id": 2, "user_id": "c" * 32, "name": "tie_low_id", "created_at": 5},
                {"id": 4, "tenant_id": 2, "user_id": "d" * 32, "name": "tie_high_id", "created_at": 5},
                {"id": 5, "tenant_id": 2, "user_id": "e" * 32, "name": "third", "created_at": 6},
            ],
        )
    _migrate(url, "0009_roles")
    with engine.connect() as conn:
        roles = dict(conn.execute(sa.text("SELECT name, role FROM users")).all())
    engine.dispose()
    assert roles == {
        "late": "operator",
        "early": "admin",
        "tie_low_id": "admin",
        "tie_high_id": "operator",
        "third": "operator",
    }
