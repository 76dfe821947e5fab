"""`opencoc script ...`: custom scripts through the signed API.

`script_app` is module-level so that opencoc/cli.py can add `script run` (a jobs command) to it.
"""

import re
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from opencoc.client.cli import api, api_errors
from opencoc.core.cli_support import console, emit_json, fail
from opencoc.scripts.statuses import APPROVED, REJECTED

script_app = typer.Typer(help="Custom scripts: create, list, show, update, delete, review.", no_args_is_help=True)

_TYPES = {".sh": "SHELL", ".bash": "SHELL", ".py": "PYTHON", ".bat": "BAT", ".cmd": "BAT"}
_FILE_REQUIRED = typer.Option(..., "--file", "-f", help="The script's content.")
_FILE = typer.Option(None, "--file", "-f", help="The script's content.")
_PARAM = typer.Option(None, "--param", help="NAME=DEFAULT, repeatable, in order.")
_SECRET = typer.Option(None, "--sensitive-param", help="NAME=DEFAULT of a sensitive parameter (stored encrypted).")
_REVIEWER = typer.Option(None, "--reviewer", help="NAME:USER_ID of a reviewer, repeatable (at most 5).")
_JSON = typer.Option(False, "--json", help="Print JSON.")


def _read(file: Path) -> str:
    try:
        return file.read_text()
    except OSError as exc:
        fail(f"cannot read {file}: {exc}")


def _pair(text: str, sep: str, what: str) -> tuple[str, str]:
    if sep not in text:
        fail(f"{what} must look like A{sep}B, got {text!r}")
    left, right = text.split(sep, 1)
    return left, right


def _params(plain: list[str] | None, secret: list[str] | None) -> list[dict[str, Any]] | None:
    items = [(p, False) for p in plain or []] + [(p, True) for p in secret or []]
    if not items:
        return None
    out = []
    for order, (text, sensitive) in enumerate(items, start=1):
        name, value = _pair(text, "=", "--param")
        out.append(
            {
                "param_name": name,
                "param_value": value,
                "param_description": "",
                "param_order": order,
                "sensitive": sensitive,
            }
        )
    return out


def _reviewers(values: list[str] | None) -> list[dict[str, str]] | None:
    if values is None:
        return None
    out = []
    for text in values:
        name, user_id = _pair(text, ":", "--reviewer")
        out.append({"reviewer_name": name, "reviewer_id": user_id})
    return out


def _show(data: Any, json_out: bool) -> None:
    if json_out:
        emit_json(data)
    else:
        console.print(data)


@script_app.command("create")
def create(
    file: Path = _FILE_REQUIRED,
    name: str = typer.Option(None, "--name", help="Letters, digits and _ (default: from the file name)."),
    type: str = typer.Option(None, "--type", help="SHELL, PYTHON or BAT (default: from the file suffix)."),
    risk: str = typer.Option("LOW", "--risk", help="LOW, MEDIUM or HIGH."),
    version: str = typer.Option("1.0.0", "--version"),
    description: str = typer.Option(None, "--description"),
    param: list[str] = _PARAM,
    sensitive_param: list[str] = _SECRET,
    reviewer: list[str] = _REVIEWER,
    protocol: str = typer.Option(None, "--protocol", help="How reviewers are notified (EMAIL, ..., NOT_TO_NOTIFY)."),
    json_out: bool = _JSON,
) -> None:
    """Create a custom script from a file."""
    script_type = type or _TYPES.get(file.suffix.lower())
    if script_type is None:
        fail(f"cannot tell the script type from {file.name}: pass --type SHELL|PYTHON|BAT")
    body: dict[str, Any] = {
        "name": name or re.sub(r"\W", "_", file.stem)[:64],
        "type": script_type.upper(),
        "content": _read(file),
        "description": description or f"{file.name}",
        "properties": {
            "risk_level": risk.upper(),
            "version": version,
            "reviewers": _reviewers(reviewer),
            "protocol": protocol,
        },
        "script_params": _params(param, sensitive_param),
    }
    with api_errors():
        uuid = api().post("/v1/job/scripts", body)["data"]
    emit_json({"script_uuid": uuid}) if json_out else console.print(f"script {body['name']} created: {uuid}")


