"""Scripts: the list, create and edit (content, parameters with sensitive values masked, reviewers),
the risk check as you type, the review queue and decisions, and the versions with a side-by-side diff.

Every write goes through the scripts API's own schemas and services with the signed-in user as
caller, so the console and the API share one validation, one review rule and one history. A
sensitive parameter's value never reaches a page: forms show the mask, which the service reads as
"keep the stored value".
"""

import difflib
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from opencoc.auth import service as auth
from opencoc.console import forms, render
from opencoc.console.errors import error_page
from opencoc.console.session import Changing, Me, SignedIn
from opencoc.core import validation
from opencoc.core.db import Database
from opencoc.core.deps import AppCipher, AppWakeups, Db
from opencoc.core.errors import OpenCOCError
from opencoc.notifications import service as notifications
from opencoc.scripts import schemas, statuses
from opencoc.scripts import service as scripts

router = APIRouter()
BASE = "/console/scripts"
INVALID = "COC.00040601"
NOT_FOUND_CODES = ("COC.00040604",)
BAD_UUID = "is invalid: expected SC"
PARAM_ROWS_SPARE = 2  # empty parameter rows a form offers (more after saving)
FIELDS = ("name", "description", "type", "content", "risk_level", "version", "reviewers", "script_params")
REVIEW_FIELDS = ("status", "comments")
TYPES = ("SHELL", "PYTHON", "BAT")
RISK_LEVELS = ("LOW", "MEDIUM", "HIGH")


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _raw(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.replace("\r\n", "\n") if isinstance(value, str) else ""


@dataclass
class ParamRow:
    """A parameter row of the form; `value` is the mask for a stored sensitive value."""

    name: str = ""
    value: str = ""
    description: str = ""
    sensitive: bool = False


def _param_rows(form: FormData) -> list[ParamRow]:
    rows = []
    for i in range(1, schemas.MAX_PARAMS + 1):
        row = ParamRow(
            _text(form, f"param_name_{i}"),
            _text(form, f"param_value_{i}"),
            _text(form, f"param_description_{i}"),
            form.get(f"param_sensitive_{i}") == "true",
        )
        if row.name or row.value or row.description:
            rows.append(row)
    return rows


def _body(form: FormData, rows: list[ParamRow], users: dict[str, str]) -> dict[str, Any]:
    """The API's create/modify body from the form."""
    chosen = [u for u in form.getlist("reviewers") if isinstance(u, str) and u in users]
    return {
        "name": _text(form, "name"),
        "description": _text(form, "description"),
        "type": _text(form, "type"),
        "content": _raw(form, "content"),
        "properties": {
            "risk_level": _text(form, "risk_level"),
            "version": _text(form, "version"),
            "reviewers": [{"reviewer_id": u, "reviewer_name": users[u]} for u in chosen] or None,
        },
        "script_params": [
            {
                "param_name": r.name,
                "param_value": r.value,
                "param_description": r.description,
                "param_order": i,
                "sensitive": r.sensitive,
            }
            for i, r in enumerate(rows, start=1)
        ],
    }


def _values(form: FormData) -> dict[str, Any]:
    """What the form shows again after a refusal; sensitive values as the mask, never as typed."""
    return {
        "name": _text(form, "name"),
        "description": _text(form, "description"),
        "type": _text(form, "type"),
        "content": _raw(form, "content"),
        "risk_level": _text(form, "risk_level"),
        "version": _text(form, "version"),
        "reviewers": [u for u in form.getlist("reviewers") if isinstance(u, str)],
    }


def _masked(rows: list[ParamRow]) -> list[ParamRow]:
    """The rows to show again: a sensitive value typed in is never sent back (it must be typed again);
    the mask, which stands for the stored value, stays."""
    return [
        ParamRow(r.name, r.value if r.value == schemas.SENSITIVE_MASK else "", r.description, True)
        if r.sensitive
        else r
        for r in rows
    ]


async def _users(db: Database, me: Me) -> dict[str, str]:
    tenant_id = me.caller.tenant_id
    return dict(await db.run_read(lambda s: auth.tenant_users(s, tenant_id)))


def _missing(request: Request, script_uuid: str) -> HTMLResponse:
    return error_page(request, 404, f"There is no script {script_uuid[:64]} in your tenant.")


def _is_missing(exc: OpenCOCError) -> bool:
    """A script the tenant does not have, or a uuid that cannot name one: both are "not found" to a person."""
    return exc.error_code in NOT_FOUND_CODES or (exc.error_code == INVALID and BAD_UUID in exc.error_msg)


@router.get(BASE, response_class=HTMLResponse)
async def script_list(
    request: Request, me: SignedIn, db: Db, q: Annotated[str, Query(max_length=32)] = ""
) -> HTMLResponse:
    """The tenant's scripts, newest first (100 shown; filter by name), and how many await the user's review."""
    tenant_id, caller = me.caller.tenant_id, me.caller

    def read(s: Any) -> tuple[dict[str, Any], int]:
        page = scripts.list_scripts(s, tenant_id=tenant_id, limit=100, name_like=q.strip() or None)
        return page, len(scripts.review.review_queue(s, caller=caller))

    page, to_review = await db.run_read(read)
    return await render.page(request, me, "scripts/list.html", section="scripts", page=page, q=q, to_review=to_review)


@router.get(BASE + "/review", response_class=HTMLResponse)
async def review_queue(request: Request, me: SignedIn, db: Db) -> HTMLResponse:
    """The scripts pending approval that the signed-in user reviews."""
    caller = me.caller
    queue = await db.run_read(lambda s: scripts.review.review_queue(s, caller=caller))
    return await render.page(request, me, "scripts/review.html", section="scripts", queue=queue)


async def _form_page(
    request: Request,
    me: Me,
    db: Database,
    *,
    values: dict[str, Any],
    rows: list[ParamRow],
    errors: dict[str, str],
    script_uuid: str = "",
) -> HTMLResponse:
    spare = max(0, min(PARAM_ROWS_SPARE, schemas.MAX_PARAMS - len(rows)))
    return await render.page(
        request,
        me,
        "scripts/form.html",
        section="scripts",
        values=values,
        rows=[*rows, *(ParamRow() for _ in range(spare))],
        errors=errors,
        users=await _users(db, me),
        script_uuid=script_uuid,
        TYPES=TYPES,
        RISK_LEVELS=RISK_LEVELS,
    )


@router.get(BASE + "/new", response_class=HTMLResponse)
async def new_script_form(request: Request, me: SignedIn, db: Db) -> HTMLResponse:
    values = {"type": "SHELL", "risk_level": "LOW", "version": "1.0.0", "content": "", "reviewers": []}
    return await _form_page(request, me, db, values=values, rows=[], errors={})


@router.post(BASE, response_class=HTMLResponse)
async def create_script(request: Request, me: Changing, db: Db, cipher: AppCipher, wakeups: AppWakeups) -> Response:
    """Create a script as the signed-in user; the form again with the API's messages when refused."""
    form = await request.form()
    rows = _param_rows(form)
    caller = me.caller
    try:
        body = validation.parse(schemas.AddScriptModel, _body(form, rows, await _users(db, me)), code=INVALID)
        script = await db.run_write(lambda s: scripts.create_script(s, caller=caller, cipher=cipher, body=body))
    except OpenCOCError as exc:
        errors = forms.field_errors(exc.error_msg, FIELDS)
        return await _form_page(request, me, db, values=_values(form), rows=_masked(rows), errors=errors)
    notifications.wake_sender(wakeups)
    return RedirectResponse(f"{BASE}/{script.script_uuid}", status_code=303)


@router.post(BASE + "/risk", response_class=HTMLResponse)
async def risk_check(request: Request, me: SignedIn) -> HTMLResponse:
    """The risk level of the content being typed, by the same analysis as POST /v1/job/analyze-job."""
    form = await request.form()
    content = _raw(form, "content")[: 4096 * 4]
    found = await run_in_threadpool(scripts.risk.analyze, content) if content.strip() else None
    declared = _text(form, "risk_level")
    return render.fragment(request, "scripts/_risk.html", found=found, declared=declared, LEVELS=scripts.risk.LEVELS)


async def _detail_page(
    request: Request,
    me: Me,
    db: Database,
    script_uuid: str,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    tenant_id, caller = me.caller.tenant_id, me.caller

    def read(s: Any) -> tuple[dict[str, Any], list[Any], list[Any], bool]:
        detail = scripts.get_script(s, tenant_id=tenant_id, script_uuid=script_uuid)
        versions = scripts.list_versions(s, tenant_id=tenant_id, script_uuid=script_uuid)
        decisions = scripts.review.decisions(s, tenant_id=tenant_id, script_uuid=script_uuid)
        return detail, versions, decisions, scripts.review.is_reviewer(detail["properties"]["reviewers"], caller)

    try:
        detail, versions, decisions, reviews = await db.run_read(read)
    except OpenCOCError as exc:
        if not _is_missing(exc):
            raise
        return _missing(request, script_uuid)
    return await render.page(
        request,
        me,
        "scripts/detail.html",
        section="scripts",
        script=detail,
        versions=versions,
        decisions=decisions,
        can_review=reviews and detail["status"] == statuses.PENDING_APPROVE,
        errors=errors or {},
        values=values or {},
    )


@router.get(BASE + "/{script_uuid}", response_class=HTMLResponse)
async def script_detail(request: Request, script_uuid: str, me: SignedIn, db: Db) -> HTMLResponse:
    """The script's content, parameters (sensitive values masked), review state and history, versions."""
    return await _detail_page(request, me, db, script_uuid[:64])


@router.get(BASE + "/{script_uuid}/edit", response_class=HTMLResponse)
async def edit_form(request: Request, script_uuid: str, me: SignedIn, db: Db) -> HTMLResponse:
    tenant_id = me.caller.tenant_id
    try:
        detail = await db.run_read(lambda s: scripts.get_script(s, tenant_id=tenant_id, script_uuid=script_uuid[:64]))
    except OpenCOCError as exc:
        if not _is_missing(exc):
            raise
        return _missing(request, script_uuid)
    props = detail["properties"]
    values = {
        "name": detail["name"],
        "description": detail["description"],
        "type": detail["type"],
        "content": detail["content"],
        "risk_level": props["risk_level"],
        "version": props["version"],
        "reviewers": [r.get("reviewer_id") for r in props["reviewers"]],
    }
    rows = [
        ParamRow(p["param_name"], p["param_value"], p["param_description"], p["sensitive"])
        for p in sorted(detail["script_params"], key=lambda p: p["param_order"])
    ]
    return await _form_page(request, me, db, values=values, rows=rows, errors={}, script_uuid=detail["script_uuid"])


@router.post(BASE + "/{script_uuid}", response_class=HTMLResponse)
async def update_script(
    request: Request, script_uuid: str, me: Changing, db: Db, cipher: AppCipher, wakeups: AppWakeups
) -> Response:
    """Save a new version; a sensitive value left as the mask keeps the stored one."""
    form = await request.form()
    rows = _param_rows(form)
    caller, uuid = me.caller, script_uuid[:64]
    try:
        raw = _body(form, rows, await _users(db, me))
        raw.pop("name"), raw.pop("type")
        body = validation.parse(schemas.EditScriptModel, raw, code=INVALID)
        await db.run_write(
            lambda s: scripts.update_script(s, caller=caller, cipher=cipher, script_uuid=uuid, body=body)
        )
    except OpenCOCError as exc:
        if _is_missing(exc):
            return _missing(request, uuid)
        errors = forms.field_errors(exc.error_msg, FIELDS)
        return await _form_page(
            request, me, db, values=_values(form), rows=_masked(rows), errors=errors, script_uuid=uuid
        )
    notifications.wake_sender(wakeups)
    return RedirectResponse(f"{BASE}/{uuid}", status_code=303)


@router.post(BASE + "/{script_uuid}/review", response_class=HTMLResponse)
async def review_script(request: Request, script_uuid: str, me: Changing, db: Db) -> Response:
    """Approve or reject, with a comment, through the review service (only the script's reviewers may)."""
    form = await request.form()
    values = {"status": _text(form, "status"), "comments": _text(form, "comments")}
    caller, uuid = me.caller, script_uuid[:64]
    try:
        body = validation.parse(
            schemas.ApprovalJobScriptModel,
            {"status": values["status"], "comments": values["comments"] or None},
            code=INVALID,
        )
        await db.run_write(lambda s: scripts.review.accept_script(s, caller=caller, script_uuid=uuid, body=body))
    except OpenCOCError as exc:
        if _is_missing(exc):
            return _missing(request, uuid)
        errors = forms.field_errors(exc.error_msg, REVIEW_FIELDS)
        return await _detail_page(request, me, db, uuid, errors=errors, values=values)
    return RedirectResponse(f"{BASE}/{uuid}", status_code=303)


@dataclass(frozen=True)
class DiffRow:
    """One row of a side-by-side diff: a line on each side (None where that side has none)."""

    kind: str  # same, changed, removed, added
    old_no: int | None
    old: str | None
    new_no: int | None
    new: str | None


def side_by_side(old: str, new: str) -> list[DiffRow]:
    """The two texts line by line, aligned by difflib."""
    a, b = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            rows += [
                DiffRow("same", i + 1, a[i], j + 1, b[j]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            ]
            continue
        left, right = list(range(i1, i2)), list(range(j1, j2))
        for k in range(max(len(left), len(right))):
            i = left[k] if k < len(left) else None
            j = right[k] if k < len(right) else None
            kind = "changed" if i is not None and j is not None else ("removed" if i is not None else "added")
            rows.append(
                DiffRow(
                    kind,
                    None if i is None else i + 1,
                    None if i is None else a[i],
                    None if j is None else j + 1,
                    None if j is None else b[j],
                )
            )
    return rows


@router.get(BASE + "/{script_uuid}/diff", response_class=HTMLResponse)
async def version_diff(
    request: Request,
    script_uuid: str,
    me: SignedIn,
    db: Db,
    old: Annotated[int, Query(ge=1, le=2**31 - 1)],
    new: Annotated[int, Query(ge=1, le=2**31 - 1)],
) -> HTMLResponse:
    """Two versions of the script side by side (content, then parameters with sensitive values masked)."""
    tenant_id, uuid = me.caller.tenant_id, script_uuid[:64]
    try:
        versions = await db.run_read(lambda s: scripts.list_versions(s, tenant_id=tenant_id, script_uuid=uuid))
    except OpenCOCError as exc:
        if not _is_missing(exc):
            raise
        return _missing(request, uuid)
    by_id = {v.id: v for v in versions}
    if old not in by_id or new not in by_id:
        return error_page(request, 404, f"Script {uuid} has no such version.")
    before, after = by_id[old], by_id[new]

    def params_text(v: Any) -> str:
        return "\n".join(
            f"{p['param_name']} = {p['param_value']}{' (sensitive)' if p['sensitive'] else ''}"
            f"  # {p['param_description']}"
            for p in sorted(v.params, key=lambda p: p["param_order"])
        )

    return await render.page(
        request,
        me,
        "scripts/diff.html",
        section="scripts",
        script_uuid=uuid,
        before=before,
        after=after,
        content=side_by_side(before.content, after.content),
        params=side_by_side(params_text(before), params_text(after)),
        versions=versions,
    )
