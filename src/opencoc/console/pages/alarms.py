"""Alarms: the list (status, level, integration, source, time range; pages; live), the detail with the raw
payload, Clear, and Convert to incident.

Clear and Convert go through the alarm API's own schemas and flows (`alarms.flows`, the functions
`/v1/alarm-mgmt/...` calls; import-linter allows this page that one import), with the signed-in
user as operator.
"""

import json
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from opencoc.alarms import flows, schemas
from opencoc.alarms import service as alarms
from opencoc.console import access, forms, render
from opencoc.console.errors import error_page
from opencoc.console.paging import Paging
from opencoc.console.session import Changing, Me, SignedIn
from opencoc.core.deps import AppWakeups, Db
from opencoc.core.errors import OpenCOCError

router = APIRouter()
BASE = "/console/alarms"
KEEPALIVE_S = 15.0
STATUS_NAMES = {schemas.ACTIVE: "Active", schemas.CLEARED: "Cleared"}


def _filters(
    status: str, level: str, integration: str, source: str, since: str, until: str, page: int
) -> alarms.Filters:
    """The list's filters from the query; values outside the enumerations mean "any", bad times are ignored."""

    def ms(value: str) -> int | None:
        try:
            return forms.ms_from_local(value, "time")
        except OpenCOCError:
            return None

    def text(value: str) -> str | None:
        """A free-text filter; one PostgreSQL cannot compare (a NUL character) means any."""
        return (value.strip() or None) if "\x00" not in value else None

    return alarms.Filters(
        status=status if status in schemas.STATUSES else None,
        level=level if level in schemas.LEVELS else None,
        integration_id=text(integration),
        source=text(source),
        since=ms(since),
        until=ms(until),
        page=page,
    )


def _paging(filters: alarms.Filters, total: int) -> Paging:
    """The list as shown, for its links to other pages."""
    values = {
        "status": filters.status or "",
        "level": filters.level or "",
        "integration": filters.integration_id or "",
        "source": filters.source or "",
        "from": forms.local_from_ms(filters.since),
        "to": forms.local_from_ms(filters.until),
        "page": filters.page,
    }
    return Paging(BASE, values, total, alarms.PAGE_SIZE)


