"""`opencoc resource import FILE.json`: add resources without agents (acts on the database)."""

from pathlib import Path
from typing import Annotated

import orjson
import typer
from pydantic import TypeAdapter, ValidationError

from opencoc.core.cli_support import admin_errors, console, emit_json, fail, open_database
from opencoc.core.clock import now_ms
from opencoc.core.validation import describe
from opencoc.resources import service
from opencoc.resources.schemas import ImportedResource

resource_app = typer.Typer(help="The tenant resource inventory.", no_args_is_help=True)
_ITEMS = TypeAdapter(list[ImportedResource])


def _read(path: Path) -> list[ImportedResource]:
    try:
        raw = orjson.loads(path.read_bytes())  # orjson: a deeply nested file is a ValueError, not a RecursionError
    except (OSError, ValueError) as exc:
        fail(f"cannot read {path}: {exc}")
    try:
        return _ITEMS.validate_python(raw)
    except ValidationError as exc:
        fail(f"{path}: {describe(exc.errors())}")


@resource_app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="A JSON list of objects: resource_id, name, provider, type, ...")],
    tenant: str = typer.Option(..., "--tenant"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Import resources without agents into a tenant's inventory (admin: acts on the database)."""
    items = _read(file)
    with admin_errors(), open_database().write() as session:
        count = service.import_resources(session, tenant_name=tenant, items=items, now=now_ms())
    emit_json({"imported": count}) if json_out else console.print(f"imported {count} resources")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    app.add_typer(resource_app, name="resource")
