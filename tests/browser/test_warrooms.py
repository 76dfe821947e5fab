"""War rooms in a real browser: open one from an incident's page, post to its timeline, and see the incident's
events arrive in it live (server-sent events, no reload), in words."""

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from playwright.sync_api import Page, expect

from harness.server import LiveServer
from tests.browser.conftest import ConsoleTenant, sign_in
from tests.compat.sdk import SDK_WARNINGS, client, create_request, handle_request, sdk

__all__ = ["sdk"]
pytestmark = [pytest.mark.timeout(120), *SDK_WARNINGS]


def test_open_a_war_room_from_an_incident_post_to_it_and_see_the_incident_accepted_there_live(
    page: Page,
    console_tenant: ConsoleTenant,
    console_server: LiveServer,
    sdk: SimpleNamespace,
    shoot: Callable[[Page, str], None],
) -> None:
    console_server.cli("admin", "create-user", "--tenant", console_tenant.name, "--user", "bob")
    key = console_tenant.key
    coc = client(sdk, sdk.GlobalCredentials(key.access_key, key.secret_key, key.domain_id), console_server.url)
    num = coc.create_coc_incident(create_request(sdk, incident_level="level_10", incident_assignee=[key.user_id]))
    num = num.data.incident_num

    sign_in(page, console_tenant)
    page.goto(f"/console/incidents/{num}")
    page.get_by_role("link", name="Open a war room").click()
    expect(page.get_by_label("Incident number")).to_have_value(num)
    page.get_by_label("Name", exact=True).fill("dc2 VPN bridge")
    page.get_by_label("Participants (user ids, comma-separated)").fill("bob")
    page.get_by_role("button", name="Open war room").click()
    expect(page.get_by_role("heading", name="dc2 VPN bridge")).to_be_visible()
    expect(page.get_by_role("region", name="Members")).to_contain_text("bob")

    page.get_by_label("Text").fill("Failing over to dc3.\nETA 10 minutes.")
    page.get_by_role("button", name="Post").click()
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("Failing over to dc3.")
    expect(page.locator("[data-live-ready]")).to_have_count(1)  # the page listens: nothing is missed from here
    page.evaluate("window.notReloaded = true")

    coc.handle_coc_incident(handle_request(sdk, num, "acceptedIncident1", key.user_id))
    expect(timeline).to_contain_text("accepted the incident")
    assert page.evaluate("window.notReloaded === true"), "the timeline was updated without reloading the page"
    page.get_by_role("button", name="Mark recovered").click()
    expect(page.get_by_role("button", name="Mark closed")).to_be_visible()
    shoot(page, "war-room")
    page.get_by_role("link", name="War rooms").first.click()
    expect(page.locator("#auto-state")).to_have_text("off")
    shoot(page, "war-rooms")