@router.get(BASE, response_class=HTMLResponse)
async def alarm_list(
    request: Request,
    me: SignedIn,
    db: Db,
    status: Annotated[str, Query(max_length=16)] = "",
    level: Annotated[str, Query(max_length=16)] = "",
    integration: Annotated[str, Query(max_length=64)] = "",
    source: Annotated[str, Query(max_length=255)] = "",
    since: Annotated[str, Query(alias="from", max_length=32)] = "",
    until: Annotated[str, Query(alias="to", max_length=32)] = "",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """The tenant's alarms, newest first, 50 a page; htmx gets the table alone."""
    filters = _filters(status, level, integration, source, since, until, page)
    tenant_id = me.caller.tenant_id

    def read(s: Any) -> tuple[int, list[dict[str, Any]], list[dict[str, Any]]]:
        total, rows = alarms.find(s, tenant_id=tenant_id, filters=filters)
        return total, rows, alarms.integrations.list_all(s, tenant_id=tenant_id)

    total, rows, integrations = await db.run_read(read)
    paging = _paging(filters, total)
    context: dict[str, Any] = {
        "filters": filters,
        "rows": rows,
        "integrations": integrations,
        "paging": paging,
        "query": paging.query,
        "ALARM_LEVELS": schemas.LEVELS,
        "STATUS_NAMES": STATUS_NAMES,
        "since_value": forms.local_from_ms(filters.since),
        "until_value": forms.local_from_ms(filters.until),
    }
    if render.is_htmx(request):
        return render.fragment(request, "alarms/_table.html", me=me, **context)
    return await render.page(request, me, "alarms/list.html", section="alarms", **context)


@router.get(BASE + "/events")
async def alarm_events(me: SignedIn, wakeups: AppWakeups) -> StreamingResponse:
    """Server-sent events: `changed` when an alarm of the tenant is raised, repeated, cleared or linked.

    As the incident list's feed: every subscriber waits on the tenant's wake-up key, no database work.
    """
    key = alarms.changes_key(me.caller.tenant_id)

    async def stream() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        while not wakeups.closed:
            changed = await wakeups.wait(key, KEEPALIVE_S)
            if wakeups.closed:
                return
            yield "event: changed\ndata: {}\n\n" if changed else ": keep-alive\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


def _not_found(request: Request, alarm_id: str) -> HTMLResponse:
    return error_page(request, 404, f"There is no alarm {alarm_id} in your tenant.")


async def _detail_page(request: Request, me: Me, db: Any, alarm_id: str, error: str = "") -> HTMLResponse:
    tenant_id, domain_id = me.caller.tenant_id, me.caller.domain_id
    try:
        data = await db.run_read(lambda s: alarms.show(s, tenant_id=tenant_id, domain_id=domain_id, alarm_id=alarm_id))
    except OpenCOCError as exc:
        if exc.status != 404:
            raise
        return _not_found(request, alarm_id)
    return await render.page(
        request,
        me,
        "alarms/detail.html",
        section="alarms",
        alarm=data,
        # the raw payload as reported (`additional`), pretty-printed; Jinja escapes it like any text
        payload=json.dumps(data["additional"], indent=2, ensure_ascii=False, sort_keys=True),
        error=error,
        can_change=access.can_change(me),
        STATUS_NAMES=STATUS_NAMES,
        ACTIVE=schemas.ACTIVE,
    )


@router.get(BASE + "/{alarm_id}", response_class=HTMLResponse)
async def alarm_detail(request: Request, alarm_id: str, me: SignedIn, db: Db) -> HTMLResponse:
    """The alarm's fields, occurrence count, raw payload, incident link, and Clear / Convert to incident."""
    return await _detail_page(request, me, db, alarm_id[:64])


async def _act(
    request: Request, me: Me, db: Any, alarm_id: str, write: Callable[[Any], Any], then: Callable[[Any], str]
) -> Response:
    """Run one alarm action, then go to `then(result)`; a 404 is the not-found page, other refusals show
    on the detail page (200, with the API's message)."""
    try:
        result = await db.run_write(write)
    except OpenCOCError as exc:
        if exc.status == 404:
            return _not_found(request, alarm_id)
        return await _detail_page(request, me, db, alarm_id, error=exc.error_msg)
    return RedirectResponse(then(result), status_code=303)


@router.post(BASE + "/{alarm_id}/clear", response_class=HTMLResponse)
async def clear(request: Request, alarm_id: str, me: Changing, db: Db) -> Response:
    """Clear the alarm (as `POST /v1/alarm-mgmt/alarms/cancel`), the signed-in user recorded as who cleared it."""
    alarm_id = alarm_id[:64]
    if not access.can_change(me):
        return access.refused(request, me, "clear alarms")
    form = await request.form()
    remarks = form.get("remarks")
    caller = me.caller
    try:
        body = schemas.parse(
            schemas.ClearAlarmRequest,
            {"alarm_ids": [alarm_id], **({"remarks": remarks} if isinstance(remarks, str) and remarks.strip() else {})},
        )
    except OpenCOCError as exc:
        return await _detail_page(request, me, db, alarm_id, error=exc.error_msg)
    return await _act(
        request,
        me,
        db,
        alarm_id,
        lambda s: flows.clear_alarms(s, caller=caller, body=body),
        lambda _cleared: f"{BASE}/{alarm_id}",
    )


@router.post(BASE + "/{alarm_id}/incident", response_class=HTMLResponse)
async def convert(request: Request, alarm_id: str, me: Changing, db: Db) -> Response:
    """Convert the alarm to an incident (as `POST /v1/alarm-mgmt/alarms-linked-incident`); on to the incident."""
    alarm_id = alarm_id[:64]
    if not access.can_change(me):
        return access.refused(request, me, "convert alarms to incidents")
    caller = me.caller
    body = schemas.parse(schemas.AlarmToIncidentRequest, {"alarm_ids": [alarm_id]})
    return await _act(
        request,
        me,
        db,
        alarm_id,
        lambda s: flows.transfer_to_incident(s, caller=caller, body=body),
        lambda incident_num: f"/console/incidents/{incident_num}",
    )
