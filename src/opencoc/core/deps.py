"""Typed FastAPI dependencies for what the app holds: database, settings, cipher, wake-ups."""

from typing import Annotated

from fastapi import Depends, Request

from opencoc.config import Settings
from opencoc.core.crypto import Cipher
from opencoc.core.db import Database
from opencoc.core.wakeups import Wakeups


def get_db(request: Request) -> Database:
    return request.app.state.db


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_cipher(request: Request) -> Cipher:
    return request.app.state.cipher


def get_wakeups(request: Request) -> Wakeups:
    return request.app.state.wakeups


Db = Annotated[Database, Depends(get_db)]
AppSettings = Annotated[Settings, Depends(get_settings)]
AppCipher = Annotated[Cipher, Depends(get_cipher)]
AppWakeups = Annotated[Wakeups, Depends(get_wakeups)]
