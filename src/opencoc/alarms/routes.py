"""HTTP routes of the alarms domain: the two webhooks (§4.4.2) and the signed /v1/alarm-mgmt API.

The webhooks are the hot path: the key in the path is the credential (`CustomIntegration`), the
body is checked by hand, and the alarms go through the group-commit writer (writer.py); the 200
follows the commit. They are `FastRoute`s (core/fast_route.py): FastAPI's per-request
dependency solver cost a quarter of the webhook's CPU time (bench/alarms.py). The signed routes
parse their bodies by hand too, for COC's error wording. Every route sends its own Response, so
`json_body(...)` and `returns(...)` document the request and response bodies in /openapi.json.
"""

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from opencoc.alarms import custom, flows, integrations, prometheus, schemas, service
from opencoc.alarms.deps import CustomIntegration, PrometheusIntegration, Writer
from opencoc.auth.deps import CurrentCaller
from opencoc.core.clock import now_ms
from opencoc.core.deps import AppCipher, AppSettings, AppWakeups, Db, JsonBody
from opencoc.core.envelopes import PROVIDER_CODE, CocEnvelope, coc_ok
from opencoc.core.fast_route import FastRoute
from opencoc.core.openapi import ERRORS, json_body, returns
from opencoc.core.responses import FastJSONResponse
from opencoc.jobs import service as jobs

router = APIRouter(tags=["alarms"], responses=ERRORS["coc"])
hot = APIRouter(route_class=FastRoute, tags=["alarms"], responses=ERRORS["coc"])  # app.py includes it first

ACCEPTED = orjson.dumps(
    {"error_code": "COC.00000000", "error_msg": "success", "data": None, "provider_code": PROVIDER_CODE}
)
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=2_000_000_000)]
CLEAR_BODY = json_body(schemas.ClearAlarmRequest)
TO_INCIDENT_BODY = json_body(schemas.AlarmToIncidentRequest)
AUTO_PROCESS_BODY = json_body(schemas.AutoHandlerAlarmRequest)
INTEGRATION_BODY = json_body(schemas.CreateIntegrationRequest)
# The webhooks answer `error_code` COC.00000000 and `error_msg` "success", with no data.
ACCEPTED_BODY = returns(CocEnvelope[None])
INTEGRATION = returns(CocEnvelope[schemas.IntegrationView])


@hot.post("/v1/event/huawei/custom/{integration_key}", response_model=None, responses=ACCEPTED_BODY)
async def report_custom_event(owner: CustomIntegration, payload: JsonBody, writer: Writer) -> Response:
    """Store one alarm of a self-built monitoring system; 200 once it is committed."""
    await writer.submit(owner.id, [custom.parse(payload)])
    return Response(ACCEPTED, media_type="application/json")


@hot.post("/v1/event/prometheus/{integration_key}", response_model=None, responses=ACCEPTED_BODY)
async def report_prometheus_event(owner: PrometheusIntegration, payload: JsonBody, writer: Writer) -> Response:
    """Store the alerts of an Alertmanager webhook (payload version 4); 200 once committed."""
    await writer.submit(owner.id, prometheus.parse(payload))
    return Response(ACCEPTED, media_type="application/json")


