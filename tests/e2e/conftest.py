"""Fixtures of the end-to-end tests: two `opencoc serve` replicas on one throwaway PostgreSQL."""

import itertools
from collections.abc import Iterator

import pytest

from harness import postgres
from harness.replicas import start_replicas, stop_replicas
from harness.server import LiveServer

_names = itertools.count(1)
# The tests' SMTP servers listen on 127.0.0.1, which the notification allow-list refuses unless listed.
REPLICA_ENV = {"OPENCOC_NOTIFY_ALLOWED_HOSTS": "127.0.0.1"}


@pytest.fixture(scope="module")
def two_replicas(
    pg_server: postgres.PgServer | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[LiveServer]]:
    """Replicas A and B on a fresh PostgreSQL database (skipped without PostgreSQL)."""
    if pg_server is None:
        pytest.skip("PostgreSQL is not available (set OPENCOC_TEST_POSTGRES=required to insist)")
    database_url = pg_server.create_database(f"opencoc_replicas_{next(_names)}")
    servers = start_replicas(tmp_path_factory.mktemp("replicas"), database_url, 2, REPLICA_ENV)
    yield servers
    stop_replicas(servers)
