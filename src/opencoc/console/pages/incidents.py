"""Incidents: the list (filters, sort, pages, live), the create form, the detail with its timeline and actions.

Every write goes through the incident API's own schemas and service, with the signed-in user as
creator/operator, so the console and the API share one workflow, one validation and one history.
"""

from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from opencoc.alarms import service as alarms
from opencoc.auth import service as auth
from opencoc.console import access, forms, render
from opencoc.console.errors import error_page
from opencoc.console.paging import Paging
from opencoc.console.session import Changing, Me, SignedIn
from opencoc.core.db import Database
from opencoc.core.deps import AppWakeups, Db
from opencoc.core.errors import OpenCOCError
from opencoc.incidents import enums, schemas, v2_schemas, v2_service
from opencoc.incidents import service as incidents

router = APIRouter()
search = incidents.search
BASE = "/console/incidents"
KEEPALIVE_S = 15.0
CREATE_FIELDS = (
    "incident_title",
    "incident_description",
    "incident_level",
    "incident_type",
    "incident_source",
    "is_service_interrupt",
    "incident_assignee",
    "assignee_scene",
    "assignee_role",
    "region",
    "start_time",
)
SOLUTION_FIELDS = (
    "mtm_type",
    "is_service_interrupt",
    "cause",
    "solution",
    "start_time",
    "fault_recovery_time",
    "fault_delineation_time",
)
VERIFY_FIELDS = ("virtual_confirm_result", "virtual_confirm_comment")
# The v2 workflow's form fields (the API's param names) and those read as a UTC date and time.
WORKFLOW_FIELDS = (
    "virtual_send_assignee", "virtual_schedule_type", "virtual_schedule_role", "virtual_send_comment", "note",
    "pause_end_time", "pause_reason", "virtual_target_level", "virtual_change_level_comment",
    "virtual_confirm_comment", "title", "level_id",
)  # fmt: skip
WORKFLOW_TIMES = ("pause_end_time",)
WORKFLOW_NAMES = {
    "accepted": "Accepted",
    "unAcceptedForward": "Forwarded",
    "acceptedForward": "Forwarded",
    "addRemark": "Added a remark",
    "commitSolution": "Submitted a solution",
    "incidentPause": "Asked to pause",
    "agreed": "Agreed",
    "rejected": "Rejected",
    "recovery": "Resumed",
    "changeLevel": "Asked for a level change",
    "Reopen": "Reopened",
}
# The nodes where the v1 forms (accept, solution, verify) apply: not during a pause or an approval.
V1_NODES = ("incident_accept", "incident_handle", "incident_confirm")
# The operations each status allows, in the order the detail page offers them.
ACTIONS: dict[str, tuple[str, ...]] = {
    enums.TRIGGERED: ("accept",),
    enums.ACKNOWLEDGED: ("solution",),
    enums.RESOLVED: ("verify",),
}


def _filters(
    status: str, level: str, source: str, q: str, mine: bool, sort: str, order: str, page: int, me: Me
) -> search.Filters:
    """The list's filters from the query; values outside the enumerations mean "any"."""
    return search.Filters(
        status=status if status in enums.STATUSES else None,
        level=level if level in enums.LEVELS else None,
        source=source if source in enums.SOURCES else None,
        text=q.strip() or None,
        assignee=me.caller.user_id if mine else None,
        sort=sort if sort in search.SORTS else "created",
        descending=order != "asc",
        page=page,
    )


def _paging(filters: search.Filters, mine: bool, total: int) -> Paging:
    """The list as shown, for its links to other pages, sorts and statuses."""
    values = {
        "status": filters.status or "",
        "level": filters.level or "",
        "source": filters.source or "",
        "q": filters.text or "",
        "mine": "1" if mine else "",
        "sort": filters.sort,
        "order": "desc" if filters.descending else "asc",
        "page": filters.page,
    }
    return Paging(BASE, values, total, search.PAGE_SIZE)


