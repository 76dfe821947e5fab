"""The incident page's v2 workflow forms: forward, remark, pause (and its approval), level change, reject, reopen."""

import re
from collections.abc import Callable

from tests.api.console.conftest import Browser, hidden
from tests.api.console.test_incident_pages import _create


def _page(browser: Browser, num: str) -> str:
    page = browser.get(f"/console/incidents/{num}")
    assert page.status_code == 200, page.text
    return page.text


def _act(browser: Browser, num: str, action: str, **fields: str) -> str:
    """Post one workflow form with the page's task id; the page it leads to."""
    data = {"task_id": hidden(_page(browser, num), "task_id"), "action": action, "form": action, **fields}
    answer = browser.post(f"/console/incidents/{num}/workflow", data)
    assert answer.status_code == 303, answer.text
    return _page(browser, num)


def _at(html: str) -> str:
    found = re.search(r"\((incident_\w+)\)</span>", html)
    assert found, "the workflow card names the node"
    return found[1]


def test_the_page_offers_the_actions_valid_now_and_they_move_the_incident(browser: Browser) -> None:
    num = _create(browser)
    html = _page(browser, num)
    assert _at(html) == "incident_accept"
    assert 'value="unAcceptedForward"' in html and "Reject the incident" in html and "Add remark" in html
    assert "Ask to pause" not in html, "pausing is not valid before acceptance"
    html = _act(browser, num, "addRemark", note="looking into it")
    assert _at(html) == "incident_accept" and "Added a remark" in html and "looking into it" in html
    html = _act(browser, num, "accepted")
    assert _at(html) == "incident_handle" and "Ask to pause" in html and "Ask for the level change" in html
    html = _act(browser, num, "changeLevel", virtual_target_level="level_10", virtual_change_level_comment="worse")
    assert _at(html) == "incident_level_approval" and "Level change approval" in html
    assert "Submit solution" not in html, "v1's forms wait while an approval is open"
    answer = browser.post(
        f"/console/incidents/{num}/workflow",
        {"task_id": hidden(html, "task_id"), "form": "decision", "decision": "agreed", "note": "ok"},
    )
    assert answer.status_code == 303
    html = _page(browser, num)
    assert _at(html) == "incident_handle" and ">P1<" in html


def test_a_pause_in_the_past_shows_the_apis_message_beside_its_field(browser: Browser) -> None:
    num = _create(browser)
    assert browser.post(f"/console/incidents/{num}/accept", {}).status_code == 303
    data = {
        "task_id": hidden(_page(browser, num), "task_id"),
        "action": "incidentPause",
        "form": "incidentPause",
        "pause_end_time": "2001-01-01T00:00",
    }
    answer = browser.post(f"/console/incidents/{num}/workflow", data)
    assert answer.status_code == 200
    assert "pause_end_time must be in the future" in answer.text and 'aria-invalid="true"' in answer.text
    assert _at(_page(browser, num)) == "incident_handle"


def test_reject_then_reopen_from_the_page(browser: Browser) -> None:
    num = _create(browser)
    html = _act(browser, num, "rejected", virtual_confirm_comment="not ours")
    assert _at(html) == "incident_rejected" and "Close as rejected" in html
    html = _act(browser, num, "Reopen", title="ours after all")
    assert _at(html) == "incident_accept" and "ours after all" in html


def test_a_viewer_sees_no_workflow_forms(make_browser: Callable[..., Browser], browser: Browser) -> None:
    num = _create(browser)
    viewer = make_browser(tenant=browser.tenant, user="vera", role="viewer")
    assert viewer.sign_in().status_code == 303
    html = _page(viewer, num)
    assert "No workflow action is open to you here." in html and "Add remark" not in html
