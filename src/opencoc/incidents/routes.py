"""HTTP routes of the incidents domain (§4.4.1), in the COC envelope.

This is the hot path: the handlers take the body as parsed JSON (`JsonObjectBody`) and validate
it with the domain's own parser (COC's error wording), and return the response themselves,
because FastAPI's body and response-model layers cost more than the database work
(bench/incidents.py); create and handle are `FastRoute`s (core/fast_route.py), which also skip
its dependency solver. `json_body(...)` and `returns(...)` document the bodies in /openapi.json
all the same.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from opencoc.auth.deps import CurrentCaller
from opencoc.core.deps import Db, JsonObjectBody
from opencoc.core.envelopes import CocEnvelope, coc_ok
from opencoc.core.fast_route import FastRoute
from opencoc.core.limits import INT32_MAX
from opencoc.core.openapi import ERRORS, json_body, returns
from opencoc.core.responses import FastJSONResponse
from opencoc.incidents import histories, schemas, service

router = APIRouter(tags=["incidents"], responses=ERRORS["coc"])
hot = APIRouter(route_class=FastRoute, tags=["incidents"], responses=ERRORS["coc"])  # app.py includes it first
CREATE_BODY = json_body(schemas.CreateIncidentRequest)
HANDLE_BODY = json_body(schemas.HandleIncidentRequest)
HISTORY_BODY = json_body(histories.ListTicketParams)


async def _ticket_type(ticket_type: str) -> str:
    """The path's ticket type, checked before the body is read."""
    histories.check_ticket_type(ticket_type)
    return ticket_type


TicketType = Annotated[str, Depends(_ticket_type)]


@hot.post(
    "/v1/external/incident/create",
    response_model=None,
    responses=returns(CocEnvelope[schemas.CreatedIncident]),
    openapi_extra=CREATE_BODY,
)
async def create_incident(caller: CurrentCaller, db: Db, payload: JsonObjectBody) -> FastJSONResponse:
    """Create an incident ticket; `data.incident_num` names it."""
    body = schemas.parse(schemas.CreateIncidentRequest, payload)
    incident = await db.run_write(lambda s: service.create_incident_for(s, caller=caller, body=body))
    return FastJSONResponse(coc_ok({"incident_num": incident.incident_num}))


@hot.post(
    "/v1/external/incident/handle",
    response_model=None,
    responses=returns(CocEnvelope[None]),
    openapi_extra=HANDLE_BODY,
)
async def handle_incident(caller: CurrentCaller, db: Db, payload: JsonObjectBody) -> FastJSONResponse:
    """Accept, commit a solution to, or confirm an incident (operate_key)."""
    body = schemas.parse(schemas.HandleIncidentRequest, payload)
    await db.run_write(lambda s: service.handle_incident(s, caller=caller, body=body))
    return FastJSONResponse(coc_ok(None))


@router.get(
    "/v1/external/incident/{incident_num}", response_model=None, responses=returns(CocEnvelope[schemas.IncidentDetail])
)
async def show_incident(incident_num: str, caller: CurrentCaller, db: Db) -> FastJSONResponse:
    """Every field of the incident, with the names of its enumerated values."""
    schemas.check_incident_num(incident_num)
    data = await db.run_read(lambda s: service.detail(s, tenant_id=caller.tenant_id, incident_num=incident_num))
    return FastJSONResponse(coc_ok(data))


@router.get(
    "/v1/incident-tickets", response_model=None, responses=returns(CocEnvelope[schemas.IncidentTicketPage])
)
async def list_incident_tickets(
    caller: CurrentCaller,
    db: Db,
    offset: Annotated[int, Query(ge=0, le=INT32_MAX)] = 1,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> FastJSONResponse:
    """The tenant's incidents, newest first (`offset` is the page number, 1 = first page)."""
    data = await db.run_read(lambda s: service.list_tickets(s, tenant_id=caller.tenant_id, offset=offset, limit=limit))
    return FastJSONResponse(coc_ok(data))


HISTORY_PAGE = returns(CocEnvelope[schemas.HistoryPage])


@router.post(
    "/v1/{ticket_type}/list-histories", response_model=None, responses=HISTORY_PAGE, openapi_extra=HISTORY_BODY
)
@router.post(
    "/v1/external/{ticket_type}/list-histories", response_model=None, responses=HISTORY_PAGE, openapi_extra=HISTORY_BODY
)
async def list_ticket_histories(
    caller: CurrentCaller, ticket_type: TicketType, db: Db, payload: JsonObjectBody
) -> FastJSONResponse:
    """The operations recorded on the incidents a `ticket_id` filter names (`data: {total, info}`)."""
    params = schemas.parse(histories.ListTicketParams, payload)
    data = await db.run_read(lambda s: histories.list_histories(s, tenant_id=caller.tenant_id, params=params))
    return FastJSONResponse(coc_ok(data))
