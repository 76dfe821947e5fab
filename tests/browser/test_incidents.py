"""The incident pages in a real browser: sign in, create, accept -> solve -> verify, live list, sign out."""

from collections.abc import Callable

import httpx
import pytest
from playwright.sync_api import Page, expect

from harness.server import LiveServer
from tests.api.alarms.helpers import alarm_body
from tests.browser.conftest import ConsoleTenant, sign_in

pytestmark = pytest.mark.timeout(120)


def test_sign_in_create_accept_solve_verify_and_sign_out(
    page: Page, console_tenant: ConsoleTenant, shoot: Callable[[Page, str], None]
) -> None:
    page.goto("/console/")
    expect(page.get_by_role("heading", name="Sign in to OpenCOC")).to_be_visible()
    shoot(page, "sign-in")
    sign_in(page, console_tenant)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents").click()
    expect(page.get_by_text("No incidents match these filters.")).to_be_visible()

    page.get_by_role("link", name="New incident").click()
    page.get_by_label("Title").fill("Checkout latency above 2 s")
    page.get_by_label("Assignee", exact=True).select_option(label="Nobody: use scene and role")
    page.get_by_role("button", name="Create incident").click()  # nobody to handle it: the API's rule, shown
    expect(page.locator("#incident_assignee-error")).to_contain_text("assignee_scene and assignee_role, must be set")
    shoot(page, "create-invalid")
    page.get_by_label("Assignee", exact=True).select_option(label="admin")
    page.get_by_label("Description").fill("p99 of /checkout is 2.4 s since 03:10 UTC.")
    page.get_by_label("Level", exact=True).select_option(label="P2")
    page.get_by_label("The service is interrupted").check()
    page.get_by_role("button", name="Create incident").click()

    expect(page.get_by_role("heading", name="Checkout latency above 2 s")).to_be_visible()
    details = page.locator("dl.fields").first
    expect(details).to_contain_text("P2")
    expect(details).to_contain_text("Function issues")
    expect(details).to_contain_text("Manual creation")
    expect(page.get_by_role("button", name="Submit solution")).to_have_count(0)
    shoot(page, "triggered")

    page.get_by_role("button", name="Accept").click()
    expect(page.locator(".badge.big")).to_have_text("Acknowledged")
    expect(page.get_by_role("button", name="Accept")).to_have_count(0)
    page.get_by_label("Cause").fill("A slow database index after the 03:00 deploy.")
    page.get_by_label("Solution", exact=True).fill("Rebuilt the index; latency is back to 300 ms.")
    page.get_by_role("button", name="Submit solution").click()  # interrupted, but no fault start: the API's rule
    expect(page.locator("#s-start_time-error")).to_contain_text("must not be null when is_service_interrupt is true")
    expect(page.get_by_label("Cause")).to_have_value("A slow database index after the 03:00 deploy.")
    shoot(page, "solution-invalid")
    page.get_by_label("Fault start (UTC)").fill("2025-06-01T03:10")
    page.get_by_label("Fault recovered (UTC)").fill("2025-06-01T03:00")
    page.get_by_role("button", name="Submit solution").click()
    expect(page.locator("#s-fault_recovery_time-error")).to_contain_text("must not be earlier")
    page.get_by_label("Fault recovered (UTC)").fill("2025-06-01T04:00")
    page.get_by_role("button", name="Submit solution").click()
    expect(page.locator(".badge.big")).to_have_text("Resolved")

    page.get_by_label("Comment").fill("Latency confirmed normal for an hour.")
    page.get_by_role("button", name="Confirm solution").click()
    expect(page.locator(".badge.big")).to_have_text("Completed")
    timeline = page.locator("ol.timeline")
    for step in ("Created", "Accepted", "Submitted a solution", "Verified"):
        expect(timeline).to_contain_text(f"{step} by admin")
    expect(timeline).to_contain_text("Latency confirmed normal for an hour.")
    shoot(page, "completed")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents").click()
    expect(page.get_by_role("link", name="Checkout latency above 2 s")).to_be_visible()
    shoot(page, "list")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to OpenCOC")).to_be_visible()
    page.goto("/console/incidents")
    expect(page.get_by_role("heading", name="Sign in to OpenCOC")).to_be_visible()


def test_an_alarm_sent_to_the_webhook_appears_in_the_open_list_without_a_reload(
    page: Page, console_tenant: ConsoleTenant, console_server: LiveServer, shoot: Callable[[Page, str], None]
) -> None:
    auth = console_tenant.key.auth
    created = httpx.post(
        f"{console_server.url}/opencoc/v1/alarm-mgmt/integrations", json={"name": "web", "type": "custom"}, auth=auth
    )
    assert created.is_success, created.text
    webhook = created.json()["data"]["url"]
    sign_in(page, console_tenant)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Incidents").click()
    expect(page.get_by_text("No incidents match these filters.")).to_be_visible()
    page.evaluate("window.notReloaded = true")

    answer = httpx.post(webhook, json=alarm_body(alarmName="Disk full on db-7"))
    assert answer.is_success, answer.text
    expect(page.get_by_role("link", name="Disk full on db-7")).to_be_visible()
    expect(page.get_by_role("list", name="Open incidents by level")).to_contain_text("P1 1")
    expect(page.get_by_role("list", name="Incidents per status")).to_contain_text("Triggered 1")
    assert page.evaluate("window.notReloaded") is True, "the page was reloaded"
    shoot(page, "live")
