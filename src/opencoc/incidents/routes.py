"""HTTP routes of the incidents domain (§4.4.1), in the COC envelope.

The handlers read the body and app state from the Request and return the response themselves:
this is the hot path, and FastAPI's body, dependency and response-model layers cost more than
the database work (bench/incidents.py).
"""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request

from opencoc.auth.deps import CurrentCaller
from opencoc.core.db import Database
from opencoc.core.envelopes import coc_ok
from opencoc.core.errors import OpenCOCError
from opencoc.core.limits import INT32_MAX
from opencoc.core.openapi import json_body
from opencoc.core.responses import FastJSONResponse
from opencoc.incidents import enums, histories, schemas, service

router = APIRouter(tags=["incidents"])
CREATE_BODY = json_body(schemas.CreateIncidentRequest)
HANDLE_BODY = json_body(schemas.HandleIncidentRequest)
HISTORY_BODY = json_body(histories.ListTicketParams)


async def _json_object(request: Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 in the COC envelope."""
    try:
        payload = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise OpenCOCError(enums.INVALID_CODE, "request body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise OpenCOCError(enums.INVALID_CODE, "request body must be a JSON object")
    return payload


def _db(request: Request) -> Database:
    return request.app.state.db


@router.post("/v1/external/incident/create", response_model=None, openapi_extra=CREATE_BODY)
async def create_incident(request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """Create an incident ticket; `data.incident_num` names it."""
    body = schemas.parse(schemas.CreateIncidentRequest, await _json_object(request))

    def create(session: Any) -> str:
        incident = service.create_incident(session, tenant_id=caller.tenant_id, body=body, project_id=caller.project_id)
        return incident.incident_num

    return FastJSONResponse(coc_ok({"incident_num": await _db(request).run_write(create)}))


@router.post("/v1/external/incident/handle", response_model=None, openapi_extra=HANDLE_BODY)
async def handle_incident(request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """Accept, commit a solution to, or confirm an incident (operate_key)."""
    body = schemas.parse(schemas.HandleIncidentRequest, await _json_object(request))
    await _db(request).run_write(lambda s: service.handle_incident(s, tenant_id=caller.tenant_id, body=body))
    return FastJSONResponse(coc_ok(None))


@router.get("/v1/external/incident/{incident_num}", response_model=None)
async def show_incident(incident_num: str, request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """Every field of the incident, with the names of its enumerated values."""
    schemas.check_incident_num(incident_num)
    data = await _db(request).run_read(
        lambda s: service.detail(s, tenant_id=caller.tenant_id, incident_num=incident_num)
    )
    return FastJSONResponse(coc_ok(data))


@router.get("/v1/incident-tickets", response_model=None)
async def list_incident_tickets(
    request: Request,
    caller: CurrentCaller,
    offset: Annotated[int, Query(ge=0, le=INT32_MAX)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> FastJSONResponse:
    """The tenant's incidents, newest first (`offset` is the page number, 1 = first page)."""
    data = await _db(request).run_read(
        lambda s: service.list_tickets(s, tenant_id=caller.tenant_id, offset=offset, limit=limit)
    )
    return FastJSONResponse(coc_ok(data))


@router.post("/v1/{ticket_type}/list-histories", response_model=None, openapi_extra=HISTORY_BODY)
@router.post("/v1/external/{ticket_type}/list-histories", response_model=None, openapi_extra=HISTORY_BODY)
async def list_ticket_histories(ticket_type: str, request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """The operations recorded on the incidents a `ticket_id` filter names (`data: {total, info}`)."""
    histories.check_ticket_type(ticket_type)
    params = schemas.parse(histories.ListTicketParams, await _json_object(request))
    data = await _db(request).run_read(lambda s: histories.list_histories(s, tenant_id=caller.tenant_id, params=params))
    return FastJSONResponse(coc_ok(data))
