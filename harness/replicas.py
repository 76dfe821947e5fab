"""Several `opencoc serve` processes on one PostgreSQL database: OpenCOC scaled out, for tests and bench."""

from pathlib import Path

from harness.server import LiveServer


def start_replicas(
    data_dir: Path, database_url: str, count: int = 2, extra_env: dict[str, str] | None = None
) -> list[LiveServer]:
    """Start `count` servers on one database, one after the other (the first one migrates it).

    They share the master key (harness.server.server_env), as replicas must. On failure the ones
    already started are stopped.
    """
    if database_url.startswith("sqlite"):
        raise ValueError("replicas share a PostgreSQL database; SQLite serves one process group")
    servers: list[LiveServer] = []
    try:
        for _ in range(count):
            servers.append(LiveServer(data_dir, database_url, extra_env=dict(extra_env or {})).start())
    except BaseException:
        stop_replicas(servers)
        raise
    return servers


def stop_replicas(servers: list[LiveServer]) -> None:
    for server in servers:
        server.stop()
