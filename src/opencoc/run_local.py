"""`opencoc run-local`: the server plus one agent on this host (what `make run` starts)."""

import json
import subprocess
import sys
from pathlib import Path

import typer

from opencoc.config import get_settings
from opencoc.core.cli_support import console, fail


def _enroll_token(tenant: str) -> str:
    out = subprocess.run(
        [sys.executable, "-m", "opencoc", "admin", "create-enroll-token", "--tenant", tenant, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        fail(f"could not create an enrolment token: {out.stderr.strip()}")
    return str(json.loads(out.stdout)["token"])


def register(app: typer.Typer, admin: typer.Typer) -> None:
    @app.command("run-local")
    def run_local(
        tenant: str = typer.Option("default", "--tenant"),
        agent: bool = typer.Option(True, "--agent/--no-agent", help="Also run an agent for this host."),
    ) -> None:
        """Serve the API and run a local agent enrolled in TENANT (enrols once, keeps its identity)."""
        settings = get_settings()
        state_dir = Path(settings.data_dir) / "agent"
        agent_proc = None
        if agent:
            argv = [
                sys.executable,
                "-m",
                "opencoc",
                "agent",
                "--server",
                settings.endpoint,
                "--state-dir",
                str(state_dir),
            ]
            if not (state_dir / "identity.json").exists():
                argv += ["--token", _enroll_token(tenant)]
            agent_proc = subprocess.Popen(argv)
            console.print(f"local agent started (state in {state_dir})")
        try:
            subprocess.run([sys.executable, "-m", "opencoc", "serve"], check=False)
        except KeyboardInterrupt:
            pass
        finally:
            if agent_proc is not None:
                agent_proc.terminate()
                agent_proc.wait(10)
