"""The settings page over HTTP: integrations (URL shown once, last alarm), access keys (secret shown once,
revoke), users; CSRF, other users' keys."""

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opencoc.alarms.models import Integration
from opencoc.auth.models import AccessKey, Tenant, User
from opencoc.core.db import Database
from tests.api.console.conftest import PASSWORD, Browser
from tests.api.console.helpers import new_integration, report


def _integrations(db: Database, name: str) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(Integration).where(Integration.name == name)) or 0


def _keys(db: Database, browser: Browser) -> list[AccessKey]:
    """The signed-in user's access keys, from the database."""
    with db.read() as session:
        return list(
            session.scalars(
                select(AccessKey)
                .join(User, User.id == AccessKey.user_pk)
                .join(Tenant, Tenant.id == User.tenant_id)
                .where(User.name == browser.user, Tenant.name == browser.tenant)
            )
        )


def _secret_on(html: str) -> str:
    found = re.search(r'id="new-key-secret" readonly value="([^"]+)"', html)
    assert found, "the new key's secret is on the page"
    return found[1]


def test_a_new_integrations_webhook_url_is_shown_once_and_works(client: TestClient, browser: Browser) -> None:
    webhook = new_integration(browser, "grafana")
    key = webhook.rsplit("/", 1)[1]
    settings = browser.get("/console/settings").text
    assert "grafana" in settings and key not in settings, "the key is not shown again"
    assert "never" in settings, "no alarm received yet"
    report(client, webhook, time=1_709_118_444_540)
    assert "2024-02-28 11:07:24 UTC" in browser.get("/console/settings").text, "the last alarm received"


def test_an_integration_breaking_the_apis_rule_shows_its_message(browser: Browser, db: Database) -> None:
    answer = browser.post("/console/settings/integrations", {"name": "x" * 65, "type": "custom"})
    assert answer.status_code == 200
    assert 'id="integration_name-error">' in answer.text
    assert _integrations(db, "x" * 65) == 0


def test_creating_an_integration_without_the_csrf_token_is_refused(browser: Browser, db: Database) -> None:
    answer = browser.post("/console/settings/integrations", {"name": "csrf-less", "type": "custom"}, csrf=False)
    assert answer.status_code == 403
    assert _integrations(db, "csrf-less") == 0


def test_a_new_access_keys_secret_is_shown_once_and_never_again(browser: Browser, db: Database) -> None:
    answer = browser.post("/console/settings/keys", {})
    assert answer.status_code == 200
    secret = _secret_on(answer.text)
    [key] = _keys(db, browser)
    assert key.access_key in answer.text
    later = browser.get("/console/settings").text
    assert key.access_key in later and secret not in later
    assert secret not in browser.get("/console/overview").text


def test_a_revoked_key_is_marked_revoked(browser: Browser, db: Database) -> None:
    browser.post("/console/settings/keys", {})
    [key] = _keys(db, browser)
    assert browser.post(f"/console/settings/keys/{key.access_key}/revoke", {}, csrf=False).status_code == 403
    assert _keys(db, browser)[0].revoked_at is None
    assert browser.post(f"/console/settings/keys/{key.access_key}/revoke", {}).status_code == 303
    assert _keys(db, browser)[0].revoked_at is not None
    assert 'Revoked <span class="hide-narrow">20' in browser.get("/console/settings").text


def test_key_changes_without_the_csrf_token_change_nothing(browser: Browser, db: Database) -> None:
    assert browser.post("/console/settings/keys", {}, csrf=False).status_code == 403
    assert _keys(db, browser) == []


def test_another_users_key_cannot_be_revoked(
    make_browser: Callable[..., Browser], browser: Browser, db: Database
) -> None:
    browser.post("/console/settings/keys", {})
    [key] = _keys(db, browser)
    colleague = make_browser(tenant=browser.tenant, user="bob")
    assert colleague.sign_in().status_code == 303
    assert key.access_key not in colleague.get("/console/settings").text, "only your own keys are listed"
    assert colleague.post(f"/console/settings/keys/{key.access_key}/revoke", {}).status_code == 404
    stranger = make_browser()
    assert stranger.sign_in().status_code == 303
    assert stranger.post(f"/console/settings/keys/{key.access_key}/revoke", {}).status_code == 404
    assert _keys(db, browser)[0].revoked_at is None


def test_a_user_created_on_the_page_can_sign_in(make_browser: Callable[..., Browser], browser: Browser) -> None:
    assert browser.post("/console/settings/users", {"name": "carol", "password": "short"}).status_code == 200
    control = browser.post("/console/settings/users", {"name": "car\x00ol", "password": PASSWORD})
    assert control.status_code == 200 and "name must not contain control characters" in control.text
    assert (
        browser.post("/console/settings/users", {"name": "carol", "password": PASSWORD}, csrf=False).status_code == 403
    )
    fresh = make_browser(tenant=browser.tenant, user="dave")
    assert fresh.sign_in(user="carol").status_code != 303, "neither attempt created carol"
    assert browser.post("/console/settings/users", {"name": "carol", "password": PASSWORD}).status_code == 303
    assert fresh.sign_in(user="carol").status_code == 303
    again = browser.post("/console/settings/users", {"name": "carol", "password": PASSWORD})
    assert again.status_code == 200 and "user[carol] already exists" in again.text


def test_another_tenants_integrations_and_users_are_not_listed(
    make_browser: Callable[..., Browser], browser: Browser
) -> None:
    new_integration(browser, "private-monitor")
    stranger = make_browser(user="zed")
    assert stranger.sign_in().status_code == 303
    page = stranger.get("/console/settings").text
    assert "private-monitor" not in page and ">alice<" not in page and "zed" in page
