"""Typed dependencies of the attachments routes: the raw upload body."""

from typing import Annotated

from fastapi import Depends, Request


async def upload_body(request: Request) -> bytes:
    """The whole body; the body cap (core/middleware.py, this route's entry in app BODY_LIMITS) stops it early."""
    return await request.body()


UploadBody = Annotated[bytes, Depends(upload_body)]
