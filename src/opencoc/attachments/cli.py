"""`opencoc attachment upload|get|download|delete`: the attachments API from the shell."""

import mimetypes
from pathlib import Path
from typing import Any

import typer

from opencoc.client.cli import api, api_errors
from opencoc.core.cli_support import console, emit_json, fail

BASE = "/opencoc/v1/attachments"

attachment_app = typer.Typer(help="Files kept by the server: upload, get, download, delete.", no_args_is_help=True)
JSON_OUT = typer.Option(False, "--json", help="Print the API's JSON instead of a summary.")
FILE = typer.Argument(..., exists=True, dir_okay=False, readable=True)
OUTPUT = typer.Option(None, "--output", "-o", help="Where to write it (default: its name, here).")


def _summary(meta: dict[str, Any]) -> str:
    subject = f" on {meta['subject']['kind']} {meta['subject']['id']}" if meta["subject"] else ""
    return f"{meta['attachment_id']}  {meta['name']}  {meta['content_type']}  {meta['size']} bytes{subject}"


@attachment_app.command("upload")
def upload(
    file: Path = FILE,
    content_type: str = typer.Option(None, "--type", help="Its media type (default: guessed from the file name)."),
    name: str = typer.Option(None, "--name", help="The name it is kept under (default: the file's)."),
    subject: str = typer.Option(None, "--subject", help="KIND:ID of what it belongs to, e.g. incident:IM2024..."),
    json_out: bool = JSON_OUT,
) -> None:
    """Upload a file (text, JSON, CSV, PNG, JPEG, GIF, PDF, ZIP or gzip)."""
    media = content_type or mimetypes.guess_type(file.name)[0]
    if media is None:
        fail(f"cannot tell the type of {file.name}: give --type")
    params = {"name": name or file.name}
    if subject is not None:
        kind, sep, subject_id = subject.partition(":")
        if not sep:
            fail("--subject must be KIND:ID")
        params |= {"subject_kind": kind, "subject_id": subject_id}
    with api_errors():
        meta = api().upload(BASE, file.read_bytes(), media, params)["data"]
    if json_out:
        emit_json(meta)
    else:
        console.print(_summary(meta))


@attachment_app.command("get")
def get(attachment_id: str, json_out: bool = JSON_OUT) -> None:
    """An attachment's metadata (name, type, size, sha256, subject)."""
    with api_errors():
        meta = api().get(f"{BASE}/{attachment_id}")["data"]
    if json_out:
        emit_json(meta)
    else:
        console.print(f"{_summary(meta)}\nsha256 {meta['sha256']}")


@attachment_app.command("download")
def download(
    attachment_id: str,
    output: Path = OUTPUT,
) -> None:
    """Save an attachment's content to a file."""
    with api_errors():
        client = api()
        target = output or Path(Path(client.get(f"{BASE}/{attachment_id}")["data"]["name"]).name)
        data = client.download(f"{BASE}/{attachment_id}/content")
    target.write_bytes(data)
    console.print(f"{len(data)} bytes written to {target}")


@attachment_app.command("delete")
def delete(attachment_id: str) -> None:
    """Delete an attachment."""
    with api_errors():
        api().delete(f"{BASE}/{attachment_id}")
    console.print(f"attachment {attachment_id} deleted")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    app.add_typer(attachment_app, name="attachment")
