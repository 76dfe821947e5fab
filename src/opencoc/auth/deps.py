"""Request authentication: an SDK-HMAC-SHA256 signature or an X-Auth-Token -> Caller."""

import calendar
import time
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request

from opencoc.auth import service, signature
from opencoc.auth.caller import Caller
from opencoc.auth.keycache import KeyCache
from opencoc.core.clock import now_ms
from opencoc.core.deps import cipher_of, database, settings_of
from opencoc.core.errors import unauthorized


def _key_cache(request: Request) -> KeyCache:
    cache: KeyCache = request.app.state.key_cache  # Starlette's State is untyped
    return cache


def _headers(request: Request) -> dict[str, str]:
    """Lower-case header names; values decoded as the UTF-8 the SDK signed."""
    out: dict[str, str] = {}
    for name, value in request.scope["headers"]:
        out.setdefault(name.decode("latin-1").lower(), value.decode("utf-8", "replace"))
    return out


def _sdk_date_ok(value: str, skew_s: int) -> bool:
    """`YYYYMMDDTHHMMSSZ` within `skew_s` seconds of now (parsed by hand: this is the hot path)."""
    if len(value) != 16 or value[8] != "T" or value[15] != "Z" or not (value[:8] + value[9:15]).isdigit():
        return False
    parts = (value[0:4], value[4:6], value[6:8], value[9:11], value[11:13], value[13:15])
    year, month, day, hour, minute, sec = (int(p) for p in parts)
    if not (1 <= month <= 12 and 1 <= day <= 31 and hour < 24 and minute < 60 and sec < 61):
        return False
    stamp = calendar.timegm((year, month, day, hour, minute, sec, 0, 0, 0))
    return abs(time.time() - stamp) <= skew_s


async def _by_signature(request: Request, headers: dict[str, str], auth_value: str) -> Caller:
    auth = signature.parse_authorization(auth_value)
    settings = settings_of(request)
    if auth is None or "x-sdk-date" not in auth.signed_headers:
        raise unauthorized()
    if not _sdk_date_ok(headers.get("x-sdk-date", ""), settings.clock_skew_seconds):
        raise unauthorized()
    cache = _key_cache(request)
    identity = cache.get(auth.access_key)
    if identity is None:
        db, cipher = database(request), cipher_of(request)
        identity = await db.run_read(lambda s: service.load_key(s, cipher, auth.access_key))
        if identity is None:
            raise unauthorized()
        cache.put(auth.access_key, identity)
    if identity.expires_at is not None and identity.expires_at <= now_ms():
        cache.evict(auth.access_key)
        raise unauthorized()
    body = await request.body()
    to_sign = signature.string_to_verify(
        request.method,
        request.scope.get("raw_path", request.url.path.encode()).decode("latin-1"),
        request.scope.get("query_string", b"").decode("latin-1"),
        headers,
        auth.signed_headers,
        body,
    )
    if to_sign is None or not signature.matches(identity.secret, to_sign, auth.signature):
        raise unauthorized()
    domain = headers.get("x-domain-id")
    if domain and domain != identity.caller.domain_id:
        raise unauthorized()
    project = headers.get("x-project-id")
    return replace(identity.caller, project_id=project) if project else identity.caller


async def authenticate(request: Request) -> Caller:
    """The caller of a COC route; 401 with the COC body when credentials are missing or wrong."""
    headers = _headers(request)
    auth_value = headers.get("authorization", "")
    if auth_value.startswith(signature.ALGORITHM):
        return await _by_signature(request, headers, auth_value)
    token = headers.get("x-auth-token")
    if token:
        caller = await database(request).run_read(lambda s: service.resolve_token(s, token))
        if caller is not None:
            project = headers.get("x-project-id")
            return replace(caller, project_id=project) if project else caller
    raise unauthorized()


CurrentCaller = Annotated[Caller, Depends(authenticate)]
