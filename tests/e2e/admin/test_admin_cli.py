"""The admin CLI forms other tools depend on, acting on SQLite and PostgreSQL."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from harness.server import server_env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opencoc", *args], env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def cli_env(backend: str, tmp_path: Path) -> dict[str, str]:
    return server_env(tmp_path, None if backend.startswith("sqlite") else backend)


def _engine_url(backend: str, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'opencoc.db'}" if backend.startswith("sqlite") else backend


def test_create_tenant_user_and_key_print_the_documented_json(
    cli_env: dict[str, str], backend: str, tmp_path: Path
) -> None:
    name = f"acme-{tmp_path.name[-12:]}"
    tenant = json.loads(_run(cli_env, "admin", "create-tenant", name, "--json").stdout)
    assert set(tenant) == {"name", "domain_id"} and tenant["name"] == name and len(tenant["domain_id"]) == 32

    user = json.loads(
        _run(
            cli_env, "admin", "create-user", "--tenant", name, "--user", "bob", "--password", "pw-123456", "--json"
        ).stdout
    )
    assert set(user) == {"user_id", "role"} and user["role"] == "operator"

    key = json.loads(_run(cli_env, "admin", "create-key", "--tenant", name, "--user", "bob", "--json").stdout)
    assert set(key) == {"access_key", "secret_key", "domain_id", "user_id"}
    assert key["domain_id"] == tenant["domain_id"] and key["user_id"] == user["user_id"]

    admin_key = json.loads(_run(cli_env, "admin", "create-key", "--tenant", name, "--json").stdout)
    assert admin_key["user_id"] != user["user_id"]

    engine = create_engine(_engine_url(backend, tmp_path))
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT secret_encrypted FROM access_keys WHERE access_key = :k"), {"k": key["access_key"]}
        ).scalar_one()
        hashed = conn.execute(
            text("SELECT password_hash FROM users WHERE user_id = :u"), {"u": user["user_id"]}
        ).scalar_one()
    engine.dispose()
    assert key["secret_key"] not in stored, "secret keys must be encrypted at rest"
    assert hashed.startswith("$argon2") and "pw-123456" not in hashed


def test_duplicate_tenant_and_unknown_tenant_fail_cleanly(cli_env: dict[str, str], tmp_path: Path) -> None:
    name = f"dup-{tmp_path.name[-12:]}"
    assert _run(cli_env, "admin", "create-tenant", name, "--json").returncode == 0
    again = _run(cli_env, "admin", "create-tenant", name, "--json")
    assert again.returncode == 1 and "already exists" in again.stderr
    missing = _run(cli_env, "admin", "create-key", "--tenant", "no-such-tenant", "--json")
    assert missing.returncode == 1 and "not found" in missing.stderr and "Traceback" not in missing.stderr


def test_create_user_with_a_role_and_set_role(cli_env: dict[str, str], backend: str, tmp_path: Path) -> None:
    name = f"roles-{tmp_path.name[-12:]}"
    assert _run(cli_env, "admin", "create-tenant", name, "--json").returncode == 0
    made = _run(cli_env, "admin", "create-user", "--tenant", name, "--user", "vic", "--role", "viewer", "--json")
    assert json.loads(made.stdout)["role"] == "viewer"
    promoted = _run(cli_env, "admin", "set-role", "--tenant", name, "--user", "vic", "--role", "operator")
    assert (promoted.returncode, promoted.stdout.strip()) == (0, "vic is now operator")
    again = _run(cli_env, "admin", "set-role", "--tenant", name, "--user", "vic", "--role", "operator")
    assert again.stdout.strip() == "vic already was operator"
    wrong = _run(cli_env, "admin", "set-role", "--tenant", name, "--user", "vic", "--role", "owner")
    assert wrong.returncode == 1 and "expected one of admin, operator, viewer" in wrong.stderr
    assert "Traceback" not in wrong.stderr
    engine = create_engine(_engine_url(backend, tmp_path))
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT u.name, u.role FROM users u JOIN tenants t ON t.id = u.tenant_id"
                " WHERE t.name = :n ORDER BY u.id"
            ),
            {"n": name},
        ).all()
    engine.dispose()
    assert [tuple(r) for r in stored] == [("admin", "admin"), ("vic", "operator")]
