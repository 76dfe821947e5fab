"""Typed dependencies of the approvals routes: the Deciders the subjects' domains registered."""

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request

from opencoc.approvals.service import Decider


async def get_deciders(request: Request) -> Mapping[str, Decider]:
    """By subject kind, from `app.APPROVAL_DECIDERS` (installed by the app factory)."""
    deciders: Mapping[str, Decider] = request.app.state.approval_deciders
    return deciders


Deciders = Annotated[Mapping[str, Decider], Depends(get_deciders)]
