"""Typed FastAPI dependencies for what the app holds (database, settings, cipher, wake-ups) and raw JSON bodies.

Routes declare these as parameters (`db: Db`) and never read `request.app.state` themselves;
the getters are `async` so that FastAPI calls them inline instead of on its thread pool.
Dependency modules of the domains (auth/deps.py, agents/deps.py) use the plain accessors
(`database(request)`, ...) for what they need.
"""

from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from opencoc.config import Settings
from opencoc.core.crypto import Cipher
from opencoc.core.db import Database
from opencoc.core.envelopes import default_validation_code, family_for_path
from opencoc.core.errors import OpenCOCError
from opencoc.core.wakeups import Wakeups


def database(conn: HTTPConnection) -> Database:
    db: Database = conn.app.state.db  # Starlette's State is untyped
    return db


def settings_of(conn: HTTPConnection) -> Settings:
    settings: Settings = conn.app.state.settings  # Starlette's State is untyped
    return settings


def cipher_of(conn: HTTPConnection) -> Cipher:
    cipher: Cipher = conn.app.state.cipher  # Starlette's State is untyped
    return cipher


def wakeups_of(conn: HTTPConnection) -> Wakeups:
    wakeups: Wakeups = conn.app.state.wakeups  # Starlette's State is untyped
    return wakeups


async def get_db(request: Request) -> Database:
    return database(request)


async def get_settings(request: Request) -> Settings:
    return settings_of(request)


async def get_cipher(request: Request) -> Cipher:
    return cipher_of(request)


async def get_wakeups(request: Request) -> Wakeups:
    return wakeups_of(request)


def _invalid(request: Request, msg: str) -> OpenCOCError:
    return OpenCOCError(default_validation_code(family_for_path(request.url.path)), msg)


async def json_body(request: Request) -> Any:
    """The body parsed with orjson (no pydantic layer: the hot routes validate it themselves)."""
    try:
        return orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise _invalid(request, "request body is not valid JSON") from None


async def json_object(request: Request) -> dict[str, Any]:
    """The body as a JSON object; a 400 in the path family's envelope otherwise."""
    payload = await json_body(request)
    if not isinstance(payload, dict):
        raise _invalid(request, "request body must be a JSON object")
    return payload


Db = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]
AppCipher = Annotated[Cipher, Depends(get_cipher)]
AppWakeups = Annotated[Wakeups, Depends(get_wakeups)]
JsonBody = Annotated[Any, Depends(json_body)]
JsonObjectBody = Annotated[dict[str, Any], Depends(json_object)]
