"""The hosts page over HTTP: agents with their state and facts, enrolment tokens that really enrol."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from opencoc.core.db import Database
from tests.api.agents.helpers import enroll
from tests.api.console.conftest import Browser


def test_an_enrolment_token_from_the_page_enrols_a_host_that_the_page_then_lists(
    browser: Browser, client: TestClient, db: Database
) -> None:
    assert "No host has enrolled yet" in browser.get("/console/hosts").text
    page = browser.post("/console/hosts/enrolment-token", {}).text
    token = page.split("--token ", 1)[1].split(" ", 1)[0]
    assert token.startswith("oce_")
    assert "pip install opencoc" in page and "opencoc agent --server http" in page and "--state-dir" in page
    enroll(client, token, hostname="db-7", os_name="Debian GNU/Linux 13", kernel="6.12.0", agent_version="0.1.0")
    listed = browser.get("/console/hosts").text
    assert token not in listed  # shown once
    for fact in ("db-7", "Online", "Debian GNU/Linux 13", "6.12.0", "0.1.0", "1 of 1 online"):
        assert fact in listed, fact


def test_an_enrolment_token_without_the_csrf_token_is_refused(browser: Browser) -> None:
    answer = browser.post("/console/hosts/enrolment-token", {}, csrf=False)
    assert answer.status_code == 403 and "oce_" not in answer.text


def test_an_operator_sees_the_hosts_but_cannot_create_an_enrolment_token(
    make_browser: Callable[..., Browser], db: Database
) -> None:
    operator = make_browser()
    assert operator.sign_in().status_code == 303
    assert "Create an enrolment token" not in operator.get("/console/hosts").text
    assert "oce_" not in operator.post("/console/hosts/enrolment-token", {}).text


def test_hosts_of_another_tenant_are_not_listed(
    browser: Browser, make_browser: Callable[..., Browser], client: TestClient
) -> None:
    page = browser.post("/console/hosts/enrolment-token", {}).text
    token = page.split("--token ", 1)[1].split(" ", 1)[0]
    enroll(client, token, hostname="secret-host-9")
    other = make_browser()
    assert other.sign_in().status_code == 303
    assert "secret-host-9" not in other.get("/console/hosts").text
