"""The settings page in a real browser: create an integration and copy its webhook URL; create and revoke an
access key (its secret shown once)."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import ConsoleTenant, sign_in

pytestmark = pytest.mark.timeout(120)


def test_create_an_integration_copy_its_url_and_create_and_revoke_a_key(
    page: Page, console_tenant: ConsoleTenant, shoot: Callable[[Page, str], None]
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, console_tenant)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Settings", exact=True)).to_be_visible()

    page.get_by_label("Name", exact=True).fill("grafana")
    page.get_by_label("Type").select_option(label="Prometheus Alertmanager")
    page.get_by_role("button", name="Create integration").click()
    webhook_url = page.get_by_label("Webhook URL").input_value()
    assert "/v1/event/prometheus/" in webhook_url
    page.get_by_role("button", name="Copy webhook URL").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == webhook_url
    expect(page.get_by_role("link", name="grafana")).to_be_visible()
    shoot(page, "integration")

    page.get_by_role("button", name="Create access key").click()
    secret = page.get_by_label("Secret key").input_value()
    new_key = page.locator("#access-keys .secret b").inner_text().split()[2]  # "Access key <AK> created."
    assert len(secret) >= 20
    shoot(page, "new-key")
    assert page.url.endswith("/console/settings#access-keys"), "a reload reads the page, it does not post again"
    page.reload()
    expect(page.get_by_label("Secret key")).to_have_count(0)
    assert secret not in page.content(), "the secret is shown once only"
    row = page.get_by_role("row").filter(has_text=new_key)
    expect(row).to_contain_text("Active")
    row.get_by_role("button", name=f"Revoke {new_key}").click()
    expect(page.get_by_role("row").filter(has_text=new_key)).to_contain_text("Revoked 20")
    expect(page.get_by_role("button", name=f"Revoke {new_key}")).to_have_count(0)
    shoot(page, "revoked")
