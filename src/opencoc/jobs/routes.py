"""HTTP routes of the jobs domain: execute a script, read and operate its orders (and the agent feed)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query

from opencoc.auth.deps import CurrentCaller
from opencoc.core.clock import now_ms
from opencoc.core.deps import AppCipher, AppSettings, AppWakeups, Db
from opencoc.core.envelopes import job_ok
from opencoc.core.limits import MAX_MS
from opencoc.core.wakeups import Wakeups
from opencoc.jobs import feed, operations, reads, service
from opencoc.jobs.schemas import JobScriptOrderOperationBody, ScriptExecuteModel

router = APIRouter(tags=["jobs"])
router.include_router(feed.router)
RESULT_BODY_LIMIT = feed.RESULT_BODY_LIMIT

ExecuteUuid = Annotated[str, Path(min_length=1, max_length=26)]
OrderStatus = Literal["READY", "PROCESSING", "ABNORMAL", "PAUSED", "CANCELED", "FINISHED"]
InstanceStatus = Literal["READY", "PROCESSING", "ABNORMAL", "CANCELED", "FINISHED"]
MAX_INT = 2147483647
ORDERS = "/v1/job/script/orders"


def _wake(wakeups: Wakeups, agent_sns: set[str]) -> None:
    for agent_sn in agent_sns:
        wakeups.notify(feed.agent_key(agent_sn))


@router.post("/v1/job/scripts/{script_uuid}")
def execute_script(
    script_uuid: Annotated[str, Path(min_length=1, max_length=64)],
    body: ScriptExecuteModel,
    caller: CurrentCaller,
    db: Db,
    cipher: AppCipher,
    settings: AppSettings,
    wakeups: AppWakeups,
) -> Any:
    """Run an approved script on enrolled hosts, batch after batch -> its execute_uuid."""
    with db.write() as session:
        execute_uuid, woken = service.execute(
            session,
            caller=caller,
            script_uuid=script_uuid,
            body=body,
            cipher=cipher,
            now=now_ms(),
            offline_after_s=settings.agent_offline_after_seconds,
        )
    _wake(wakeups, woken)
    return job_ok(execute_uuid)


@router.get(ORDERS)
def list_script_jobs(
    caller: CurrentCaller,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    marker: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
    start_time: Annotated[int | None, Query(ge=1, le=MAX_MS)] = None,
    end_time: Annotated[int | None, Query(ge=1, le=MAX_MS)] = None,
    creator: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    status: OrderStatus | None = None,
) -> Any:
    """A page of the tenant's script orders, newest first."""
    with db.read() as session:
        page = reads.list_orders(
            session,
            tenant_id=caller.tenant_id,
            limit=limit,
            marker=marker,
            start_time=start_time,
            end_time=end_time,
            creator=creator,
            status=status,
            now=now_ms(),
        )
    return job_ok(page)


@router.get(ORDERS + "/{execute_uuid}")
def get_script_job_info(execute_uuid: ExecuteUuid, caller: CurrentCaller, db: Db) -> Any:
    """An order's status, script, version and execution parameters (sensitive values masked)."""
    with db.read() as session:
        return job_ok(reads.order_info(session, tenant_id=caller.tenant_id, execute_uuid=execute_uuid, now=now_ms()))


@router.get(ORDERS + "/{execute_uuid}/batches")
def list_script_job_batches(execute_uuid: ExecuteUuid, caller: CurrentCaller, db: Db) -> Any:
    """The order's batches."""
    with db.read() as session:
        return job_ok(reads.list_batches(session, tenant_id=caller.tenant_id, execute_uuid=execute_uuid))


@router.get(ORDERS + "/{execute_uuid}/batches/{batch_index}")
def get_script_job_batch(
    execute_uuid: ExecuteUuid,
    batch_index: Annotated[int, Path(ge=1, le=20)],
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    limit: Annotated[int, Query(ge=1, le=50)] = 50,
    marker: Annotated[int | None, Query(ge=0, le=MAX_INT)] = None,
    status: InstanceStatus | None = None,
) -> Any:
    """A page of one batch's instances with their status and output."""
    with db.read() as session:
        detail = reads.batch_detail(
            session,
            tenant_id=caller.tenant_id,
            execute_uuid=execute_uuid,
            batch_index=batch_index,
            status=status,
            limit=limit,
            marker=marker,
            now=now_ms(),
            grace=settings.agent_offline_after_seconds,
        )
    return job_ok(detail)


@router.get(ORDERS + "/{execute_uuid}/statistics")
def get_script_job_statistics(execute_uuid: ExecuteUuid, caller: CurrentCaller, db: Db) -> Any:
    """How many instances are in each status, and in which batches."""
    with db.read() as session:
        return job_ok(reads.statistics(session, tenant_id=caller.tenant_id, execute_uuid=execute_uuid))


@router.put(ORDERS + "/{execute_uuid}/operation")
def operate_script_job(
    execute_uuid: ExecuteUuid,
    body: JobScriptOrderOperationBody,
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    wakeups: AppWakeups,
) -> Any:
    """Cancel, skip, pause, continue or retry -> the execute_uuid."""
    with db.write() as session:
        woken = operations.operate(
            session,
            caller=caller,
            execute_uuid=execute_uuid,
            body=body,
            now=now_ms(),
            offline_after_s=settings.agent_offline_after_seconds,
        )
    _wake(wakeups, woken)
    return job_ok(execute_uuid)
