"""The alarm pages in a real browser: an alarm reported to the webhook appears in the list without a reload;
its detail shows the raw payload; Convert to incident leads to the incident."""

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, expect

from harness.server import LiveServer
from tests.api.alarms.helpers import alarm_body
from tests.browser.conftest import ConsoleTenant, sign_in

pytestmark = pytest.mark.timeout(120)


def test_an_alarm_sent_to_the_webhook_appears_live_and_converts_to_an_incident(
    page: Page, console_tenant: ConsoleTenant, console_server: LiveServer, shoot: Callable[[Page, str], None]
) -> None:
    created = httpx.post(
        f"{console_server.url}/opencoc/v1/alarm-mgmt/integrations",
        json={"name": "zabbix", "type": "custom"},
        auth=console_tenant.key.auth,
    )
    assert created.is_success, created.text
    webhook = created.json()["data"]["url"]
    sign_in(page, console_tenant)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alarms").click()
    expect(page.get_by_text("No alarms match these filters.")).to_be_visible()
    page.evaluate("window.notReloaded = true")

    payload = {"runbook": "https://wiki.example.com/disk", "mount": {"path": "/var", "used_pct": 97}}
    body = alarm_body(alarmName="Disk almost full on db-9", alarmLevel="Info", alarmSource="zabbix", additional=payload)
    answer = httpx.post(webhook, json=body)
    assert answer.is_success, answer.text
    expect(page.get_by_role("link", name="Disk almost full on db-9")).to_be_visible()
    expect(page.get_by_text("1 alarm, page 1 of 1")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True, "the page was reloaded"
    shoot(page, "live")

    page.get_by_role("link", name="Disk almost full on db-9").click()
    expect(page.get_by_role("heading", name="Disk almost full on db-9")).to_be_visible()
    expect(page.locator("pre.payload")).to_contain_text('"used_pct": 97')
    shoot(page, "detail")
    page.get_by_role("button", name="Convert to incident").click()
    expect(page.get_by_role("heading", name="Disk almost full on db-9")).to_be_visible()
    expect(page.locator(".badge.big")).to_have_text("Triggered")
    assert "/console/incidents/" in page.url
