"""Typed dependencies of the alarm webhooks: the ingest writer, and the integration a webhook's key opens."""

from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from opencoc.alarms import integrations
from opencoc.alarms.writer import AlarmWriter
from opencoc.core.deps import database


def writer_of(conn: HTTPConnection) -> AlarmWriter:
    writer: AlarmWriter = conn.app.state.alarm_writer  # Starlette's State is untyped
    return writer


async def get_writer(request: Request) -> AlarmWriter:
    return writer_of(request)


async def custom_integration(request: Request, integration_key: str) -> integrations.KeyOwner:
    """The enabled `custom` integration of the path's key (401 when there is none)."""
    return await integrations.authorize(writer_of(request).keys, database(request), integration_key, "custom")


async def prometheus_integration(request: Request, integration_key: str) -> integrations.KeyOwner:
    """The enabled `prometheus` integration of the path's key (401 when there is none)."""
    return await integrations.authorize(writer_of(request).keys, database(request), integration_key, "prometheus")


Writer = Annotated[AlarmWriter, Depends(get_writer)]
CustomIntegration = Annotated[integrations.KeyOwner, Depends(custom_integration)]
PrometheusIntegration = Annotated[integrations.KeyOwner, Depends(prometheus_integration)]
