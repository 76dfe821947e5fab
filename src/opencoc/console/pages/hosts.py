"""Hosts: the tenant's agents (online or offline, last heartbeat, host facts) and enrolment of new ones.

An admin creates an enrolment token here and sees the commands to run on the new host; the token
is shown once (only its hash is stored, agents/service.py).
"""

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

from opencoc.agents import service as agents
from opencoc.auth.roles import is_admin
from opencoc.console import render
from opencoc.console.session import Changing, Me, SignedIn
from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from opencoc.core.deps import AppSettings, Db

router = APIRouter()
BASE = "/console/hosts"
TOKEN_TTL_S = 7 * 86400  # as `opencoc admin create-enroll-token` gives by default
STATE_DIR = "/var/lib/opencoc-agent"


def may_enrol(me: Me) -> bool:
    """Enrolment tokens are an admin's."""
    return is_admin(me.caller)


async def _page(
    request: Request, me: Me, db: Database, grace: float, token: str = "", refused: str = ""
) -> HTMLResponse:
    tenant_id, now = me.caller.tenant_id, now_ms()

    def read(s: Any) -> list[dict[str, Any]]:
        return [
            {
                "agent": a,
                "state": "REVOKED" if a.revoked_at is not None else agents.state_of(a, now, grace),
                "ago_s": max(0, (now - a.last_seen_at) // 1000),
            }
            for a in agents.list_agents(s, tenant_id=tenant_id)
        ]

    rows = await db.run_read(read)
    server = str(request.base_url).rstrip("/")
    return await render.page(
        request,
        me,
        "hosts/list.html",
        section="hosts",
        rows=rows,
        online=sum(1 for r in rows if r["state"] == agents.ONLINE),
        token=token,
        refused=refused,
        server=server,
        state_dir=STATE_DIR,
        may_enrol=may_enrol(me),
        ttl_days=TOKEN_TTL_S // 86400,
    )


@router.get(BASE, response_class=HTMLResponse)
async def host_list(request: Request, me: SignedIn, db: Db, settings: AppSettings) -> HTMLResponse:
    return await _page(request, me, db, settings.agent_offline_after_seconds)


@router.post(BASE + "/enrolment-token", response_class=HTMLResponse)
async def create_token(request: Request, me: Changing, db: Db, settings: AppSettings) -> HTMLResponse:
    """A new enrolment token (valid 7 days), shown once with the commands that enrol a host."""
    grace = settings.agent_offline_after_seconds
    if not may_enrol(me):
        return await _page(request, me, db, grace, refused="Only an admin may create enrolment tokens.")
    tenant_name = me.caller.tenant_name
    token = await db.run_write(
        lambda s: agents.create_enroll_token(s, tenant_name=tenant_name, ttl_s=TOKEN_TTL_S, now=now_ms())
    )
    return await _page(request, me, db, grace, token=token)
