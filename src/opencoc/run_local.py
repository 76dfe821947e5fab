"""`opencoc run-local`: the server plus one agent on this host (what `make run` starts)."""

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
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


def _wait_healthy(server: "subprocess.Popen[bytes]", endpoint: str, timeout_s: float = 60.0) -> None:
    """Return once the server answers its health check; exit if it stops first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"the server exited with status {server.returncode}")
        try:
            if httpx.get(f"{endpoint}/opencoc/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    fail(f"the server did not answer on {endpoint} within {timeout_s:.0f} s")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    @app.command("run-local")
    def run_local(
        tenant: str = typer.Option("default", "--tenant"),
        agent: bool = typer.Option(True, "--agent/--no-agent", help="Also run an agent for this host."),
    ) -> None:
        """Serve the API and run a local agent enrolled in TENANT (enrols once, keeps its identity)."""
        settings = get_settings()
        state_dir = Path(settings.data_dir) / "agent"
        server = subprocess.Popen([sys.executable, "-m", "opencoc", "serve"])
        agent_proc = None
        try:
            _wait_healthy(server, settings.endpoint)
            if agent:
                argv = [sys.executable, "-m", "opencoc", "agent", "--server", settings.endpoint]
                argv += ["--state-dir", str(state_dir)]
                if not (state_dir / "identity.json").exists():
                    argv += ["--token", _enroll_token(tenant)]
                agent_proc = subprocess.Popen(argv)
                console.print(f"local agent started (state in {state_dir})")
            console.print(f"OpenCOC is serving on [bold]{settings.endpoint}[/bold] (Ctrl+C stops it)")
            console.print(f"web console: [bold]{settings.endpoint}/console/[/bold]")
            server.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for proc in (agent_proc, server):
                if proc is not None and proc.poll() is None:
                    proc.terminate()
                    proc.wait(15)
