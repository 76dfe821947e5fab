"""Running a script and watching it: the run form (hosts from the inventory, batches, thresholds,
parameter values), the order list, the live order view, a host's whole log, and the operations.

The order starts through the jobs service (`_start_order`, the one call site) and every operation
goes through the same service as PUT /v1/job/script/orders/{uuid}/operation, as the signed-in user.
The order view is live: every open view of an order waits on the order's one wake-up key
(announced after each commit that changes it, jobs/wake.py), so no subscriber polls the database;
on an event the page fetches its fragment again.
"""

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from markupsafe import Markup
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from opencoc.auth.caller import Caller
from opencoc.console import forms, render
from opencoc.console.errors import error_page
from opencoc.console.session import Changing, Me, SignedIn
from opencoc.core import validation
from opencoc.core.clock import now_ms
from opencoc.core.crypto import Cipher
from opencoc.core.db import Database
from opencoc.core.deps import AppCipher, AppSettings, AppWakeups, Db
from opencoc.core.errors import OpenCOCError
from opencoc.core.ttl_cache import TtlCache
from opencoc.jobs import schemas as job_schemas
from opencoc.jobs import service as jobs
from opencoc.jobs import statuses as st
from opencoc.resources import service as resources
from opencoc.scripts import schemas as script_schemas
from opencoc.scripts import service as scripts
from opencoc.scripts import statuses as script_statuses

router = APIRouter()
BASE = "/console/orders"
KEEPALIVE_S = 15.0
CHANGED = "event: changed\ndata: {}\n\n"
INVALID = "COC.00040701"
PAGE = 50
MAX_PICK = 200  # hosts the run form lists at once
RUN_FIELDS = ("hosts", "batch_size", "success_rate", "timeout", "execute_user", "script_params", "execute_batches")
HOST_STATES = ("ONLINE", "OFFLINE")
# operation -> the button's words
OPERATIONS = {
    "PAUSE_ORDER": "Pause",
    "CONTINUE_ORDER": "Continue",
    "CANCEL_ORDER": "Cancel order",
    "SKIP_BATCH": "Skip this batch",
}
RETRYABLE = frozenset({st.ABNORMAL, st.CANCELED})
# by order id: what one version of its progress (jobs.progress_cache) shows, worked out once
_SHOWN: TtlCache[int, "_Shown"] = TtlCache(60.0, maxsize=256)


@dataclass(frozen=True)
class _Shown:
    order: jobs.progress.OrderProgress
    batches_html: Markup  # the batches' tables
    failed: list[jobs.progress.HostRun]  # the hosts of started batches that a retry would run again


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _order_missing(request: Request, execute_uuid: str) -> HTMLResponse:
    return error_page(request, 404, f"There is no order {execute_uuid[:64]} in your tenant.")


def _script_missing(request: Request, script_uuid: str) -> HTMLResponse:
    return error_page(request, 404, f"There is no script {script_uuid[:64]} in your tenant.")


def _is_missing_script(exc: OpenCOCError) -> bool:
    return exc.error_code == "COC.00040604" or (exc.error_code == "COC.00040601" and "script_uuid[" in exc.error_msg)


def _start_order(
    session: Any,
    *,
    caller: Caller,
    script_uuid: str,
    body: job_schemas.ScriptExecuteModel,
    cipher: Cipher,
    grace: float,
) -> tuple[str, set[str]]:
    """The one place the console starts an order."""
    return jobs.start_order(
        session, caller=caller, script_uuid=script_uuid, body=body, cipher=cipher, now=now_ms(), offline_after_s=grace
    )


