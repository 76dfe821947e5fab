"""Helpers shared by every CLI command: database access, output, errors (the API client is in client/cli.py)."""

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from opencoc.config import get_settings
from opencoc.core.crypto import Cipher, load_master_key
from opencoc.core.db import Database
from opencoc.core.errors import OpenCOCError

console = Console()
err_console = Console(stderr=True)


def open_database() -> Database:
    """The configured database, migrated to head (admin commands act on it directly)."""
    settings = get_settings()
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    from opencoc.core import migrate  # here, not at the top: alembic is most of a CLI command's start-up

    db = Database(settings.resolved_database_url)
    migrate.upgrade(db)
    return db


def cipher() -> Cipher:
    return Cipher(load_master_key(get_settings()))


def emit_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(code)


@contextmanager
def admin_errors() -> Iterator[None]:
    """Turn service errors into a one-line message and exit status 1."""
    try:
        yield
    except OpenCOCError as exc:
        fail(exc.error_msg)
