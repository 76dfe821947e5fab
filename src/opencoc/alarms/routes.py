"""HTTP routes of the alarms domain: the two webhooks (§4.4.2) and the signed /v1/alarm-mgmt API.

The webhooks are the hot path: the key in the path is the credential, the body is checked by
hand, and the alarms go through the group-commit writer (writer.py); the 200 follows the commit.
"""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from opencoc.alarms import autoprocess, custom, integrations, prometheus, schemas, service
from opencoc.alarms.writer import AlarmWriter, unavailable
from opencoc.auth.caller import Caller
from opencoc.auth.deps import CurrentCaller
from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from opencoc.core.envelopes import PROVIDER_CODE, coc_ok
from opencoc.core.errors import OpenCOCError, unauthorized
from opencoc.core.openapi import json_body
from opencoc.core.responses import FastJSONResponse
from opencoc.jobs import feed

router = APIRouter(tags=["alarms"])

ACCEPTED = orjson.dumps(
    {"error_code": "COC.00000000", "error_msg": "success", "data": None, "provider_code": PROVIDER_CODE}
)
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=2_000_000_000)]
# The signed bodies are parsed by hand (schemas.parse); these document them in /openapi.json.
CLEAR_BODY = json_body(schemas.ClearAlarmRequest)
TO_INCIDENT_BODY = json_body(schemas.AlarmToIncidentRequest)
AUTO_PROCESS_BODY = json_body(schemas.AutoHandlerAlarmRequest)
INTEGRATION_BODY = json_body(schemas.CreateIntegrationRequest)


def _db(request: Request) -> Database:
    return request.app.state.db


def _writer(request: Request) -> AlarmWriter:
    writer: AlarmWriter | None = getattr(request.app.state, "alarm_writer", None)
    if writer is None:
        raise unavailable()
    return writer


async def _json(request: Request) -> Any:
    try:
        return orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise OpenCOCError(schemas.INVALID_CODE, "request body is not valid JSON") from None


async def _owner(request: Request, integration_key: str, type_: str) -> integrations.KeyOwner:
    """The enabled integration of this key, or 401 in the seed's words."""
    keys = _writer(request).keys
    owner = keys.get(integration_key)
    if owner is None:
        owner = await _db(request).run_read(lambda s: integrations.owner(s, integration_key))
        if owner is None:
            raise unauthorized()
        keys.put(integration_key, owner)
    integrations.check_type(owner, type_)
    return owner


async def report_custom_event(request: Request) -> Response:
    """Store one alarm of a self-built monitoring system; 200 once it is committed."""
    owner = await _owner(request, request.path_params["integration_key"], "custom")
    report = custom.parse(await _json(request))
    await _writer(request).submit(owner.id, [report])
    return Response(ACCEPTED, media_type="application/json")


async def report_prometheus_event(request: Request) -> Response:
    """Store the alerts of an Alertmanager webhook (payload version 4); 200 once committed."""
    owner = await _owner(request, request.path_params["integration_key"], "prometheus")
    reports = prometheus.parse(await _json(request))
    await _writer(request).submit(owner.id, reports)
    return Response(ACCEPTED, media_type="application/json")


# Plain Starlette routes: FastAPI's per-request parameter and dependency layer cost a quarter of
# the webhook's CPU time, and these two handlers need neither (bench/alarms.py).
router.add_route("/v1/event/huawei/custom/{integration_key}", report_custom_event, methods=["POST"])
router.add_route("/v1/event/prometheus/{integration_key}", report_prometheus_event, methods=["POST"])


@router.get("/v1/alarm-mgmt/alarms", response_model=None)
async def list_alarms(
    request: Request,
    caller: CurrentCaller,
    limit: Limit = 20,
    offset: Offset = 0,
    status: str | None = None,
    alarm_level: str | None = None,
    integration_key: str | None = None,
) -> FastJSONResponse:
    """The tenant's alarms, newest first (ours: the SDK has no list)."""
    data = await _db(request).run_read(
        lambda s: service.list_alarms(
            s,
            tenant_id=caller.tenant_id,
            limit=limit,
            offset=offset,
            status=status,
            alarm_level=alarm_level,
            integration_key=integration_key,
        )
    )
    return FastJSONResponse(coc_ok(data))


