"""Rendering console pages: the Jinja2 environment, the navigation, and the layout's header data.

A full page extends `base.html`, which shows the tenant, the user, the open incidents by level,
the navigation (`NAV`) and sign-out. A request from htmx (`HX-Request`) gets only the fragment a
page names, without the layout.
"""

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import Markup
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
STATIC_VERSION = "8"  # bump when a static file changes: browsers cache /console/static/ for a day
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
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ms // 1000))  # a third of datetime's cost


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


@dataclass(frozen=True)
class Header:
    """What the layout's header shows: open incidents by level, the signed-in user's on-call scenes now."""

    open_by_level: dict[str, int]
    oncall_now: list[dict[str, Any]]


def read_header(session: Any, me: Me) -> Header:
    """The header's figures, in the caller's read (a page that reads anyway saves a transaction)."""
    tenant_id, user_id = me.caller.tenant_id, me.caller.user_id
    return Header(
        incidents.counts.cached_counts(session, tenant_id=tenant_id).open_by_level,
        oncall.my_scenes_now(session, tenant_id=tenant_id, user_id=user_id, at_ms=now_ms()),
    )


async def page(
    request: Request,
    me: Me | None,
    name: str,
    *,
    section: str = "",
    status: int = 200,
    header: Header | None = None,
    **context: Any,
) -> HTMLResponse:
    """A full page in the layout: the template `name` with `context`, the header's data and `me`.

    The header is read here unless the page read it already (`header`, from `read_header`).
    """
    if me is not None and header is None:
        signed_in = me
        header = await database(request).run_read(lambda s: read_header(s, signed_in))
    values = {
        "me": me,
        "section": section,
        "open_by_level": header.open_by_level if header else {},
        "oncall_now": header.oncall_now if header else [],
        **context,
    }
    return templates.TemplateResponse(request, name, values, status_code=status)


def fragment(request: Request, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A template without the layout (an htmx swap)."""
    return templates.TemplateResponse(request, name, context, status_code=status)


def markup(name: str, **context: Any) -> Markup:
    """The template `name` rendered to HTML that a page can hold as it is (e.g. kept between views)."""
    return Markup(templates.get_template(name).render(context))