@router.get(BASE, response_class=HTMLResponse)
async def incident_list(
    request: Request,
    me: SignedIn,
    db: Db,
    status: Annotated[str, Query(max_length=64)] = "",
    level: Annotated[str, Query(max_length=64)] = "",
    source: Annotated[str, Query(max_length=64)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    mine: bool = False,
    sort: Annotated[str, Query(max_length=16)] = "created",
    order: Annotated[str, Query(max_length=4)] = "desc",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> HTMLResponse:
    """The tenant's incidents, 50 a page, with the counts per status; htmx gets the table alone."""
    filters = _filters(status, level, source, q, mine, sort, order, page, me)
    tenant_id = me.caller.tenant_id

    htmx = render.is_htmx(request)

    def read(s: Any) -> tuple[int, list[Any], search.Counts, dict[str, str], render.Header | None]:
        counts = incidents.counts.cached_counts(s, tenant_id=tenant_id)
        total, rows = search.page(s, tenant_id=tenant_id, filters=filters, counts=counts)
        people = auth.user_names(s, tenant_id, sorted({p for r in rows for p in r.incident_assignee}))
        return total, rows, counts, people, None if htmx else render.read_header(s, me)

    total, rows, counts, people, header = await db.run_read(read)
    paging = _paging(filters, mine, total)
    context: dict[str, Any] = {
        "filters": filters,
        "mine": mine,
        "rows": rows,
        "people": people,
        "counts": counts.by_status,
        "paging": paging,
        "query": paging.query,
        "STATUSES": enums.STATUSES,
        "SOURCES": enums.SOURCES,
        "SORTS": search.SORTS,
    }
    if htmx:
        return render.fragment(request, "incidents/_table.html", me=me, **context)
    return await render.page(request, me, "incidents/list.html", section="incidents", header=header, **context)


@router.get("/console/open-levels", response_class=HTMLResponse)
async def open_levels(request: Request, me: SignedIn, db: Db) -> HTMLResponse:
    """The header's open incidents by level (htmx refreshes it when the tenant's incidents change)."""
    tenant_id = me.caller.tenant_id
    counts = await db.run_read(lambda s: incidents.counts.cached_counts(s, tenant_id=tenant_id).open_by_level)
    return render.fragment(request, "_open_levels.html", open_by_level=counts)


@router.get(BASE + "/events")
async def incident_events(me: SignedIn, wakeups: AppWakeups) -> StreamingResponse:
    """Server-sent events: `changed` whenever an incident of the tenant is created or changes.

    Each subscriber waits on the tenant's wake-up key (announced after the commit, core/db.py):
    no database work until something changed, when the page fetches its table again.
    """
    key = incidents.changes_key(me.caller.tenant_id)

    async def stream() -> AsyncIterator[str]:
        yield "retry: 3000\n\n"
        while not wakeups.closed:
            changed = await wakeups.wait(key, KEEPALIVE_S)
            if wakeups.closed:
                return
            yield "event: changed\ndata: {}\n\n" if changed else ": keep-alive\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


async def _users(db: Database, me: Me) -> list[tuple[str, str]]:
    tenant_id = me.caller.tenant_id
    return await db.run_read(lambda s: auth.tenant_users(s, tenant_id))


def _new_form_defaults(me: Me) -> dict[str, str]:
    return {
        "incident_level": "level_30",
        "incident_type": "inc_type_p_function_issues",
        "incident_source": "incident_source_manual",
        "incident_assignee": me.caller.user_id,
    }


@router.get(BASE + "/new", response_class=HTMLResponse)
async def new_incident_form(request: Request, me: SignedIn, db: Db) -> HTMLResponse:
    return await _create_page(request, me, db, _new_form_defaults(me), {})


async def _create_page(
    request: Request, me: Me, db: Database, values: dict[str, str], errors: dict[str, str]
) -> HTMLResponse:
    """The create form; shown again with the API's messages it answers 200 like any page (not an error)."""
    return await render.page(
        request,
        me,
        "incidents/new.html",
        section="incidents",
        values=values,
        errors=errors,
        users=await _users(db, me),
        TYPES=enums.TYPES,
        SOURCES=enums.SOURCES,
    )


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _create_body(form: FormData, me: Me) -> dict[str, Any]:
    """The API's create body from the form (the creator is the signed-in user)."""
    body: dict[str, Any] = {
        "incident_title": _text(form, "incident_title"),
        "incident_description": _text(form, "incident_description"),
        "incident_level": _text(form, "incident_level"),
        "incident_type": _text(form, "incident_type"),
        "incident_source": _text(form, "incident_source"),
        "is_service_interrupt": form.get("is_service_interrupt") == "true",
        "creator": me.caller.user_id,
    }
    for name in ("assignee_scene", "assignee_role"):
        if _text(form, name):
            body[name] = _text(form, name)
    if _text(form, "incident_assignee"):
        body["incident_assignee"] = [_text(form, "incident_assignee")]
    if _text(form, "region"):
        body["region"] = [_text(form, "region")]
    start = forms.ms_from_local(_text(form, "start_time"), "start_time")
    if start is not None:
        body["start_time"] = start
    return body


@router.post(BASE, response_class=HTMLResponse)
async def create_incident(request: Request, me: Changing, db: Db) -> Response:
    """Create an incident as the signed-in user; the form again with the API's messages when invalid."""
    form = await request.form()
    values = {name: _text(form, name) for name in CREATE_FIELDS}
    try:
        body = schemas.parse(schemas.CreateIncidentRequest, _create_body(form, me))
        caller = me.caller
        created = await db.run_write(lambda s: incidents.create_incident_for(s, caller=caller, body=body))
    except OpenCOCError as exc:
        errors = forms.field_errors(exc.error_msg, CREATE_FIELDS)
        return await _create_page(request, me, db, values, errors)
    return RedirectResponse(f"{BASE}/{created.incident_num}", status_code=303)


async def _detail_page(
    request: Request,
    me: Me,
    db: Database,
    incident_num: str,
    *,
    form: str = "",
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> HTMLResponse:
    """The incident with its timeline and the actions of its status; `form` names the action whose form shows
    `values` and `errors`."""
    tenant_id = me.caller.tenant_id

    def read(s: Any) -> tuple[dict[str, Any], list[Any], list[dict[str, Any]], dict[str, str], dict[str, Any]]:
        data = incidents.detail(s, tenant_id=tenant_id, incident_num=incident_num)
        timeline = search.timeline(s, tenant_id=tenant_id, incident_num=incident_num)
        linked = alarms.linked_to_incident(s, tenant_id=tenant_id, incident_num=incident_num)
        ids = {op.operator for op in timeline} | {data["creator"], data["acceptor"] or "", *data["incident_assignee"]}
        ids.add(data["oncall_assignee"] or "")
        node = v2_service.tasks(s, tenant_id=tenant_id, incident_num=incident_num)[0]
        return data, timeline, linked, auth.user_names(s, tenant_id, sorted(i for i in ids if i)), node

    try:
        data, timeline, linked, people, node = await db.run_read(read)
    except OpenCOCError as exc:
        if exc.error_code != enums.NOT_FOUND_CODE:
            raise
        return error_page(request, 404, f"There is no incident {incident_num} in your tenant.")
    names = {entry["filed_key"]: entry["name_en"] for entry in data["enum_data_list"]}
    return await render.page(
        request,
        me,
        "incidents/detail.html",
        section="incidents",
        incident=data,
        names=names,
        timeline=timeline,
        alarms=linked,
        people=people,
        actions=ACTIONS.get(data["status"], ()) if node["key"] in V1_NODES else (),
        node=node,
        workflow_ops=[op["key"] for op in node["operations"]] if access.can_change(me) else [],
        task_id=node["operations"][0]["task_id"] if node["operations"] else "",
        LEVELS=enums.LEVELS,
        open_form=form,
        values=values or {},
        errors=errors or {},
        TYPES=enums.TYPES,
        OPERATIONS={
            enums.CREATE: "Created",
            enums.ACCEPT: "Accepted",
            enums.COMMIT_SOLUTION: "Submitted a solution",
            enums.CONFIRM: "Verified",
            **WORKFLOW_NAMES,
        },
        local=forms.local_from_ms,
    )


@router.get(BASE + "/{incident_num}", response_class=HTMLResponse)
async def incident_detail(request: Request, incident_num: str, me: SignedIn, db: Db) -> HTMLResponse:
    """Every field with its enum names, the timeline, and the actions valid in the incident's status."""
    return await _detail_page(request, me, db, incident_num[:255])


async def _handle(
    request: Request,
    me: Me,
    db: Database,
    incident_num: str,
    operate_key: str,
    parameter: dict[str, Any],
    form: str,
    fields: tuple[str, ...],
    values: dict[str, str],
) -> Response:
    """One workflow operation through the API's schema and service, with the signed-in user as operator."""
    try:
        body = schemas.parse(
            schemas.HandleIncidentRequest,
            {
                "incident_num": incident_num,
                "operator": me.caller.user_id,
                "operate_key": operate_key,
                "parameter": parameter,
            },
        )
        await db.run_write(lambda s: incidents.handle_incident(s, caller=me.caller, body=body))
    except OpenCOCError as exc:
        if exc.error_code == enums.NOT_FOUND_CODE:
            return error_page(request, 404, f"There is no incident {incident_num} in your tenant.")
        errors = forms.field_errors(exc.error_msg, fields)
        return await _detail_page(request, me, db, incident_num, form=form, values=values, errors=errors)
    return RedirectResponse(f"{BASE}/{incident_num}", status_code=303)


@router.post(BASE + "/{incident_num}/accept", response_class=HTMLResponse)
async def accept(request: Request, incident_num: str, me: Changing, db: Db) -> Response:
    return await _handle(request, me, db, incident_num[:255], enums.ACCEPT, {}, "accept", (), {})


@router.post(BASE + "/{incident_num}/solution", response_class=HTMLResponse)
async def submit_solution(request: Request, incident_num: str, me: Changing, db: Db) -> Response:
    form = await request.form()
    values = {name: _text(form, name) for name in SOLUTION_FIELDS}
    try:
        parameter: dict[str, Any] = {
            "mtm_type": values["mtm_type"],
            "is_service_interrupt": form.get("is_service_interrupt") == "true",
            "cause": values["cause"],
            "solution": values["solution"],
        }
        for name in ("start_time", "fault_recovery_time", "fault_delineation_time"):
            ms = forms.ms_from_local(values[name], name)
            if ms is not None:
                parameter[name] = ms
    except OpenCOCError as exc:
        errors = forms.field_errors(exc.error_msg, SOLUTION_FIELDS)
        return await _detail_page(request, me, db, incident_num[:255], form="solution", values=values, errors=errors)
    return await _handle(
        request, me, db, incident_num[:255], enums.COMMIT_SOLUTION, parameter, "solution", SOLUTION_FIELDS, values
    )


@router.post(BASE + "/{incident_num}/verify", response_class=HTMLResponse)
async def verify(request: Request, incident_num: str, me: Changing, db: Db) -> Response:
    """Confirm the solution (the incident completes) or reject it (back to acknowledged), with a comment."""
    form = await request.form()
    values = {name: _text(form, name) for name in VERIFY_FIELDS}
    parameter = {
        "virtual_confirm_result": values["virtual_confirm_result"] != "reject",
        "virtual_confirm_comment": values["virtual_confirm_comment"],
    }
    return await _handle(request, me, db, incident_num[:255], enums.CONFIRM, parameter, "verify", VERIFY_FIELDS, values)


@router.post(BASE + "/{incident_num}/workflow", response_class=HTMLResponse)
async def workflow_action(request: Request, incident_num: str, me: Changing, db: Db) -> Response:
    """One v2 action of the open task (forward, remark, pause, level change, reject, reopen, approvals)."""
    form = await request.form()
    num = incident_num[:255]
    action = _text(form, "action")
    values = {name: _text(form, name) for name in WORKFLOW_FIELDS}
    if _text(form, "decision"):  # an approval's two buttons share one form
        action = _text(form, "decision")
    open_form = f"workflow-{_text(form, 'form') or action}"
    try:
        params: dict[str, Any] = {k: v for k, v in values.items() if v and k not in WORKFLOW_TIMES}
        for name in WORKFLOW_TIMES:
            ms = forms.ms_from_local(values[name], name)
            if ms is not None:
                params[name] = ms
        body = schemas.parse(
            v2_schemas.ExecuteActionRequest, {"task_id": _text(form, "task_id"), "action": action, "params": params}
        )
        caller = me.caller
        await db.run_write(lambda s: v2_service.handle_action(s, caller=caller, incident_num=num, body=body))
    except OpenCOCError as exc:
        if exc.error_code == enums.NOT_FOUND_CODE:
            return error_page(request, 404, f"There is no incident {num} in your tenant.")
        if exc.status == 403:
            return access.refused(request, me, "handle incidents")
        errors = forms.field_errors(exc.error_msg, WORKFLOW_FIELDS)
        return await _detail_page(request, me, db, num, form=open_form, values=values, errors=errors)
    return RedirectResponse(f"{BASE}/{num}", status_code=303)
