"""HTTP routes of the jobs domain: execute a script, read and operate its orders (and the agent feed)."""

from collections.abc import Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from opencoc.agents.deps import AgentPresence, Presence, Slot, SlotAdmitted
from opencoc.auth.deps import CurrentCaller
from opencoc.core.clock import now_ms
from opencoc.core.deps import AppCipher, AppSettings, AppWakeups, Db
from opencoc.core.envelopes import JobEnvelope, job_ok
from opencoc.core.fast_route import FastRoute, parse_body
from opencoc.core.limits import INT32_MAX, MAX_MS
from opencoc.core.openapi import ERRORS, json_body, returns
from opencoc.core.responses import FastJSONResponse
from opencoc.core.wakeups import Wakeups
from opencoc.jobs import feed, operations, reads, schemas, service, tasks
from opencoc.jobs.announced import Announced
from opencoc.jobs.deps import AnnouncedDep, Groups, ResultJson
from opencoc.jobs.groups import TaskGroups
from opencoc.jobs.schemas import JobScriptOrderOperationBody, ScriptExecuteModel, TaskResult
from opencoc.jobs.statuses import InstanceStatus, OrderStatus
from opencoc.jobs.wake import wake_agents

router = APIRouter(tags=["jobs"], responses=ERRORS["job"])
# The agents' task feed and results: an idle fleet's only request (the long-poll) and, under orders, most
# of the rest; run without FastAPI's per-request layers (core/fast_route.py).
agent_router = APIRouter(route_class=FastRoute, tags=["jobs"], responses=ERRORS["job"])
RESULT_BODY_LIMIT = feed.RESULT_BODY_LIMIT
RESULT_BODY = json_body(TaskResult)

ExecuteUuid = Annotated[str, Path(min_length=1, max_length=26)]
ORDERS = "/v1/job/script/orders"
AGENT = "/opencoc/v1/agent"


@router.post("/v1/job/scripts/{script_uuid}", response_model=JobEnvelope[str])
async def execute_script(
    script_uuid: Annotated[str, Path(min_length=1, max_length=64)],
    body: ScriptExecuteModel,
    caller: CurrentCaller,
    cipher: AppCipher,
    settings: AppSettings,
    wakeups: AppWakeups,
    groups: Groups,
) -> Any:
    """Run an approved script on enrolled hosts, batch after batch -> its execute_uuid."""
    execute_uuid, woken = await groups.write(
        lambda s, hand: service.start_order(
            s,
            caller=caller,
            script_uuid=script_uuid,
            body=body,
            cipher=cipher,
            now=now_ms(),
            offline_after_s=settings.agent_offline_after_seconds,
            hand=hand,
        ),
        bulk=True,  # hundreds of rows: the small writes queued with it go first
    )
    wake_agents(wakeups, woken)
    return job_ok(execute_uuid)


@router.get(ORDERS, response_model=JobEnvelope[schemas.OrderPage])
async def list_script_jobs(
    caller: CurrentCaller,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    marker: Annotated[int | None, Query(ge=1, le=INT32_MAX)] = None,
    start_time: Annotated[int | None, Query(ge=1, le=MAX_MS)] = None,
    end_time: Annotated[int | None, Query(ge=1, le=MAX_MS)] = None,
    creator: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    status: OrderStatus | None = None,
) -> Any:
    """A page of the tenant's script orders, newest first."""
    page = await db.run_read(
        lambda s: reads.list_orders(
            s,
            tenant_id=caller.tenant_id,
            limit=limit,
            marker=marker,
            start_time=start_time,
            end_time=end_time,
            creator=creator,
            status=status,
            now=now_ms(),
        )
    )
    return job_ok(page)


@router.get(ORDERS + "/{execute_uuid}", response_model=JobEnvelope[schemas.OrderInfo])
async def get_script_job_info(execute_uuid: ExecuteUuid, caller: CurrentCaller, db: Db) -> Any:
    """An order's status, script, version and execution parameters (sensitive values masked)."""
    info = await db.run_read(
        lambda s: reads.order_info(s, tenant_id=caller.tenant_id, execute_uuid=execute_uuid, now=now_ms())
    )
    return job_ok(info)


@router.get(ORDERS + "/{execute_uuid}/batches", response_model=JobEnvelope[list[schemas.BatchItem]])
async def list_script_job_batches(execute_uuid: ExecuteUuid, caller: CurrentCaller, db: Db) -> Any:
    """The order's batches."""
    return job_ok(
        await db.run_read(lambda s: reads.list_batches(s, tenant_id=caller.tenant_id, execute_uuid=execute_uuid))
    )


