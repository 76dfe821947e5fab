"""`opencoc`: serve, agent, admin and user commands.

Each domain may contribute commands through `opencoc.<domain>.cli.register(app, admin)`.
"""

import importlib

import typer

from opencoc.domains import DOMAINS

app = typer.Typer(help="OpenCOC: self-hosted Cloud Operations Center.", no_args_is_help=True)
admin = typer.Typer(help="Administer tenants, users and keys (acts on the database directly).", no_args_is_help=True)
app.add_typer(admin, name="admin")

CLI_MODULES = tuple(f"opencoc.{d}.cli" for d in DOMAINS) + (
    "opencoc.agent.cli",
    "opencoc.serve_cli",
    "opencoc.run_local",
)


def _register_all() -> None:
    for name in CLI_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(app, admin)


_register_all()


def main() -> None:
    app()