@script_app.command("list")
def list_(
    limit: int = typer.Option(100, "--limit", min=1, max=100),
    marker: int = typer.Option(None, "--marker", help="The id of the last script of the previous page."),
    name_like: str = typer.Option(None, "--name-like"),
    type: str = typer.Option(None, "--type"),
    risk: str = typer.Option(None, "--risk"),
    creator: str = typer.Option(None, "--creator"),
    json_out: bool = _JSON,
) -> None:
    """List the tenant's scripts, newest first."""
    with api_errors():
        page = api().get(
            "/v1/job/scripts",
            limit=limit,
            marker=marker,
            name_like=name_like,
            type=type,
            risk_level=risk,
            creator=creator,
        )["data"]
    if json_out:
        emit_json(page)
        return
    table = Table("id", "script_uuid", "name", "type", "risk", "version", "status", "creator")
    for s in page["data"]:
        props = s["properties"]
        row = (s["script_uuid"], s["name"], s["type"], props["risk_level"], props["version"], s["status"], s["creator"])
        table.add_row(str(s["id"]), *row)
    console.print(table)
    console.print(f"{len(page['data'])} of {page['total']}")


@script_app.command("show")
def show(script_uuid: str, json_out: bool = _JSON) -> None:
    """Show a script (sensitive values masked)."""
    with api_errors():
        data = api().get(f"/v1/job/scripts/{script_uuid}")["data"]
    _show(data, json_out)


@script_app.command("update")
def update(
    script_uuid: str,
    file: Path = _FILE,
    description: str = typer.Option(None, "--description"),
    risk: str = typer.Option(None, "--risk"),
    version: str = typer.Option(None, "--version"),
    param: list[str] = _PARAM,
    sensitive_param: list[str] = _SECRET,
    reviewer: list[str] = _REVIEWER,
    no_reviewers: bool = typer.Option(False, "--no-reviewers", help="Remove every reviewer."),
    protocol: str = typer.Option(None, "--protocol"),
) -> None:
    """Modify a script: what is not given stays as it is (parameters are replaced as a whole)."""
    client = api()
    with api_errors():
        current = client.get(f"/v1/job/scripts/{script_uuid}")["data"]
    props = current["properties"]
    new_reviewers = [] if no_reviewers else _reviewers(reviewer)
    body = {
        "description": description or current["description"],
        "content": _read(file) if file else current["content"],
        "properties": {
            "risk_level": (risk or props["risk_level"]).upper(),
            "version": version or props["version"],
            "reviewers": props["reviewers"] if new_reviewers is None else new_reviewers,
            "protocol": protocol or props["protocol"],
        },
        "script_params": _params(param, sensitive_param) or current["script_params"],
    }
    with api_errors():
        client.put(f"/v1/job/scripts/{script_uuid}", body)
    console.print(f"script {script_uuid} updated")


@script_app.command("delete")
def delete(script_uuid: str) -> None:
    """Delete a script."""
    with api_errors():
        api().delete(f"/v1/job/scripts/{script_uuid}")
    console.print(f"script {script_uuid} deleted")


def _review(script_uuid: str, status: str, comments: str | None) -> None:
    with api_errors():
        api().post(f"/v1/job/scripts/{script_uuid}/action", {"status": status, "comments": comments})
    console.print(f"script {script_uuid} {status.lower()}")


@script_app.command("approve")
def approve(script_uuid: str, comments: str = typer.Option(None, "--comments")) -> None:
    """Approve a script pending your review."""
    _review(script_uuid, APPROVED, comments)


@script_app.command("reject")
def reject(script_uuid: str, comments: str = typer.Option(None, "--comments")) -> None:
    """Reject a script pending your review."""
    _review(script_uuid, REJECTED, comments)


@script_app.command("check")
def check(file: Path = _FILE_REQUIRED, json_out: bool = _JSON) -> None:
    """The risk level of a script file and the dangerous commands it contains."""
    with api_errors():
        data = api().post("/v1/job/analyze-job", {"content": _read(file)})["data"]
    if json_out:
        emit_json(data)
        return
    console.print(f"risk level: {data['risk_level']}")
    for cmd in data["blacklist_commands"]:
        console.print(f"  {cmd['command_name']}: {cmd['example']} - {cmd['description_en']}")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    app.add_typer(script_app, name="script")
