"""Request authentication: an SDK-HMAC-SHA256 signature or an X-Auth-Token -> Caller."""

import calendar
import time
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from opencoc.auth import service, signature
from opencoc.auth.caller import Caller
from opencoc.core.errors import unauthorized


def _headers(request: Request) -> dict[str, str]:
    """Lower-case header names; values decoded as the UTF-8 the SDK signed."""
    out: dict[str, str] = {}
    for name, value in request.scope["headers"]:
        out.setdefault(name.decode("latin-1").lower(), value.decode("utf-8", "replace"))
    return out


def _sdk_date_ok(value: str, skew_s: int) -> bool:
    try:
        stamp = calendar.timegm(time.strptime(value, signature.DATE_FORMAT))
    except ValueError:
        return False
    return abs(time.time() - stamp) <= skew_s


async def _by_signature(request: Request, headers: dict[str, str], auth_value: str) -> Caller:
    auth = signature.parse_authorization(auth_value)
    settings = request.app.state.settings
    if auth is None or "x-sdk-date" not in auth.signed_headers:
        raise unauthorized()
    if not _sdk_date_ok(headers.get("x-sdk-date", ""), settings.clock_skew_seconds):
        raise unauthorized()
    cache = request.app.state.key_cache
    identity = cache.get(auth.access_key)
    if identity is None:
        identity = await run_in_threadpool(_load_key, request, auth.access_key)
        if identity is None:
            raise unauthorized()
        cache.put(auth.access_key, identity)
    body = await request.body()
    to_sign = signature.string_to_sign(
        request.method,
        request.scope.get("raw_path", request.url.path.encode()).decode("latin-1"),
        request.scope.get("query_string", b"").decode("latin-1"),
        headers,
        auth.signed_headers,
        body,
    )
    if not signature.matches(identity.secret, to_sign, auth.signature):
        raise unauthorized()
    domain = headers.get("x-domain-id")
    if domain and domain != identity.caller.domain_id:
        raise unauthorized()
    project = headers.get("x-project-id")
    return replace(identity.caller, project_id=project) if project else identity.caller


def _load_key(request: Request, access_key: str) -> service.KeyIdentity | None:
    with request.app.state.db.read() as session:
        return service.load_key(session, request.app.state.cipher, access_key)


def _load_token(request: Request, token: str) -> Caller | None:
    with request.app.state.db.read() as session:
        return service.resolve_token(session, token)


async def authenticate(request: Request) -> Caller:
    """The caller of a COC route; 401 with the COC body when credentials are missing or wrong."""
    headers = _headers(request)
    auth_value = headers.get("authorization", "")
    if auth_value.startswith(signature.ALGORITHM):
        return await _by_signature(request, headers, auth_value)
    token = headers.get("x-auth-token")
    if token:
        caller = await run_in_threadpool(_load_token, request, token)
        if caller is not None:
            project = headers.get("x-project-id")
            return replace(caller, project_id=project) if project else caller
    raise unauthorized()


CurrentCaller = Annotated[Caller, Depends(authenticate)]
