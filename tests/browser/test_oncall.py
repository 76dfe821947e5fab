"""On-call in a real browser: an admin builds a weekly rotation; an SDK incident by scene and role shows its person."""

import datetime as dt
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from harness.server import LiveServer
from tests.browser.conftest import ConsoleTenant, sign_in
from tests.compat.sdk import SDK_WARNINGS, client, create_request, sdk

__all__ = ["sdk"]
pytestmark = [pytest.mark.timeout(120), *SDK_WARNINGS]


def test_an_admin_builds_a_weekly_rotation_and_an_sdk_incident_by_scene_and_role_shows_the_person_on_call(
    page: Page,
    console_tenant: ConsoleTenant,
    console_server: LiveServer,
    sdk: SimpleNamespace,
    shoot: Callable[[Page, str], None],
) -> None:
    console_server.cli("admin", "create-user", "--tenant", console_tenant.name, "--user", "bob")
    sign_in(page, console_tenant)
    page.get_by_role("link", name="On-call").click()
    expect(page.get_by_role("heading", name="On-call", exact=True)).to_be_visible()
    page.get_by_label("Scene name").fill("payments")
    page.get_by_label("Escalation delay (seconds)").fill("300")
    page.get_by_role("button", name="Create scene").click()
    expect(page.get_by_role("heading", name="payments: the next 14 days")).to_be_visible()

    page.get_by_label("Role").fill("primary")
    page.get_by_label("Hand-off", exact=True).select_option("weekly")
    page.get_by_label("Users, in hand-off order").fill("admin, bob")
    page.get_by_label("Hand-off time").fill("00:00")
    page.get_by_label("First hand-off").fill(dt.datetime.now(dt.UTC).date().isoformat())
    page.get_by_role("button", name="Save rotation").click()
    calendar = page.locator("table.calendar")
    expect(calendar).to_contain_text("1. primary")
    cells = calendar.locator("tbody td")
    expect(cells.nth(0)).to_have_text("admin")
    expect(cells.nth(7)).to_contain_text("bob")  # the weekly hand-off
    expect(page.get_by_label("On call now in your scenes")).to_contain_text("payments primary: admin")
    shoot(page, "rotation")

    key = console_tenant.key
    coc = client(sdk, sdk.GlobalCredentials(key.access_key, key.secret_key, key.domain_id), console_server.url)
    request = create_request(sdk, incident_level="level_10", incident_assignee=None, assignee_scene="payments",
                             assignee_role="primary")  # fmt: skip
    num = coc.create_coc_incident(request).data.incident_num
    page.goto(f"/console/incidents/{num}")
    expect(page.locator("#oncall-assignee")).to_have_text("admin")
    shoot(page, "incident")
