"""The overview page over HTTP: the landing page after sign-in, its charts drawn from the tenant's data only."""

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from opencoc.core.clock import now_ms
from tests.api.console.conftest import Browser
from tests.api.console.helpers import new_integration, report


def test_the_console_lands_on_the_overview(browser: Browser) -> None:
    answer = browser.get("/console/")
    assert answer.status_code == 303 and answer.headers["location"] == "/console/overview"


def test_the_charts_show_the_tenants_figures_and_link_to_their_lists(client: TestClient, browser: Browser) -> None:
    me = re.search(r'<option value="(\w+)" selected>alice', browser.get("/console/incidents/new").text)
    assert me, "the create form preselects the signed-in user"
    created = browser.post(
        "/console/incidents",
        {
            "incident_assignee": me[1],
            "incident_title": "Checkout down",
            "incident_level": "level_10",
            "incident_type": "inc_type_p_function_issues",
            "incident_source": "incident_source_manual",
        },
    )
    assert created.status_code == 303, created.text
    webhook = new_integration(browser, "zabbix")
    for n in range(3):
        report(client, webhook, alarmId=f"o{n}", alarmLevel="Info", alarmSource="zabbix-prod", time=now_ms())
    page = browser.get("/console/overview").text
    assert page.count('<svg class="chart"') == 5
    assert '<title id="open-by-level-title">Open incidents by level</title>' in page
    assert re.search(r'<desc id="open-by-level-desc">P1: 1; P2: 0;', page), "the figures in words"
    assert '<a href="/console/incidents?level=level_10" aria-label="P1: 1">' in page
    assert re.search(r'<desc id="noisiest-sources-desc">zabbix-prod: 3</desc>', page)
    assert '<a href="/console/alarms?source=zabbix-prod"' in page
    today = re.search(r'<desc id="alarms-per-day-desc">[^<]*; (\d\d-\d\d): 3 \(Info 3\)</desc>', page)
    assert today, "today's column: three Info alarms"
    assert '<span class="tile-label">Open incidents</span><span class="tile-value">1</span>' in page


def test_another_tenants_data_is_not_counted(
    make_browser: Callable[..., Browser], client: TestClient, browser: Browser
) -> None:
    webhook = new_integration(browser)
    report(client, webhook, alarmId="mine", alarmLevel="Info", alarmSource="only-mine", time=now_ms())
    stranger = make_browser()
    assert stranger.sign_in().status_code == 303
    page = stranger.get("/console/overview?days=30").text
    assert "only-mine" not in page and "Last 30 days" in page
    assert '<desc id="alarms-per-day-desc">' in page and "(Info" not in page
