"""A real `opencoc serve` per test module on its own database (SQLite file or PostgreSQL database).

These tests break or load their server on purpose, so they never share the session's server.
"""

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness import postgres
from harness.server import LiveServer

_names = itertools.count(1)


def own_database(request: pytest.FixtureRequest, kind: str, data_dir: Path) -> str | None:
    """None for SQLite in `data_dir`, or the URL of a new PostgreSQL database (skips without PostgreSQL)."""
    if kind == "sqlite":
        return None
    server: postgres.PgServer | None = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL is not available (set OPENCOC_TEST_POSTGRES=required to insist)")
    return server.create_database(f"opencoc_own_{next(_names)}")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def own_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("own")
    server = LiveServer(data_dir, own_database(request, request.param, data_dir)).start()
    yield server
    server.stop()