@router.get(BASE, response_class=HTMLResponse)
async def order_list(
    request: Request,
    me: SignedIn,
    db: Db,
    status: Annotated[str, Query(max_length=16)] = "",
    before: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> HTMLResponse:
    """The tenant's orders, newest first, 50 a page (`before`: the last order id of the previous page)."""
    tenant_id = me.caller.tenant_id
    wanted = status if status in st.ORDER_STATUSES else None
    data = await db.run_read(
        lambda s: jobs.list_orders(
            s,
            tenant_id=tenant_id,
            limit=PAGE,
            marker=before,
            start_time=None,
            end_time=None,
            creator=None,
            status=wanted,
            now=now_ms(),
        )
    )
    older = data["data"][-1]["order_id"] if len(data["data"]) == PAGE else None
    return await render.page(
        request,
        me,
        "orders/list.html",
        section="scripts",
        data=data,
        chosen=wanted or "",
        older=older,
        STATUSES=st.ORDER_STATUSES,
    )


async def _run_page(
    request: Request,
    me: Me,
    db: Database,
    grace: float,
    script_uuid: str,
    values: dict[str, Any],
    errors: dict[str, str],
) -> HTMLResponse:
    """The run form: the script's parameters, the hosts the filters match (and those already chosen)."""
    caller = me.caller
    query = resources.ResourceQuery(
        provider=resources.HOST_PROVIDER,
        type=resources.HOST_TYPE,
        limit=MAX_PICK,
        name=values.get("f_name") or None,
        region_id=values.get("f_region") or None,
        agent_state=values.get("f_state") if values.get("f_state") in HOST_STATES else None,
    )

    def read(s: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        script = scripts.get_script(s, tenant_id=caller.tenant_id, script_uuid=script_uuid)
        hosts = resources.list_resources(
            s, tenant_id=caller.tenant_id, domain_id=caller.domain_id, query=query, now=now_ms(), offline_after_s=grace
        )
        return script, hosts

    try:
        script, hosts = await db.run_read(read)
    except OpenCOCError as exc:
        if not _is_missing_script(exc):
            raise
        return _script_missing(request, script_uuid)
    shown = {h["resource_id"] for h in hosts}
    return await render.page(
        request,
        me,
        "orders/run.html",
        section="scripts",
        script=script,
        hosts=hosts,
        hidden_hosts=[h for h in values.get("hosts", []) if h not in shown],
        values=values,
        errors=errors,
        approved=script["status"] == script_statuses.APPROVED,
        MASK=script_schemas.SENSITIVE_MASK,
        HOST_STATES=HOST_STATES,
    )


def _run_defaults() -> dict[str, Any]:
    return {
        "batch_size": "1",
        "success_rate": "100",
        "timeout": "300",
        "execute_user": "root",
        "pause": False,
        "hosts": [],
        "params": {},
    }


@router.get("/console/scripts/{script_uuid}/run", response_class=HTMLResponse)
async def run_form(
    request: Request,
    script_uuid: str,
    me: SignedIn,
    db: Db,
    settings: AppSettings,
    name: Annotated[str, Query(max_length=64)] = "",
    region: Annotated[str, Query(max_length=64)] = "",
    state: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    values = {**_run_defaults(), "f_name": name.strip(), "f_region": region.strip(), "f_state": state}
    return await _run_page(request, me, db, settings.agent_offline_after_seconds, script_uuid[:64], values, {})


def _run_values(form: FormData) -> dict[str, Any]:
    hosts = list(dict.fromkeys(h for h in form.getlist("hosts") if isinstance(h, str) and h))
    return {
        "batch_size": _text(form, "batch_size"),
        "success_rate": _text(form, "success_rate"),
        "timeout": _text(form, "timeout"),
        "execute_user": _text(form, "execute_user"),
        "pause": form.get("pause") == "true",
        "hosts": hosts[: job_schemas.MAX_HOSTS + 1],
        "params": {k[6:]: v for k, v in form.items() if k.startswith("param_") and isinstance(v, str)},
        "f_name": _text(form, "f_name"),
        "f_region": _text(form, "f_region"),
        "f_state": _text(form, "f_state"),
    }


def _number(value: str, field: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise OpenCOCError(INVALID, f"{field} must be a number") from None


def _execute_body(values: dict[str, Any], script: dict[str, Any]) -> dict[str, Any]:
    """The API's execute body: the chosen hosts in batches of `batch_size`, in the order chosen."""
    hosts: list[str] = values["hosts"]
    if not hosts:
        raise OpenCOCError(INVALID, "hosts: choose at least one host")
    size = _number(values["batch_size"], "batch_size")
    if size != int(size) or not 1 <= size <= job_schemas.MAX_BATCH_HOSTS:
        raise OpenCOCError(INVALID, f"batch_size must be a whole number from 1 to {job_schemas.MAX_BATCH_HOSTS}")
    batch = int(size)
    params = []
    for p in script["script_params"]:
        given = values["params"].get(p["param_name"], "")
        if p["sensitive"] and given in ("", script_schemas.SENSITIVE_MASK):
            continue  # the script's stored default
        params.append({"param_name": p["param_name"], "param_value": given})
    groups = [hosts[i : i + batch] for i in range(0, len(hosts), batch)]
    return {
        "execute_param": {
            "timeout": _number(values["timeout"], "timeout"),
            "success_rate": _number(values["success_rate"], "success_rate"),
            "execute_user": values["execute_user"],
            "resourceful": True,
            "script_params": params,
        },
        "execute_batches": [
            {
                "batch_index": i,
                "rotation_strategy": st.PAUSE if values["pause"] else "CONTINUE",
                "target_instances": [{"resource_id": h} for h in group],
            }
            for i, group in enumerate(groups, start=1)
        ],
    }


@router.post("/console/scripts/{script_uuid}/run", response_class=HTMLResponse)
async def run_script(
    request: Request,
    script_uuid: str,
    me: Changing,
    db: Db,
    cipher: AppCipher,
    settings: AppSettings,
    wakeups: AppWakeups,
) -> Response:
    """Start the order (or, with the filter button, show the hosts the filters match, keeping the choice)."""
    form = await request.form()
    values = _run_values(form)
    uuid, grace, caller = script_uuid[:64], settings.agent_offline_after_seconds, me.caller
    if form.get("action") == "filter":
        return await _run_page(request, me, db, grace, uuid, values, {})
    try:
        script = await db.run_read(lambda s: scripts.get_script(s, tenant_id=caller.tenant_id, script_uuid=uuid))
        body = validation.parse(job_schemas.ScriptExecuteModel, _execute_body(values, script), code=INVALID)
        execute_uuid, woken = await db.run_write(
            lambda s: _start_order(s, caller=caller, script_uuid=uuid, body=body, cipher=cipher, grace=grace)
        )
    except OpenCOCError as exc:
        if _is_missing_script(exc):
            return _script_missing(request, uuid)
        errors = forms.field_errors(exc.error_msg, RUN_FIELDS)
        return await _run_page(request, me, db, grace, uuid, values, errors)
    jobs.wake_agents(wakeups, woken)
    return RedirectResponse(f"{BASE}/{execute_uuid}", status_code=303)


async def _progress(
    db: Database, me: Me, execute_uuid: str
) -> tuple[jobs.progress.OrderProgress, render.Header] | None:
    """The order's progress (kept until it changes: jobs.progress_cache) and the page header, in one read."""
    tenant_id = me.caller.tenant_id

    def read(s: Any) -> tuple[jobs.progress.OrderProgress, render.Header]:
        order = jobs.progress_cache.cached_progress(s, tenant_id=tenant_id, execute_uuid=execute_uuid, now=now_ms())
        return order, render.read_header(s, me)

    try:
        return await db.run_read(read)
    except OpenCOCError as exc:
        if exc.error_code != jobs.ORDER_NOT_FOUND:
            raise
        return None


def _shown(order: jobs.progress.OrderProgress) -> _Shown:
    """The batches' tables and the failed hosts: worked out once per version of the order's progress."""
    kept = _SHOWN.get(order.order_id)
    if kept is not None and kept.order is order:
        return kept
    started = {b.batch_index for b in order.batches if b.state != "READY"}
    failed = [h for b in order.batches if b.batch_index in started for h in b.hosts if h.status in RETRYABLE]
    html = render.markup("orders/_batches.html", order=order, uuid=order.info["execute_uuid"])
    shown = _Shown(order, html, failed)
    _SHOWN.put(order.order_id, shown)
    return shown


def _view_context(order: jobs.progress.OrderProgress, errors: dict[str, str] | None = None) -> dict[str, Any]:
    shown = _shown(order)
    failed = shown.failed
    return {
        "order": order,
        "OPERATIONS": OPERATIONS,
        "can_retry": "RETRY_INSTANCE" in order.allowed and bool(failed),
        "failed": failed,
        "RETRYABLE": RETRYABLE,
        "errors": errors or {},
        "ended": order.ended,
        "batches_html": shown.batches_html,
    }


@router.get(BASE + "/{execute_uuid}", response_class=HTMLResponse)
async def order_view(request: Request, execute_uuid: str, me: SignedIn, db: Db) -> HTMLResponse:
    """The order's batches and hosts (live), and the operations its state allows; htmx gets the fragment."""
    found = await _progress(db, me, execute_uuid[:64])
    if found is None:
        return _order_missing(request, execute_uuid)
    order, header = found
    if render.is_htmx(request):
        return render.fragment(request, "orders/_progress.html", me=me, **_view_context(order))
    return await render.page(request, me, "orders/view.html", section="scripts", header=header, **_view_context(order))


@router.get(BASE + "/{execute_uuid}/events", response_model=None)
async def order_events(
    request: Request, execute_uuid: str, me: SignedIn, db: Db, wakeups: AppWakeups
) -> StreamingResponse | HTMLResponse:
    """Server-sent events: `changed` whenever the order or one of its hosts changes.

    One read finds the order (and checks the tenant); then the stream only waits on the order's
    wake-up key, shared by every open view of it: no database work per subscriber until it changed.
    """
    tenant_id = me.caller.tenant_id
    try:
        order_id = await db.run_read(
            lambda s: jobs.progress.order_id_of(s, tenant_id=tenant_id, execute_uuid=execute_uuid[:64])
        )
    except OpenCOCError as exc:
        if exc.error_code != jobs.ORDER_NOT_FOUND:
            raise
        return _order_missing(request, execute_uuid)
    key = jobs.order_key(order_id)

    async def stream() -> AsyncIterator[str]:
        # `changed` at once: what changed between the page's render and this subscription (an agent
        # can finish a short task in that time) must not be missed; on a reconnect as well.
        yield "retry: 3000\n\n" + CHANGED
        while not wakeups.closed:
            changed = await wakeups.wait(key, KEEPALIVE_S)
            if wakeups.closed:
                return
            yield CHANGED if changed else ": keep-alive\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.get(BASE + "/{execute_uuid}/hosts/{instance_id}", response_class=HTMLResponse)
async def host_log(request: Request, execute_uuid: str, instance_id: int, me: SignedIn, db: Db) -> HTMLResponse:
    """One host's whole log in the order, saying when the agent cut the output at its 1 MB cap."""
    tenant_id = me.caller.tenant_id
    try:
        log = await db.run_read(
            lambda s: jobs.progress.host_log(
                s, tenant_id=tenant_id, execute_uuid=execute_uuid[:64], instance_id=instance_id
            )
        )
    except OpenCOCError as exc:
        if exc.error_code not in (jobs.ORDER_NOT_FOUND, INVALID):
            raise
        return error_page(request, 404, f"There is no host {instance_id} in order {execute_uuid[:64]} of your tenant.")
    return await render.page(
        request, me, "orders/log.html", section="scripts", log=log, CAP_MB=jobs.progress.OUTPUT_CAP_BYTES // 2**20
    )


@router.post(BASE + "/{execute_uuid}/operation", response_class=HTMLResponse)
async def operate(
    request: Request, execute_uuid: str, me: Changing, db: Db, settings: AppSettings, wakeups: AppWakeups
) -> Response:
    """Pause, continue, cancel, skip the current batch, retry one host or every failed one."""
    form = await request.form()
    uuid, caller, grace = execute_uuid[:64], me.caller, settings.agent_offline_after_seconds
    op = _text(form, "operation")
    try:
        if op == "RETRY_FAILED":
            found = await _progress(db, me, uuid)
            if found is None:
                return _order_missing(request, uuid)
            ids = [h.instance_id for h in _view_context(found[0])["failed"]]
            if not ids:
                raise OpenCOCError(INVALID, "operation RETRY_FAILED: no failed host to retry")
            raw = [{"operation_type": "RETRY_INSTANCE", "instance_id": i} for i in ids]
        else:
            raw = [
                {
                    "operation_type": op,
                    **({"instance_id": _text(form, "instance_id")} if _text(form, "instance_id") else {}),
                }
            ]
        bodies = [validation.parse(job_schemas.JobScriptOrderOperationBody, r, code=INVALID) for r in raw]

        def apply(s: Any) -> set[str]:
            woken: set[str] = set()
            for body in bodies:
                woken |= jobs.operate(
                    s, caller=caller, execute_uuid=uuid, body=body, now=now_ms(), offline_after_s=grace
                )
            return woken

        jobs.wake_agents(wakeups, await db.run_write(apply))
    except OpenCOCError as exc:
        if exc.error_code == jobs.ORDER_NOT_FOUND:
            return _order_missing(request, uuid)
        found = await _progress(db, me, uuid)
        if found is None:
            return _order_missing(request, uuid)
        context = _view_context(found[0], {"": exc.error_msg})
        return await render.page(request, me, "orders/view.html", section="scripts", header=found[1], **context)
    if render.is_htmx(request):
        found = await _progress(db, me, uuid)
        if found is None:
            return _order_missing(request, uuid)
        return render.fragment(request, "orders/_progress.html", me=me, **_view_context(found[0]))
    return RedirectResponse(f"{BASE}/{uuid}", status_code=303)
