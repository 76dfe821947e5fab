"""The script pages in a real browser with real agents: create a script with a sensitive parameter, a
second user approves it, run it on two hosts in two batches (pause after the first, continue), watch the
order finish live, read a host's log; the hosts page with an enrolment token."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from harness.server import LiveServer
from tests.browser.conftest import ConsoleTenant, sign_in
from tests.e2e.jobs.support import Host, enroll_token, start_agent

pytestmark = pytest.mark.timeout(150)
SECRET = "s3cret-Value-42"
LONG = 20_000  # order-view waits: the agents poll and run real processes


@pytest.fixture
def agents(console_server: LiveServer, console_tenant: ConsoleTenant, tmp_path: Path) -> Iterator[list[Host]]:
    token = enroll_token(console_server, console_tenant.name)
    hosts = [start_agent(console_server, token, tmp_path / f"agent{i}", "--hostname", f"web-{i}") for i in (1, 2)]
    yield hosts
    for host in hosts:
        host.stop()


def test_a_reviewed_script_runs_on_agents_in_two_batches_with_a_pause_and_finishes_live(
    page: Page,
    chromium: Browser,
    console_server: LiveServer,
    console_tenant: ConsoleTenant,
    agents: list[Host],
    shoot: Callable[[Page, str], None],
) -> None:
    console_server.cli("admin", "create-user", "--tenant", console_tenant.name, "--user", "bob")
    console_server.cli(
        "admin", "set-password", "--tenant", console_tenant.name, "--user", "bob", "--password", console_tenant.password
    )
    sign_in(page, console_tenant)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Hosts").click()
    expect(page.get_by_text("2 of 2 online")).to_be_visible()
    page.get_by_role("button", name="Create an enrolment token").click()
    expect(page.locator("pre.cmd").last).to_contain_text("opencoc agent --server")
    shoot(page, "hosts")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Scripts").click()
    page.get_by_role("link", name="New script").click()
    page.get_by_label("Name", exact=True).fill("greet_hosts")
    page.get_by_label("Description", exact=True).fill("Say hello with the service name")
    page.get_by_label("Content", exact=True).fill('echo "hello $SERVICE"\nreboot')
    expect(page.locator("#risk-result")).to_contain_text("declare it as High")  # the risk check, as typed
    page.get_by_label("Content", exact=True).fill('echo "hello $SERVICE"\necho "token has ${#TOKEN} characters"')
    expect(page.locator("#risk-result")).to_contain_text("Risk of the content: Low")
    page.get_by_label("Parameter 1 name").fill("SERVICE")
    page.get_by_label("Parameter 1 value").fill("nginx")
    page.get_by_label("Parameter 1 description").fill("the unit to greet")
    page.get_by_label("Parameter 2 name").fill("TOKEN")
    page.get_by_label("Parameter 2 value").fill(SECRET)
    page.get_by_label("Parameter 2 description").fill("an API token")
    page.get_by_label("Parameter 2 sensitive").check()
    # masked as soon as it is marked sensitive, before it is saved; the other row stays readable
    expect(page.get_by_label("Parameter 2 value")).to_have_attribute("type", "password")
    expect(page.get_by_label("Parameter 1 value")).not_to_have_attribute("type", "password")
    page.get_by_label("bob").check()
    shoot(page, "script-form")
    page.get_by_role("button", name="Create script").click()
    expect(page.locator(".badge.big")).to_have_text("Pending approve")
    assert SECRET not in page.content()
    script_url = page.url
    shoot(page, "script-pending")

    second = chromium.new_context(base_url=console_server.url, viewport={"width": 1280, "height": 900})
    try:
        bob = second.new_page()
        bob.set_default_timeout(10_000)
        sign_in(bob, console_tenant, user="bob")
        bob.goto("/console/scripts/review")
        bob.get_by_role("link", name="Review greet_hosts").click()
        bob.get_by_label("Comment").fill("Harmless greeting.")
        bob.get_by_role("button", name="Approve").click()
        expect(bob.locator(".badge.big")).to_have_text("Approved")
        assert SECRET not in bob.content()
    finally:
        second.close()

    page.goto(script_url)
    expect(page.locator("ol.timeline")).to_contain_text("bob approved")
    page.get_by_role("link", name="Run this script").click()
    page.get_by_label("Run on web-1").check()
    page.get_by_label("Run on web-2").check()
    page.get_by_label("Pause after each batch").check()
    page.get_by_label("Timeout per host (seconds)").fill("60")
    assert SECRET not in page.content()
    shoot(page, "run-form")
    page.get_by_role("button", name="Start the order").click()
    expect(page.get_by_role("heading", name="Batch 2")).to_be_visible()
    page.evaluate("window.__sameDocument = true")  # a reload would drop it: the view must update live

    status = page.locator("[data-status]")
    expect(status).to_have_attribute("data-status", "PAUSED", timeout=LONG)  # batch 1 ran, batch 2 waits
    expect(page.get_by_role("button", name="Continue")).to_be_enabled()
    expect(page.get_by_role("button", name="Pause")).to_be_disabled()
    expect(page.locator("code.last-line").first).to_have_text("token has 15 characters")
    shoot(page, "order-paused")
    page.get_by_role("button", name="Continue").click()
    expect(status).to_have_attribute("data-status", "FINISHED", timeout=LONG)
    expect(page.get_by_role("button", name="Cancel order")).to_be_disabled()
    assert page.evaluate("window.__sameDocument") is True
    assert SECRET not in page.content()
    shoot(page, "order-finished")

    page.get_by_role("link", name="Log of web-2").click()
    expect(page.locator("pre.log")).to_contain_text("hello nginx")
    expect(page.get_by_text("The whole output is shown")).to_be_visible()
    shoot(page, "host-log")
