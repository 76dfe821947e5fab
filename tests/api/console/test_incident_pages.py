"""The incident pages over HTTP: list filters, create, workflow with the signed-in user as actor, CSRF, tenants."""

import re
from collections.abc import Callable

from sqlalchemy import func, select

from opencoc.core.db import Database
from opencoc.incidents.models import Incident, IncidentHistory
from tests.api.console.conftest import Browser

NEW = {
    "incident_title": "Checkout is slow",
    "incident_level": "level_20",
    "incident_type": "inc_type_p_function_issues",
    "incident_source": "incident_source_manual",
}


def _me(browser: Browser) -> str:
    found = re.search(r'<option value="(\w+)" selected>' + browser.user, browser.get("/console/incidents/new").text)
    assert found, "the create form preselects the signed-in user as assignee"
    return found[1]


def _create(browser: Browser, **fields: str) -> str:
    answer = browser.post("/console/incidents", {**NEW, "incident_assignee": _me(browser), **fields})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].rsplit("/", 1)[1]


def _count(db: Database, tenant_title: str) -> int:
    with db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(Incident).where(Incident.incident_title == tenant_title))
            or 0
        )


def test_a_create_without_the_csrf_token_is_refused_and_creates_nothing(browser: Browser, db: Database) -> None:
    data = {**NEW, "incident_title": "csrf-less create", "incident_assignee": _me(browser)}
    answer = browser.post("/console/incidents", data, csrf=False)
    assert answer.status_code == 403
    wrong = browser.client.post("/console/incidents", data={**data, "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert _count(db, "csrf-less create") == 0


def test_an_accept_without_the_csrf_token_changes_nothing(browser: Browser, db: Database) -> None:
    num = _create(browser)
    assert browser.post(f"/console/incidents/{num}/accept", {}, csrf=False).status_code == 403
    with db.read() as session:
        assert (
            session.scalar(select(Incident.status).where(Incident.incident_num == num)) == "INCIDENT_STATUS_TRIGGERED"
        )


def test_the_workflow_records_the_signed_in_user_as_creator_and_operator(browser: Browser, db: Database) -> None:
    me = _me(browser)
    num = _create(browser, is_service_interrupt="")
    assert browser.post(f"/console/incidents/{num}/accept", {}).status_code == 303
    solution = {"mtm_type": "inc_type_p_config_issues", "cause": "a bad flag", "solution": "flag reverted"}
    assert browser.post(f"/console/incidents/{num}/solution", solution).status_code == 303
    verify = {"virtual_confirm_result": "reject", "virtual_confirm_comment": "still slow"}
    assert browser.post(f"/console/incidents/{num}/verify", verify).status_code == 303
    with db.read() as session:
        incident = session.scalar(select(Incident).where(Incident.incident_num == num))
        history = session.scalars(
            select(IncidentHistory).where(IncidentHistory.incident_num == num).order_by(IncidentHistory.id)
        ).all()
    assert incident is not None and incident.creator == me and incident.acceptor == me
    assert incident.status == "INCIDENT_STATUS_ACKNOWLEDGED", "a rejected solution goes back to the handlers"
    assert [(h.operator, h.operate_key) for h in history] == [
        (me, "create"),
        (me, "acceptedIncident1"),
        (me, "commitSolution1"),
        (me, "confirm"),
    ]
    assert history[-1].parameter == {"virtual_confirm_result": False, "virtual_confirm_comment": "still slow"}
    page = browser.get(f"/console/incidents/{num}").text
    assert "Submit solution" in page and ">Accept<" not in page, "only the actions of the current status"


def test_a_solution_breaking_the_apis_rule_shows_its_message_and_changes_nothing(browser: Browser) -> None:
    num = _create(browser)
    browser.post(f"/console/incidents/{num}/accept", {})
    bad = {"mtm_type": "inc_type_p_config_issues", "cause": "c", "solution": "s", "is_service_interrupt": "true"}
    answer = browser.post(f"/console/incidents/{num}/solution", bad)
    assert answer.status_code == 200
    assert (
        'id="s-start_time-error">parameter.start_time must not be null when is_service_interrupt is true' in answer.text
    )
    assert "Acknowledged" in browser.get(f"/console/incidents/{num}").text


def test_another_tenants_incident_is_a_404_page(make_browser: Callable[..., Browser], browser: Browser) -> None:
    num = _create(browser)
    stranger = make_browser()
    assert stranger.sign_in().status_code == 303
    page = stranger.get(f"/console/incidents/{num}")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "Checkout is slow" not in page.text
    assert stranger.post(f"/console/incidents/{num}/accept", {}).status_code == 404
    assert num not in stranger.get("/console/incidents").text


def test_the_list_filters_by_status_level_text_and_assignment(make_browser: Callable[..., Browser]) -> None:
    alice = make_browser()
    alice.sign_in()
    bob = make_browser(tenant=alice.tenant, user="bob")
    bob.sign_in()
    _create(alice, incident_title="Disk 95% full", incident_level="level_10")
    accepted = _create(alice, incident_title="DNS flapping")
    alice.post(f"/console/incidents/{accepted}/accept", {})
    _create(bob, incident_title="Bob's cert expiry")

    def titles(query: str) -> set[str]:
        page = alice.get(f"/console/incidents?{query}").text
        return set(re.findall(r'<a href="/console/incidents/IM\w+">([^<]+)</a>', page))

    everything = {"Disk 95% full", "DNS flapping", "Bob&#39;s cert expiry"}
    assert titles("") == everything
    assert titles("level=level_10") == {"Disk 95% full"}
    assert titles("status=INCIDENT_STATUS_ACKNOWLEDGED") == {"DNS flapping"}
    assert titles("q=dns") == {"DNS flapping"}
    assert titles("q=95%25") == {"Disk 95% full"}, "% in the text is a character, not a wildcard"
    assert titles("mine=1") == {"Disk 95% full", "DNS flapping"}
    assert titles("sort=title&order=asc") == everything
    assert alice.get("/console/incidents?page=0").status_code == 400

    def total(query: str) -> int:
        found = re.search(
            r'<p class="muted" aria-live="polite">(\d+) incident', alice.get(f"/console/incidents?{query}").text
        )
        assert found, "the list says how many match"
        return int(found[1])

    # with status and level only, the total comes from the tenant's cached counts (incidents/counts.py)
    assert [total(q) for q in ("", "level=level_10", "status=INCIDENT_STATUS_TRIGGERED", "q=dns", "mine=1")] == [
        3, 1, 2, 1, 2,
    ]  # fmt: skip
    assert total("status=INCIDENT_STATUS_TRIGGERED&level=level_10") == 1
    assert total("status=INCIDENT_STATUS_ACKNOWLEDGED&level=level_10") == 0


def test_htmx_gets_the_table_without_the_layout(browser: Browser) -> None:
    _create(browser)
    fragment = browser.get("/console/incidents", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="incident-table"') and "<html" not in fragment


def _open_p1(browser: Browser) -> int:
    found = re.search(
        r'href="/console/incidents\?level=level_10"[^>]*>[^<]*<b>(\d+)</b>', browser.get("/console/open-levels").text
    )
    assert found, "the header lists the open P1 incidents"
    return int(found[1])


def _per_status(browser: Browser) -> dict[str, int]:
    table = browser.get("/console/incidents", headers={"HX-Request": "true"}).text
    return {key: int(n) for key, n in re.findall(r'class="badge status-(\w+)"[^>]*>[^<]*<b>(\d+)</b>', table)}


def test_the_counts_follow_each_create_and_change_at_once(browser: Browser) -> None:
    """The counts are cached per tenant (incidents/counts.py) until one of its incidents changes."""
    assert _open_p1(browser) == 0 and _per_status(browser).get("INCIDENT_STATUS_TRIGGERED") == 0
    num = _create(browser, incident_level="level_10")
    assert _open_p1(browser) == 1
    assert _per_status(browser)["INCIDENT_STATUS_TRIGGERED"] == 1
    assert browser.post(f"/console/incidents/{num}/accept", {}).status_code == 303
    counts = _per_status(browser)
    assert (counts["INCIDENT_STATUS_TRIGGERED"], counts["INCIDENT_STATUS_ACKNOWLEDGED"]) == (0, 1)
