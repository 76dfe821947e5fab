"""A server with a short agent grace (6 s) per backend, a tenant, and three real agent processes."""

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from harness.server import LiveServer
from tests.conftest import cli_tenant
from tests.e2e.jobs.support import Api, Host, enroll_token, start_agent

GRACE_S = "6"
_n = itertools.count(1)


@pytest.fixture(scope="module")
def jobs_server(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    database_url = None
    if not backend.startswith("sqlite"):
        database_url = request.getfixturevalue("pg_server").create_database(f"jobs_e2e_{next(_n)}_{id(request)}")
    server = LiveServer(
        tmp_path_factory.mktemp("jobs-server"),
        database_url,
        extra_env={"OPENCOC_AGENT_OFFLINE_AFTER_SECONDS": GRACE_S},
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def api(jobs_server: LiveServer) -> Iterator[Api]:
    tenant = cli_tenant(jobs_server.data_dir, jobs_server.database_url, f"jobs{next(_n)}")
    with Api(jobs_server, tenant) as api:
        yield api


@pytest.fixture(scope="module")
def add_hosts(
    jobs_server: LiveServer, api: Api, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[..., list[Host]]]:
    """Start more agent processes (with extra agent options) in the module's tenant; all stopped at the end."""
    token = enroll_token(jobs_server, api.tenant.name)
    root: Path = tmp_path_factory.mktemp("agents")
    started: list[Host] = []

    def add(n: int, *extra: str) -> list[Host]:
        new = [start_agent(jobs_server, token, root / f"agent-{len(started) + i}", *extra) for i in range(n)]
        started.extend(new)
        return new

    yield add
    for host in started:
        host.stop()


@pytest.fixture(scope="module")
def hosts(add_hosts: Callable[..., list[Host]]) -> list[Host]:
    return add_hosts(3)
