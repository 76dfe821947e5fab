"""Settings: alarm integrations (create, copy the webhook URL, last alarm received), the signed-in user's
access keys (create: the secret shown once; revoke), and the tenant's users and roles (admins only).

An integration's key and an access key's secret exist in clear only in the answer to their create:
that answer is the settings page itself (200), never a redirect, and no later page shows them.
Viewers see every section and change nothing.
"""

from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from opencoc.alarms import schemas as alarm_schemas
from opencoc.alarms import service as alarms
from opencoc.auth import roles
from opencoc.auth import service as auth
from opencoc.console import access, forms, render
from opencoc.console.errors import error_page
from opencoc.console.session import Changing, Me, SignedIn
from opencoc.core.clock import now_ms
from opencoc.core.deps import AppCipher, AppSettings, Db
from opencoc.core.errors import OpenCOCError

router = APIRouter()
BASE = "/console/settings"
INTEGRATION_FIELDS = ("name", "type")


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def _page(request: Request, me: Me, db: Any, **shown: Any) -> HTMLResponse:
    """The settings page; `shown` carries what one answer shows (a new key, the errors of a form)."""
    tenant_id, user_id = me.caller.tenant_id, me.caller.user_id

    def read(s: Any) -> tuple[list[dict[str, Any]], dict[str, int], list[auth.KeyInfo], list[tuple[str, str]]]:
        return (
            alarms.integrations.list_all(s, tenant_id=tenant_id),
            alarms.stats.last_alarm_by_integration(s, tenant_id=tenant_id),
            auth.user_keys(s, tenant_id=tenant_id, user_id=user_id),
            auth.tenant_users(s, tenant_id),
        )

    integrations, last_alarm, keys, users = await db.run_read(read)
    return await render.page(
        request,
        me,
        "settings/settings.html",
        section="settings",
        integrations=integrations,
        last_alarm=last_alarm,
        keys=keys,
        users=users,
        can_change=access.can_change(me),
        is_admin=access.is_admin(me),
        role_of_me=access.role_of(me),
        TYPES=alarm_schemas.TYPES,
        ROLES=roles.ROLES,
        **{"errors": {}, "values": {}, **shown},
    )


@router.get(BASE, response_class=HTMLResponse)
async def settings_page(request: Request, me: SignedIn, db: Db) -> HTMLResponse:
    return await _page(request, me, db)


@router.post(BASE + "/integrations", response_class=HTMLResponse)
async def create_integration(request: Request, me: Changing, db: Db, settings: AppSettings) -> Response:
    """A new integration (as `POST /v1/alarm-mgmt/integrations`); the page shows its webhook URL once."""
    if not access.is_admin(me):
        return access.refused(request, me, "manage alarm integrations")
    form = await request.form()
    values = {name: _text(form, name) for name in INTEGRATION_FIELDS}
    endpoint = settings.public_url or str(request.base_url)
    caller, user_id = me.caller, me.caller.user_id
    try:
        body = alarm_schemas.parse(alarm_schemas.CreateIntegrationRequest, values)
        created = await db.run_write(
            lambda s: alarms.integrations.create(
                s,
                caller=caller,
                name=body.name,
                type_=body.type,
                rules=body.rules.with_default_owner(user_id),
                endpoint=endpoint,
            )
        )
    except OpenCOCError as exc:
        errors = {
            f"integration_{k}" if k else "integration": v
            for k, v in forms.field_errors(exc.error_msg, INTEGRATION_FIELDS).items()
        }
        return await _page(request, me, db, errors=errors, values=values)
    return await _page(request, me, db, new_integration=created)


@router.post(BASE + "/keys", response_class=HTMLResponse)
async def create_key(request: Request, me: Changing, db: Db, cipher: AppCipher) -> Response:
    """A new access key of the signed-in user; its secret is in this answer only."""
    if not access.can_change(me):
        return access.refused(request, me, "create access keys")
    tenant_name, user_name = me.caller.tenant_name, me.caller.user_name
    issued = await db.run_write(
        lambda s: auth.create_access_key(s, cipher, tenant_name=tenant_name, user_name=user_name)
    )
    return await _page(request, me, db, new_key=issued)


@router.post(BASE + "/keys/{access_key}/revoke", response_class=HTMLResponse)
async def revoke_key(request: Request, access_key: str, me: Changing, db: Db) -> Response:
    """Revoke one of the signed-in user's keys; another user's key is not found."""
    if not access.can_change(me):
        return access.refused(request, me, "revoke access keys")
    caller, now = me.caller, now_ms()
    try:
        await db.run_write(
            lambda s: auth.revoke_user_key(
                s,
                tenant_id=caller.tenant_id,
                tenant_name=caller.tenant_name,
                user_id=caller.user_id,
                access_key=access_key[:64],
                now=now,
            )
        )
    except OpenCOCError as exc:
        if exc.status != 404:
            raise
        return error_page(request, 404, "You have no such access key.")
    return RedirectResponse(BASE + "#access-keys", status_code=303)


@router.post(BASE + "/users", response_class=HTMLResponse)
async def create_user(request: Request, me: Changing, db: Db) -> Response:
    """A new user of the tenant with a password (admins only)."""
    if not access.is_admin(me):
        return access.refused(request, me, "manage users")
    form = await request.form()
    values = {"name": _text(form, "name")}
    password = form.get("password")
    tenant_name = me.caller.tenant_name
    errors: dict[str, str] = {}
    if not 1 <= len(values["name"]) <= 64:
        errors["user_name"] = "name length must be between 1 and 64 characters"
    elif not values["name"].isprintable():
        errors["user_name"] = "name must not contain control characters"
    if not isinstance(password, str) or len(password) < 8:
        errors["user_password"] = "password must be at least 8 characters"
    if errors:
        return await _page(request, me, db, errors=errors, values=values)
    try:
        await db.run_write(
            lambda s: auth.create_user(s, tenant_name=tenant_name, name=values["name"], password=str(password))
        )
    except OpenCOCError as exc:
        return await _page(request, me, db, errors={"user_name": exc.error_msg}, values=values)
    return RedirectResponse(BASE + "#users", status_code=303)


@router.post(BASE + "/users/{name}/role", response_class=HTMLResponse)
async def set_role(request: Request, name: str, me: Changing, db: Db) -> Response:
    """Give a user of the tenant a role (admins only), through auth's `set_role`."""
    if not access.is_admin(me):
        return access.refused(request, me, "manage users")
    form = await request.form()
    role, tenant_name, now = _text(form, "role"), me.caller.tenant_name, now_ms()
    try:
        await db.run_write(lambda s: auth.set_role(s, tenant_name=tenant_name, name=name[:64], role=role, now=now))
    except OpenCOCError as exc:
        if exc.status == 404:
            return error_page(request, 404, f"There is no user {name[:64]} in your tenant.")
        return await _page(request, me, db, errors={"role": exc.error_msg})
    return RedirectResponse(BASE + "#users", status_code=303)
