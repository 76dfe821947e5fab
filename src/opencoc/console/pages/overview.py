"""The overview (the console's landing page): open incidents, MTTA/MTTR, incidents and alarms per day,
the noisiest alarm sources, order outcomes, hosts online.

Every figure is a SQL aggregate from its domain's service (`incidents.service.stats`,
`alarms.service.stats`, `jobs.service.ended_orders`, `agents.service.presence_counts`); the charts
are drawn here as inline SVG (console/charts.py) and link to the lists they summarise.
"""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from opencoc.agents import service as agents
from opencoc.alarms import schemas as alarm_schemas
from opencoc.alarms import service as alarms
from opencoc.console import charts, render
from opencoc.console.session import SignedIn
from opencoc.core.clock import now_ms
from opencoc.core.deps import AppSettings, Db
from opencoc.incidents import enums as incident_enums
from opencoc.incidents import service as incidents
from opencoc.jobs import service as jobs
from opencoc.jobs import statuses as job_statuses

router = APIRouter()
DAY_MS = 86_400_000
WINDOWS = (7, 30)
INTEGRATION_COLOURS = 6  # .c-series-0 .. .c-series-5, then round again


@dataclass(frozen=True)
class Figures:
    """Everything the overview shows, read in one transaction."""

    open_by_level: dict[str, int]
    durations: dict[int, incidents.stats.Durations]
    incidents_per_day: dict[int, dict[str, int]]
    alarms_per_day: dict[int, dict[str, int]]
    alarms_per_integration: dict[int, dict[str, int]]
    integration_names: dict[str, str]
    noisiest: list[alarms.stats.Source]
    orders: dict[str, int]
    hosts: dict[str, int]


