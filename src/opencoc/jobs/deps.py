"""Typed dependencies of the jobs domain."""

import json
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError

from opencoc.jobs.announced import Announced
from opencoc.jobs.groups import TaskGroups


async def get_announced(request: Request) -> Announced:
    """The process's kept announcements of agents' work (jobs/announced.py), built by the app factory."""
    announced: Announced = request.app.state.jobs_announced  # Starlette's State is untyped
    return announced


AnnouncedDep = Annotated[Announced, Depends(get_announced)]


async def get_groups(request: Request) -> TaskGroups:
    """The process's grouped hand-outs and results of agent tasks, built by the app factory."""
    groups: TaskGroups = request.app.state.jobs_task_groups
    return groups


Groups = Annotated[TaskGroups, Depends(get_groups)]


async def result_json(request: Request) -> Any:
    """A task result's JSON, read by the standard library as FastAPI reads a body: unlike orjson it takes a
    lone surrogate's escape, so that the result's own rule names the field (jobs/schemas.py TaskResult)."""
    try:
        return json.loads(await request.body())
    except (ValueError, RecursionError) as exc:  # FastAPI's error for a body that is not JSON (or nested too deep)
        pos = exc.pos if isinstance(exc, json.JSONDecodeError) else 0
        error = {"type": "json_invalid", "loc": ("body", pos), "msg": "JSON decode error", "input": {}}
        raise RequestValidationError([error]) from None


ResultJson = Annotated[Any, Depends(result_json)]