@router.get("/opencoc/v1/alarm-mgmt/alarms", response_model=None, responses=returns(CocEnvelope[schemas.AlarmPage]))
async def list_alarms(
    caller: CurrentCaller,
    db: Db,
    limit: Limit = 20,
    offset: Offset = 0,
    status: str | None = None,
    alarm_level: str | None = None,
    integration_key: str | None = None,
) -> FastJSONResponse:
    """The tenant's alarms, newest first (ours: the SDK has no list)."""
    data = await db.run_read(
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


@router.get(
    "/v1/alarm-mgmt/alarm/{alarm_id}", response_model=None, responses=returns(CocEnvelope[schemas.AlarmDetail])
)
async def show_alarm(alarm_id: str, caller: CurrentCaller, db: Db) -> FastJSONResponse:
    """One alarm (show_alarm)."""
    data = await db.run_read(
        lambda s: service.show(s, tenant_id=caller.tenant_id, domain_id=caller.domain_id, alarm_id=alarm_id)
    )
    return FastJSONResponse(coc_ok(data))


@router.post(
    "/v1/alarm-mgmt/alarms/cancel",
    response_model=None,
    responses=returns(CocEnvelope[list[str]]),
    openapi_extra=CLEAR_BODY,
)
async def clear_alarm(caller: CurrentCaller, db: Db, payload: JsonBody) -> FastJSONResponse:
    """Clear alarms (clear_alarm); `data` lists the ids cleared by this call."""
    body = schemas.parse(schemas.ClearAlarmRequest, payload)
    data = await db.run_write(lambda s: flows.clear_alarms(s, caller=caller, body=body))
    return FastJSONResponse(coc_ok(data))


@router.post(
    "/v1/alarm-mgmt/alarms-linked-incident",
    response_model=None,
    responses=returns(CocEnvelope[list[str]]),
    openapi_extra=TO_INCIDENT_BODY,
)
async def transfer_alarm_to_incident(caller: CurrentCaller, db: Db, payload: JsonBody) -> FastJSONResponse:
    """Turn alarms into one incident (transfer_alarm_to_incident); `data` = [incident_num]."""
    body = schemas.parse(schemas.AlarmToIncidentRequest, payload)
    num = await db.run_write(lambda s: flows.transfer_to_incident(s, caller=caller, body=body))
    return FastJSONResponse(coc_ok([num]))


@router.get(
    "/v1/alarm-mgmt/alarm/{alarm_id}/handle-histories",
    response_model=None,
    responses=returns(schemas.HandleHistoriesBody),
)
async def list_alarm_handle_histories(
    alarm_id: str, caller: CurrentCaller, db: Db, limit: Limit = 20, offset: Offset = 0
) -> FastJSONResponse:
    """The alarm's handling (list_alarm_handle_histories): the SDK reads the fields at the top level."""
    data = await db.run_read(
        lambda s: service.handle_histories(s, tenant_id=caller.tenant_id, alarm_id=alarm_id, offset=offset, limit=limit)
    )
    return FastJSONResponse({**coc_ok(None), **data})


@router.post(
    "/v1/alarm-mgmt/alarm/{alarm_id}/auto-process",
    response_model=None,
    responses=returns(CocEnvelope[schemas.AutoProcessed]),
    openapi_extra=AUTO_PROCESS_BODY,
)
async def handler_alarm(
    alarm_id: str,
    caller: CurrentCaller,
    db: Db,
    payload: JsonBody,
    cipher: AppCipher,
    settings: AppSettings,
    wakeups: AppWakeups,
) -> FastJSONResponse:
    """Run a script for the alarm (handler_alarm); `data` names the work order and the script order."""
    body = schemas.parse(schemas.AutoHandlerAlarmRequest, payload)
    data, woken = await db.run_write(
        lambda s: flows.auto_process(
            s,
            caller=caller,
            alarm_id=alarm_id,
            body=body,
            cipher=cipher,
            now=now_ms(),
            offline_after_s=settings.agent_offline_after_seconds,
        )
    )
    jobs.wake_agents(wakeups, woken)
    return FastJSONResponse(coc_ok(data))


@router.get(
    "/opencoc/v1/alarm-mgmt/integrations", response_model=None, responses=returns(CocEnvelope[schemas.IntegrationPage])
)
async def list_integrations(caller: CurrentCaller, db: Db) -> FastJSONResponse:
    """The tenant's integrations (ours); keys are shown only when created."""
    data = await db.run_read(lambda s: integrations.list_all(s, tenant_id=caller.tenant_id))
    return FastJSONResponse(coc_ok({"total": len(data), "list": data}))


@router.post(
    "/opencoc/v1/alarm-mgmt/integrations",
    response_model=None,
    responses=returns(CocEnvelope[schemas.CreatedIntegration]),
    openapi_extra=INTEGRATION_BODY,
)
async def create_integration(
    caller: CurrentCaller, db: Db, payload: JsonBody, settings: AppSettings, request: Request
) -> FastJSONResponse:
    """Create an integration (ours); `data.integration_key` and `data.url` are shown only now."""
    body = schemas.parse(schemas.CreateIntegrationRequest, payload)
    endpoint = settings.public_url or str(request.base_url)
    data = await db.run_write(
        lambda s: integrations.create(
            s,
            caller=caller,
            name=body.name,
            type_=body.type,
            rules=body.rules.with_default_owner(caller.user_id),
            endpoint=endpoint,
        )
    )
    return FastJSONResponse(coc_ok(data))


@router.post("/opencoc/v1/alarm-mgmt/integrations/{ref}/disable", response_model=None, responses=INTEGRATION)
async def disable_integration(ref: str, caller: CurrentCaller, db: Db) -> FastJSONResponse:
    """Disable an integration (by integration_id or name): its key gets 401."""
    data = await db.run_write(lambda s: integrations.set_enabled(s, caller=caller, ref=ref, enabled=False))
    return FastJSONResponse(coc_ok(data))


@router.post("/opencoc/v1/alarm-mgmt/integrations/{ref}/enable", response_model=None, responses=INTEGRATION)
async def enable_integration(ref: str, caller: CurrentCaller, db: Db) -> FastJSONResponse:
    """Enable an integration again."""
    data = await db.run_write(lambda s: integrations.set_enabled(s, caller=caller, ref=ref, enabled=True))
    return FastJSONResponse(coc_ok(data))


@router.delete("/opencoc/v1/alarm-mgmt/integrations/{ref}", response_model=None, responses=INTEGRATION)
async def delete_integration(ref: str, caller: CurrentCaller, db: Db) -> FastJSONResponse:
    """Delete an integration; its alarms stay."""
    data = await db.run_write(lambda s: integrations.remove(s, caller=caller, ref=ref))
    return FastJSONResponse(coc_ok(data))
