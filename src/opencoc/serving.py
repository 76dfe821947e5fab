"""The server process: uvicorn with OpenCOC's HTTP protocol and logging, and nothing else loaded.

`opencoc serve` migrates the schema, then replaces itself with `python -m opencoc.serving`: the
CLI's modules (every command, Typer, Rich, the agent) and Alembic would otherwise stay in the
server for its whole life (~15 MB of its ~120 MB at rest), and the server never migrates again
(OPENCOC_MIGRATE_ON_START=0). Each worker is a fresh interpreter importing only the app.
"""

import argparse
import copy
from typing import Any

import uvicorn

from opencoc.config import Settings, get_settings
from opencoc.core.http_limits import LimitedHttpToolsProtocol


def log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's logging, with OpenCOC's own `opencoc.*` loggers on the same handler and level."""
    config = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["loggers"]["opencoc"] = {"handlers": ["default"], "level": settings.log_level.upper(), "propagate": False}
    return config


def serve(workers: int) -> None:
    """Serve on OPENCOC_HOST:OPENCOC_PORT with `workers` processes until stopped."""
    settings = get_settings()
    uvicorn.run(
        "opencoc.app:served_app",  # in each worker: uvicorn starts workers as fresh interpreters
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        log_level=settings.log_level,
        log_config=log_config(settings),
        access_log=False,
        timeout_graceful_shutdown=3,
        loop="uvloop",
        # The console's own rule decides which proxies' X-Forwarded-Proto is trusted
        # (OPENCOC_CONSOLE_TRUSTED_PROXIES, console/session.py), and it needs the real peer's
        # address: uvicorn's default would replace it with X-Forwarded-For's whenever the peer is
        # 127.0.0.1, and add a middleware layer to every request, an agent's long-poll included.
        proxy_headers=False,
        # httptools with the request-head limits and deadlines it lacks (core/http_limits.py).
        http=LimitedHttpToolsProtocol,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m opencoc.serving", description=__doc__)
    parser.add_argument("--workers", type=int, default=1)
    serve(parser.parse_args().workers)
