"""Typed dependencies of the console's own process state (the sign-in throttle)."""

from typing import Annotated

from fastapi import Depends, Request

from opencoc.console.throttle import SignInThrottle


async def get_throttle(request: Request) -> SignInThrottle:
    throttle: SignInThrottle = request.app.state.console_throttle  # Starlette's State is untyped
    return throttle


Throttle = Annotated[SignInThrottle, Depends(get_throttle)]
