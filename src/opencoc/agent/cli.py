"""`opencoc agent ...`: replaces itself with the lean agent process (`python -m opencoc.agent`).

The `opencoc` CLI loads every domain (SQLAlchemy, FastAPI, Rich); the agent needs only the
stdlib and httpx, so exec keeps its memory small. Options are parsed by `opencoc.agent.main`.
"""

import os
import sys

import typer

_PASS_THROUGH = {"allow_extra_args": True, "ignore_unknown_options": True}
# glibc would otherwise keep the memory of a 1 MB output after it is freed (its mmap threshold
# grows on each free) and give each executor thread its own arena. Scripts do not inherit these:
# the executor builds their environment itself.
_MALLOC = {"MALLOC_MMAP_THRESHOLD_": "131072", "MALLOC_ARENA_MAX": "2"}


def register(app: typer.Typer, admin: typer.Typer) -> None:
    @app.command("agent", context_settings=_PASS_THROUGH, add_help_option=False)
    def agent(ctx: typer.Context) -> None:
        """Run the agent: --server URL --token T --state-dir DIR [--region R --zone Z] [--simulate N]."""
        sys.stdout.flush()
        env = {**_MALLOC, **os.environ}
        os.execve(sys.executable, [sys.executable, "-m", "opencoc.agent", *ctx.args], env)
