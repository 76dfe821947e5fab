"""Sign-in, sign-out, expiry, the throttle and the CSRF rule of the console."""

import logging
from collections.abc import Callable

import pytest
from sqlalchemy import text

from opencoc.core.db import Database
from tests.api.console.conftest import PASSWORD, Browser


def test_a_browser_asking_for_the_root_is_sent_to_the_console_and_an_api_client_gets_404(browser: Browser) -> None:
    assert browser.get("/", headers={"Accept": "text/html"}).headers["location"] == "/console/"
    assert browser.get("/", headers={"Accept": "application/json"}).status_code == 404


def test_pages_without_a_session_redirect_to_sign_in(make_browser: Callable[..., Browser]) -> None:
    anonymous = make_browser()
    for path in ("/console/", "/console/incidents", "/console/incidents/new"):
        answer = anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/console/sign-in", path


def test_sign_in_sets_a_protected_cookie_and_shows_tenant_and_user(browser: Browser) -> None:
    page = browser.get("/console/incidents")
    assert page.status_code == 200
    assert browser.tenant in page.text and "alice" in page.text and "Sign out" in page.text


def test_the_session_cookie_is_httponly_and_samesite_lax(make_browser: Callable[..., Browser]) -> None:
    answer = make_browser().sign_in()
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie


def test_a_forwarded_https_from_an_untrusted_peer_does_not_make_the_cookie_secure(
    make_browser: Callable[..., Browser],
) -> None:
    guest = make_browser()
    guest.client.headers["X-Forwarded-Proto"] = "https"
    assert "Secure" not in guest.sign_in().headers["set-cookie"]


def test_a_wrong_password_is_refused_and_logged_without_the_password(
    make_browser: Callable[..., Browser], caplog: pytest.LogCaptureFixture
) -> None:
    guest = make_browser()
    with caplog.at_level(logging.INFO, logger="opencoc"):
        answer = guest.sign_in(password="hunter2-wrong")
        assert guest.sign_in().status_code == 303
    assert answer.status_code == 401 and "password is wrong" in answer.text
    assert "sign-in failed" in caplog.text and "alice" in caplog.text
    assert "hunter2-wrong" not in caplog.text and PASSWORD not in caplog.text


def test_the_sixth_failed_sign_in_within_a_minute_is_throttled_even_with_the_right_password(
    make_browser: Callable[..., Browser],
) -> None:
    guest = make_browser()
    assert [guest.sign_in(password="wrong").status_code for _ in range(5)] == [401] * 5
    assert guest.sign_in().status_code == 429
    other = make_browser(tenant=guest.tenant, user="bob")
    assert other.sign_in().status_code == 303, "another user is not held up"


def test_a_sign_in_post_without_the_form_token_is_refused(make_browser: Callable[..., Browser]) -> None:
    guest = make_browser()
    answer = guest.client.post("/console/sign-in", data={"tenant": guest.tenant, "user": "alice", "password": PASSWORD})
    assert answer.status_code == 403


def test_after_sign_out_the_old_cookie_leads_to_sign_in(browser: Browser) -> None:
    old = browser.client.cookies.get("opencoc_console")
    assert browser.post("/console/sign-out", {}).headers["location"] == "/console/sign-in"
    browser.client.cookies.set("opencoc_console", old or "", path="/console")
    assert browser.get("/console/incidents").headers["location"] == "/console/sign-in"


def test_a_session_idle_past_its_expiry_leads_to_sign_in(browser: Browser, db: Database) -> None:
    with db.write() as session:
        session.execute(text("UPDATE console_sessions SET last_seen = last_seen - :ms"), {"ms": 12 * 3600 * 1000 + 1})
    assert browser.get("/console/incidents").headers["location"] == "/console/sign-in"


def test_a_new_password_ends_the_users_sessions(browser: Browser, db: Database) -> None:
    from opencoc.auth import service as auth_service

    with db.write() as session:
        auth_service.set_password(session, tenant_name=browser.tenant, name="alice", password="another one")
    assert browser.get("/console/incidents").headers["location"] == "/console/sign-in"


def test_sign_out_without_the_csrf_token_is_refused_and_the_session_lives_on(browser: Browser) -> None:
    assert browser.post("/console/sign-out", {}, csrf=False).status_code == 403
    assert browser.get("/console/incidents").status_code == 200