@router.get(ORDERS + "/{execute_uuid}/batches/{batch_index}", response_model=JobEnvelope[schemas.BatchDetail])
async def get_script_job_batch(
    execute_uuid: ExecuteUuid,
    batch_index: Annotated[int, Path(ge=1, le=20)],
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    limit: Annotated[int, Query(ge=1, le=50)] = 50,
    marker: Annotated[int | None, Query(ge=0, le=INT32_MAX)] = None,
    status: InstanceStatus | None = None,
) -> Any:
    """A page of one batch's instances with their status and output."""
    detail = await db.run_read(
        lambda s: reads.batch_detail(
            s,
            tenant_id=caller.tenant_id,
            execute_uuid=execute_uuid,
            batch_index=batch_index,
            status=status,
            limit=limit,
            marker=marker,
            now=now_ms(),
            grace=settings.agent_offline_after_seconds,
        )
    )
    return job_ok(detail)


@router.get(ORDERS + "/{execute_uuid}/statistics", response_model=JobEnvelope[schemas.OrderStatistics])
async def get_script_job_statistics(execute_uuid: ExecuteUuid, caller: CurrentCaller, db: Db) -> Any:
    """How many instances are in each status, and in which batches."""
    return job_ok(
        await db.run_read(lambda s: reads.statistics(s, tenant_id=caller.tenant_id, execute_uuid=execute_uuid))
    )


@router.put(ORDERS + "/{execute_uuid}/operation", response_model=JobEnvelope[str])
async def operate_script_job(
    execute_uuid: ExecuteUuid,
    body: JobScriptOrderOperationBody,
    caller: CurrentCaller,
    settings: AppSettings,
    wakeups: AppWakeups,
    groups: Groups,
) -> Any:
    """Cancel, skip, pause, continue or retry -> the execute_uuid."""
    woken = await groups.write(
        lambda s, hand: operations.operate(
            s,
            caller=caller,
            execute_uuid=execute_uuid,
            body=body,
            now=now_ms(),
            offline_after_s=settings.agent_offline_after_seconds,
            hand=hand,
        ),
        bulk=True,  # a cancel or a retry changes every instance: the small writes queued with it go first
    )
    wake_agents(wakeups, woken)
    return job_ok(execute_uuid)


PollWait = Annotated[float, Query(ge=0, le=60)]
POLL_WAIT_DEFAULT_S = 30.0
POLL_PATH = AGENT + "/tasks"


@agent_router.get(POLL_PATH, tags=["agent"], response_model=None, responses=returns(schemas.TaskFeed))
async def poll_tasks(
    slot: SlotAdmitted,
    presence: AgentPresence,
    groups: Groups,
    announced: AnnouncedDep,
    settings: AppSettings,
    wakeups: AppWakeups,
    wait: PollWait = POLL_WAIT_DEFAULT_S,
) -> Response:
    """Due tasks and cancels of this agent, as soon as there are any, or empty lists after `wait` s
    (at most OPENCOC_AGENT_POLL_SECONDS). A poll without a body is served by jobs/poll_bare.py."""
    due = await _next_feed(slot, presence, groups, announced, wakeups, min(wait, settings.agent_poll_seconds))
    return FastJSONResponse({"tasks": due.tasks, "cancel": due.cancel})


def _next_feed(
    slot: Slot, presence: Presence, groups: TaskGroups, announced: Announced, wakeups: Wakeups, wait: float
) -> Coroutine[Any, Any, tasks.Feed]:
    """The agent's next feed, awaited by the route itself (no frame of its own held through the wait). The
    request, admitted and authenticated, gives its admission slot back first: an idle poll reads nothing more
    (jobs/announced.py), and a burst of polls ending together must not be turned away."""
    slot.release()
    return feed.next_feed(groups, announced, wakeups, agent_sn=presence.agent.agent_sn, wait=wait, attendance=presence)


@agent_router.post(
    AGENT + "/tasks/{task_id}/result",
    tags=["agent"],
    response_model=None,
    openapi_extra=RESULT_BODY,
    responses=returns(schemas.ResultAccepted),
)
async def post_result(
    slot: SlotAdmitted,
    task_id: str,
    presence: AgentPresence,
    groups: Groups,
    announced: AnnouncedDep,
    settings: AppSettings,
    wakeups: AppWakeups,
    payload: ResultJson,
    wait: Annotated[float | None, Query(ge=0, le=60)] = None,
) -> FastJSONResponse:
    """Apply a task's result once (with the results that arrive beside it: jobs/groups.py); a repeat answers
    `accepted: false`. With `wait`, the request goes on as the agent's next long-poll and answers its
    `tasks` and `cancel` too: an agent whose last running task ends sends one request, not two."""
    body = parse_body(TaskResult, payload)
    accepted = await groups.report(tasks.Reported(presence.agent.agent_sn, task_id, body))
    if wait is None:
        return FastJSONResponse({"accepted": accepted})
    due = await _next_feed(slot, presence, groups, announced, wakeups, min(wait, settings.agent_poll_seconds))
    return FastJSONResponse({"accepted": accepted, "tasks": due.tasks, "cancel": due.cancel})