def _read(session: Any, tenant_id: int, days: int, now: int, offline_after_s: float) -> Figures:
    since = (now // DAY_MS - days + 1) * DAY_MS  # from the start of the first UTC day shown
    return Figures(
        open_by_level=incidents.stats.open_by_level(session, tenant_id=tenant_id),
        durations={d: incidents.stats.durations(session, tenant_id=tenant_id, since=now - d * DAY_MS) for d in WINDOWS},
        incidents_per_day=incidents.stats.per_day_by_level(session, tenant_id=tenant_id, since=since),
        alarms_per_day=alarms.stats.per_day_by_level(session, tenant_id=tenant_id, since=since),
        alarms_per_integration=alarms.stats.per_day_by_integration(session, tenant_id=tenant_id, since=since),
        integration_names={
            i["integration_id"]: i["name"] for i in alarms.integrations.list_all(session, tenant_id=tenant_id)
        },
        noisiest=alarms.stats.noisiest_sources(session, tenant_id=tenant_id, since=since),
        orders=jobs.ended_orders(session, tenant_id=tenant_id, since=since),
        hosts=agents.presence_counts(session, tenant_id=tenant_id, now_ms=now, offline_after_s=offline_after_s),
    )


def duration_text(ms: float | None) -> str:
    """A mean duration for people: "—" without data, else minutes, hours or days."""
    if ms is None:
        return "—"
    minutes = ms / 60_000
    if minutes < 1:
        return f"{ms / 1000:.0f} s"
    if minutes < 120:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def _day_label(day: int) -> str:
    return datetime.fromtimestamp(day * DAY_MS / 1000, UTC).strftime("%m-%d")


def _day_range(day: int) -> dict[str, str]:
    """The alarm list's time range of one UTC day (its `from`/`to` datetime-local values)."""
    start = datetime.fromtimestamp(day * DAY_MS / 1000, UTC)
    end = datetime.fromtimestamp((day + 1) * DAY_MS / 1000, UTC)
    return {"from": start.strftime("%Y-%m-%dT%H:%M"), "to": end.strftime("%Y-%m-%dT%H:%M")}


def _link(path: str, **query: str) -> str:
    values = {k: v for k, v in query.items() if v}
    return f"{path}?{urlencode(values)}" if values else path


def _charts(figures: Figures, days: int, now: int) -> list[charts.Chart]:
    day_numbers = list(range(now // DAY_MS - days + 1, now // DAY_MS + 1))
    every = 1 if days <= 7 else 5
    level_series = [charts.Series(key, names[1], f"c-{key}") for key, names in incident_enums.LEVELS.items()]
    alarm_series = [charts.Series(level, level, f"c-alarm-{level.lower()}") for level in alarm_schemas.LEVELS]
    used = sorted({key for per in figures.alarms_per_integration.values() for key in per})
    integration_series = [
        charts.Series(
            key,
            figures.integration_names.get(key, "deleted integration") if key else "deleted integration",
            f"c-series-{index % INTEGRATION_COLOURS}",
        )
        for index, key in enumerate(used)
    ]
    return [
        charts.Chart(
            "open-by-level",
            "Open incidents by level",
            [
                charts.Bar(names[1], {key: figures.open_by_level.get(key, 0)}, _link("/console/incidents", level=key))
                for key, names in incident_enums.LEVELS.items()
            ],
            level_series,
            stacked=False,
        ),
        charts.Chart(
            "incidents-per-day",
            f"Incidents per day by level, last {days} days",
            [
                charts.Bar(_day_label(d), figures.incidents_per_day.get(d, {}), "/console/incidents")
                for d in day_numbers
            ],
            level_series,
            label_every=every,
            legend={key: _link("/console/incidents", level=key) for key in incident_enums.LEVELS},
        ),
        charts.Chart(
            "alarms-per-day",
            f"Alarms per day by level, last {days} days",
            [
                charts.Bar(_day_label(d), figures.alarms_per_day.get(d, {}), _link("/console/alarms", **_day_range(d)))
                for d in day_numbers
            ],
            alarm_series,
            label_every=every,
            legend={level: _link("/console/alarms", level=level) for level in alarm_schemas.LEVELS},
        ),
        charts.Chart(
            "alarms-per-integration",
            f"Alarms per day by integration, last {days} days",
            [
                charts.Bar(
                    _day_label(d), figures.alarms_per_integration.get(d, {}), _link("/console/alarms", **_day_range(d))
                )
                for d in day_numbers
            ],
            integration_series,
            label_every=every,
            legend={key: _link("/console/alarms", integration=key) for key in used if key},
        ),
        charts.Chart(
            "noisiest-sources",
            f"Noisiest alarm sources (occurrences), last {days} days",
            [
                charts.Bar(s.alarm_source, {"n": s.occurrences}, _link("/console/alarms", source=s.alarm_source))
                for s in figures.noisiest
            ],
            [charts.Series("n", "occurrences", "c-series-0")],
            stacked=False,
        ),
    ]


def _success_rate(orders: dict[str, int]) -> float | None:
    """Finished orders among those that finished or failed (cancelled ones were stopped by people), in %."""
    decided = orders.get(job_statuses.FINISHED, 0) + orders.get(job_statuses.ABNORMAL, 0)
    return None if not decided else 100 * orders.get(job_statuses.FINISHED, 0) / decided


@router.get("/console/overview", response_class=HTMLResponse)
async def overview(
    request: Request,
    me: SignedIn,
    db: Db,
    settings: AppSettings,
    days: Annotated[int, Query(ge=1, le=90)] = 7,
) -> HTMLResponse:
    """The tenant's situation at a glance; `days` (7 or 30) is the window of the per-day charts."""
    days = 30 if days > 7 else 7
    tenant_id, now = me.caller.tenant_id, now_ms()
    offline_after = settings.agent_offline_after_seconds
    figures = await db.run_read(lambda s: _read(s, tenant_id, days, now, offline_after))
    nav_paths = {path for _, path, _ in render.NAV}
    return await render.page(
        request,
        me,
        "overview/overview.html",
        section="overview",
        days=days,
        figures=figures,
        charts=_charts(figures, days, now),
        svg=charts.svg,
        duration=duration_text,
        success_rate=_success_rate(figures.orders),
        open_total=sum(figures.open_by_level.values()),
        WINDOWS=WINDOWS,
        FINISHED=job_statuses.FINISHED,
        ABNORMAL=job_statuses.ABNORMAL,
        CANCELED=job_statuses.CANCELED,
        ONLINE=agents.ONLINE,
        OFFLINE=agents.OFFLINE,
        # the orders and hosts pages are another page family's (console-ops): linked once they are in the NAV
        orders_href="/console/orders" if "/console/orders" in nav_paths else "",
        hosts_href="/console/hosts" if "/console/hosts" in nav_paths else "",
    )