@router.get("/v1/alarm-mgmt/alarm/{alarm_id}", response_model=None)
async def show_alarm(alarm_id: str, request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """One alarm (show_alarm)."""
    data = await _db(request).run_read(
        lambda s: service.show(s, tenant_id=caller.tenant_id, domain_id=caller.domain_id, alarm_id=alarm_id)
    )
    return FastJSONResponse(coc_ok(data))


@router.post("/v1/alarm-mgmt/alarms/cancel", response_model=None, openapi_extra=CLEAR_BODY)
async def clear_alarm(request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """Clear alarms (clear_alarm); `data` lists the ids cleared by this call."""
    body = schemas.parse(schemas.ClearAlarmRequest, await _json(request))
    data = await _db(request).run_write(
        lambda s: service.clear_alarms(
            s, tenant_id=caller.tenant_id, body=body, operator=caller.user_name, operator_id=caller.user_id
        )
    )
    return FastJSONResponse(coc_ok(data))


@router.post("/v1/alarm-mgmt/alarms-linked-incident", response_model=None, openapi_extra=TO_INCIDENT_BODY)
async def transfer_alarm_to_incident(request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """Turn alarms into one incident (transfer_alarm_to_incident); `data` = [incident_num]."""
    body = schemas.parse(schemas.AlarmToIncidentRequest, await _json(request))
    num = await _db(request).run_write(
        lambda s: service.transfer_to_incident(s, tenant_id=caller.tenant_id, body=body, operator=caller.user_id)
    )
    return FastJSONResponse(coc_ok([num]))


@router.get("/v1/alarm-mgmt/alarm/{alarm_id}/handle-histories", response_model=None)
async def list_alarm_handle_histories(
    alarm_id: str, request: Request, caller: CurrentCaller, limit: Limit = 20, offset: Offset = 0
) -> FastJSONResponse:
    """The alarm's handling (list_alarm_handle_histories): the SDK reads the fields at the top level."""
    data = await _db(request).run_read(
        lambda s: service.handle_histories(s, tenant_id=caller.tenant_id, alarm_id=alarm_id, offset=offset, limit=limit)
    )
    return FastJSONResponse({**coc_ok(None), **data})


@router.post("/v1/alarm-mgmt/alarm/{alarm_id}/auto-process", response_model=None, openapi_extra=AUTO_PROCESS_BODY)
async def handler_alarm(alarm_id: str, request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """Run a script for the alarm (handler_alarm); `data` names the work order and the script order."""
    body = schemas.parse(schemas.AutoHandlerAlarmRequest, await _json(request))
    state = request.app.state
    data, woken = await _db(request).run_write(
        lambda s: autoprocess.auto_process(
            s,
            caller=caller,
            alarm_id=alarm_id,
            body=body,
            cipher=state.cipher,
            now=now_ms(),
            offline_after_s=state.settings.agent_offline_after_seconds,
        )
    )
    for agent_sn in woken:
        state.wakeups.notify(feed.agent_key(agent_sn))
    return FastJSONResponse(coc_ok(data))


@router.get("/v1/alarm-mgmt/integrations", response_model=None)
async def list_integrations(request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """The tenant's integrations (ours); keys are shown only when created."""
    data = await _db(request).run_read(lambda s: integrations.list_all(s, tenant_id=caller.tenant_id))
    return FastJSONResponse(coc_ok({"total": len(data), "list": data}))


@router.post("/v1/alarm-mgmt/integrations", response_model=None, openapi_extra=INTEGRATION_BODY)
async def create_integration(request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """Create an integration (ours); `data.integration_key` and `data.url` are shown only now."""
    body = schemas.parse(schemas.CreateIntegrationRequest, await _json(request))
    endpoint = request.app.state.settings.public_url or str(request.base_url)
    data = await _db(request).run_write(lambda s: _create(s, caller, body, endpoint))
    return FastJSONResponse(coc_ok(data))


def _create(session: Any, caller: Caller, body: schemas.CreateIntegrationRequest, endpoint: str) -> dict[str, Any]:
    return integrations.create(
        session,
        tenant_id=caller.tenant_id,
        name=body.name,
        type_=body.type,
        rules=body.rules.with_default_owner(caller.user_id),
        endpoint=endpoint,
    )


@router.post("/v1/alarm-mgmt/integrations/{ref}/disable", response_model=None)
async def disable_integration(ref: str, request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """Disable an integration (by integration_id or name): its key gets 401."""
    data = await _db(request).run_write(
        lambda s: integrations.set_enabled(s, tenant_id=caller.tenant_id, ref=ref, enabled=False)
    )
    return FastJSONResponse(coc_ok(data))


@router.post("/v1/alarm-mgmt/integrations/{ref}/enable", response_model=None)
async def enable_integration(ref: str, request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """Enable an integration again."""
    data = await _db(request).run_write(
        lambda s: integrations.set_enabled(s, tenant_id=caller.tenant_id, ref=ref, enabled=True)
    )
    return FastJSONResponse(coc_ok(data))


@router.delete("/v1/alarm-mgmt/integrations/{ref}", response_model=None)
async def delete_integration(ref: str, request: Request, caller: CurrentCaller) -> FastJSONResponse:
    """Delete an integration; its alarms stay."""
    data = await _db(request).run_write(lambda s: integrations.remove(s, tenant_id=caller.tenant_id, ref=ref))
    return FastJSONResponse(coc_ok(data))
