"""HTTP routes of `/opencoc/v1/notifications/...`: channels, the caller's own targets, the outbox."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from opencoc.auth.deps import CurrentCaller
from opencoc.core.deps import AppCipher, AppSettings, Db
from opencoc.core.envelopes import job_ok
from opencoc.core.limits import INT32_MAX
from opencoc.notifications import service
from opencoc.notifications.deps import NotifyPolicy
from opencoc.notifications.schemas import Channel, ChannelBody, Data, OutboxItem, Target, TargetBody, TestResult
from opencoc.notifications.statuses import OutboxStatus

router = APIRouter(prefix="/opencoc/v1/notifications", tags=["notifications"])
Id = Annotated[int, Path(ge=1, le=INT32_MAX)]


@router.post("/channels", response_model=Data[Channel])
async def create_channel(
    caller: CurrentCaller, body: ChannelBody, db: Db, cipher: AppCipher, policy: NotifyPolicy
) -> dict[str, Any]:
    """Add a channel to the tenant (URL checked against the allow-list, stored encrypted, shown masked)."""
    return job_ok(await db.run_write(lambda s: service.create_channel(s, cipher, policy, caller=caller, body=body)))


@router.get("/channels", response_model=Data[list[Channel]])
async def list_channels(caller: CurrentCaller, db: Db, cipher: AppCipher) -> dict[str, Any]:
    """The tenant's channels by name, URLs masked."""
    return job_ok(await db.run_read(lambda s: service.list_channels(s, cipher, caller=caller)))


@router.get("/channels/{channel_id}", response_model=Data[Channel])
async def get_channel(caller: CurrentCaller, channel_id: Id, db: Db, cipher: AppCipher) -> dict[str, Any]:
    """One channel, URL masked."""
    return job_ok(await db.run_read(lambda s: service.get_channel(s, cipher, caller=caller, channel_id=channel_id)))


@router.put("/channels/{channel_id}", response_model=Data[Channel])
async def update_channel(
    caller: CurrentCaller, channel_id: Id, body: ChannelBody, db: Db, cipher: AppCipher, policy: NotifyPolicy
) -> dict[str, Any]:
    """Rename a channel and replace its URL."""
    data = await db.run_write(
        lambda s: service.update_channel(s, cipher, policy, caller=caller, channel_id=channel_id, body=body)
    )
    return job_ok(data)


@router.delete("/channels/{channel_id}", response_model=Data[int])
async def delete_channel(caller: CurrentCaller, channel_id: Id, db: Db) -> dict[str, Any]:
    """Remove a channel -> its id."""
    return job_ok(await db.run_write(lambda s: service.delete_channel(s, caller=caller, channel_id=channel_id)))


@router.post("/channels/{channel_id}/test", response_model=Data[TestResult])
async def test_channel(
    caller: CurrentCaller, channel_id: Id, db: Db, cipher: AppCipher, policy: NotifyPolicy, settings: AppSettings
) -> dict[str, Any]:
    """Send a test notice through a channel now -> whether it was delivered and, if not, why."""
    timeout = settings.notify_send_timeout_seconds
    return job_ok(await service.test_channel(db, cipher, policy, caller=caller, channel_id=channel_id, timeout=timeout))


@router.post("/targets", response_model=Data[Target])
async def add_target(
    caller: CurrentCaller, body: TargetBody, db: Db, cipher: AppCipher, policy: NotifyPolicy
) -> dict[str, Any]:
    """Add one of your own targets: an Apprise URL, or `mailto:you@example.com` for the tenant's channels."""
    return job_ok(await db.run_write(lambda s: service.add_target(s, cipher, policy, caller=caller, url=body.url)))


@router.get("/targets", response_model=Data[list[Target]])
async def list_targets(caller: CurrentCaller, db: Db, cipher: AppCipher) -> dict[str, Any]:
    """Your own targets, URLs masked."""
    return job_ok(await db.run_read(lambda s: service.list_targets(s, cipher, caller=caller)))


@router.delete("/targets/{target_id}", response_model=Data[int])
async def delete_target(caller: CurrentCaller, target_id: Id, db: Db) -> dict[str, Any]:
    """Remove one of your own targets -> its id."""
    return job_ok(await db.run_write(lambda s: service.delete_target(s, caller=caller, target_id=target_id)))


@router.get("/outbox", response_model=Data[list[OutboxItem]])
async def list_outbox(
    caller: CurrentCaller,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    status: OutboxStatus | None = None,
) -> dict[str, Any]:
    """The tenant's recent deliveries, newest first: status, attempts, last error (secrets masked)."""
    return job_ok(await db.run_read(lambda s: service.list_outbox(s, caller=caller, limit=limit, status=status)))
