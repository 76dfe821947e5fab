"""Rendering console pages: the Jinja2 environment, the navigation, and the layout's header data.

A full page extends `base.html`, which shows the tenant, the user, the open incidents by level,
the navigation (`NAV`) and sign-out. A request from htmx (`HX-Request`) gets only the fragment a
page names, without the layout.
"""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from opencoc.console.session import CSRF_FIELD, Me
from opencoc.core.clock import now_ms
from opencoc.core.deps import database
from opencoc.incidents import enums as incident_enums
from opencoc.incidents import service as incidents
from opencoc.oncall import service as oncall

HERE = Path(__file__).parent
STATIC_VERSION = "7"  # bump when a static file changes: browsers cache /console/static/ for a day
HTMX = "htmx-2.0.11.min.js"

# The navigation: (label, path, section). A page family adds its entry here.
NAV: tuple[tuple[str, str, str], ...] = (
    # overview first: the landing page
    ("Overview", "/console/overview", "overview"),
    ("Incidents", "/console/incidents", "incidents"),
    ("Alarms", "/console/alarms", "alarms"),
    ("On-call", "/console/oncall", "oncall"),
    ("War rooms", "/console/warrooms", "warrooms"),
    # operations: scripts (with their orders), hosts
    ("Scripts", "/console/scripts", "scripts"),
    ("Hosts", "/console/hosts", "hosts"),
    ("Settings", "/console/settings", "settings"),
)


def when(ms: int | None) -> str:
    """Milliseconds as a UTC date and time for people ("" when unset)."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def enum_name(names: dict[str, tuple[str, str]], key: str | None) -> str:
    """The English name of an enumerated value, or the key itself when it has none."""
    if key is None:
        return ""
    return names.get(key, (key, key))[1]


templates = Jinja2Templates(directory=HERE / "templates")
templates.env.auto_reload = False  # the templates ship with the package: no stat() of each one per page
templates.env.globals.update(
    NAV=NAV,
    HTMX=HTMX,
    STATIC_VERSION=STATIC_VERSION,
    CSRF_FIELD=CSRF_FIELD,
    LEVELS=incident_enums.LEVELS,
)
templates.env.filters["when"] = when
templates.env.filters["level_name"] = lambda key: enum_name(incident_enums.LEVELS, key)
templates.env.filters["status_name"] = lambda key: enum_name(incident_enums.STATUSES, key)
templates.env.filters["type_name"] = lambda key: enum_name(incident_enums.TYPES, key)
templates.env.filters["source_name"] = lambda key: enum_name(incident_enums.SOURCES, key)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def page(
    request: Request,
    me: Me | None,
    name: str,
    *,
    section: str = "",
    status: int = 200,
    open_by_level: dict[str, int] | None = None,
    **context: Any,
) -> HTMLResponse:
    """A full page in the layout: the template `name` with `context`, the header's data and `me`.

    The header's open incidents by level are read here unless the page read them already (`open_by_level`).
    """
    oncall_now: list[dict[str, Any]] = []
    if me is not None:
        tenant_id, user_id = me.caller.tenant_id, me.caller.user_id
        counts = open_by_level

        def header(s: Any) -> tuple[dict[str, int], list[dict[str, Any]]]:
            return (
                counts if counts is not None else incidents.counts.cached_counts(s, tenant_id=tenant_id).open_by_level,
                oncall.my_scenes_now(s, tenant_id=tenant_id, user_id=user_id, at_ms=now_ms()),
            )

        open_by_level, oncall_now = await database(request).run_read(header)
    values = {"me": me, "section": section, "open_by_level": open_by_level or {}, "oncall_now": oncall_now, **context}
    return templates.TemplateResponse(request, name, values, status_code=status)


def fragment(request: Request, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A template without the layout (an htmx swap)."""
    return templates.TemplateResponse(request, name, context, status_code=status)
