"""`opencoc`: serve, agent, admin and user commands.

Every command module is listed here and registers its commands with `register(app, admin)`.
"""

import gc

import typer

from opencoc import run_local, serve_cli
from opencoc.agent import cli as agent_cli
from opencoc.agents import cli as agents_cli
from opencoc.alarms import cli as alarms_cli
from opencoc.approvals import cli as approvals_cli
from opencoc.attachments import cli as attachments_cli
from opencoc.auth import cli as auth_cli
from opencoc.incidents import cli as incidents_cli
from opencoc.jobs import cli as jobs_cli
from opencoc.notifications import cli as notifications_cli
from opencoc.oncall import cli as oncall_cli
from opencoc.resources import cli as resources_cli
from opencoc.scripts import cli as scripts_cli
from opencoc.warrooms import cli as warrooms_cli

app = typer.Typer(help="OpenCOC: self-hosted Cloud Operations Center.", no_args_is_help=True)
admin = typer.Typer(help="Administer tenants, users and keys (acts on the database directly).", no_args_is_help=True)
app.add_typer(admin, name="admin")

COMMAND_MODULES = (
    auth_cli,
    incidents_cli,
    alarms_cli,
    scripts_cli,
    jobs_cli,
    agents_cli,
    resources_cli,
    notifications_cli,
    oncall_cli,
    warrooms_cli,
    approvals_cli,
    attachments_cli,
    agent_cli,
    serve_cli,
    run_local,
)

for module in COMMAND_MODULES:
    module.register(app, admin)

# `opencoc script run` starts a script order: a jobs command, shown with the other script commands.
scripts_cli.script_app.command("run")(jobs_cli.run)


def main() -> None:
    try:
        app()
    finally:
        # Every domain is loaded: the interpreter's last garbage collections over those objects would
        # take half a second at exit (Ctrl+C of `make run` would linger); nothing is left to free.
        gc.freeze()
