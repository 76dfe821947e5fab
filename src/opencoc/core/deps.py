"""Typed FastAPI dependencies for what the app holds: database, settings, cipher, wake-ups.

The getters are `async` so that FastAPI calls them inline instead of on its thread pool.
"""

from typing import Annotated

from fastapi import Depends, Request

from opencoc.config import Settings
from opencoc.core.crypto import Cipher
from opencoc.core.db import Database
from opencoc.core.wakeups import Wakeups


async def get_db(request: Request) -> Database:
    return request.app.state.db


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_cipher(request: Request) -> Cipher:
    return request.app.state.cipher


async def get_wakeups(request: Request) -> Wakeups:
    return request.app.state.wakeups


Db = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]
AppCipher = Annotated[Cipher, Depends(get_cipher)]
AppWakeups = Annotated[Wakeups, Depends(get_wakeups)]
