"""Typed dependencies of the notifications routes: the server's allow-list."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from opencoc.notifications.allowlist import Policy

STATE_KEY = "notify_policy"


def policy_of(conn: HTTPConnection) -> Policy:
    policy: Policy = getattr(conn.app.state, STATE_KEY)
    return policy


async def get_policy(request: Request) -> Policy:
    return policy_of(request)


NotifyPolicy = Annotated[Policy, Depends(get_policy)]
