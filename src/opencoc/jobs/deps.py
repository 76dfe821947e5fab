"""Typed dependencies of the jobs domain."""

from typing import Annotated

from fastapi import Depends, Request

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
