"""Typed dependencies of the jobs domain."""

from typing import Annotated

from fastapi import Depends, Request

from opencoc.jobs.groups import TaskGroups
from opencoc.jobs.probe import WorkProbe


async def get_probe(request: Request) -> WorkProbe:
    """The process's shared work check of the agents' long-polls, built by the app factory."""
    probe: WorkProbe = request.app.state.jobs_work_probe  # Starlette's State is untyped
    return probe


Probe = Annotated[WorkProbe, Depends(get_probe)]


async def get_groups(request: Request) -> TaskGroups:
    """The process's grouped hand-outs and results of agent tasks, built by the app factory."""
    groups: TaskGroups = request.app.state.jobs_task_groups
    return groups


Groups = Annotated[TaskGroups, Depends(get_groups)]
