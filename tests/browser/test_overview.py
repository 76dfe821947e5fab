"""The overview in a real browser: the landing page after sign-in, its charts drawn with the tenant's data."""

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, expect

from harness.server import LiveServer
from opencoc.core.clock import now_ms
from tests.api.alarms.helpers import alarm_body
from tests.browser.conftest import ConsoleTenant, sign_in

pytestmark = pytest.mark.timeout(120)


def test_the_overview_charts_render_with_data(
    page: Page, console_tenant: ConsoleTenant, console_server: LiveServer, shoot: Callable[[Page, str], None]
) -> None:
    auth = console_tenant.key.auth
    for name in ("prometheus", "zabbix"):
        created = httpx.post(
            f"{console_server.url}/opencoc/v1/alarm-mgmt/integrations", json={"name": name, "type": "custom"}, auth=auth
        )
        assert created.is_success, created.text
        webhook = created.json()["data"]["url"]
        for n, level in enumerate(("Critical", "Major", "Info", "Info", "Minor")[: 5 if name == "zabbix" else 2]):
            body = alarm_body(
                alarmId=f"{name}-{n}", alarmName=f"{name} alarm {n}", alarmLevel=level, alarmSource=name, time=now_ms()
            )
            assert httpx.post(webhook, json=body).is_success
    sign_in(page, console_tenant)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(5)
    expect(page.get_by_role("img", name="Open incidents by level")).to_be_visible()
    expect(page.locator("#open-by-level-desc")).to_contain_text("P1: 2")  # the Critical alarms opened P1 incidents
    expect(page.locator("#alarms-per-day-desc")).to_contain_text(": 7 (Critical 2, Major 2, Minor 1, Info 2)")
    expect(page.locator("#noisiest-sources-desc")).to_have_text("zabbix: 5; prometheus: 2")
    assert page.locator("svg.chart rect").count() >= 8, "bars are drawn"
    expect(page.get_by_text("Open incidents", exact=True)).to_be_visible()
    shoot(page, "overview")

    page.get_by_role("link", name="P1: 2").click()  # the bar leads to the list it summarises
    expect(page.get_by_role("heading", name="Incidents")).to_be_visible()
    assert "level=level_10" in page.url
