"""The war-room pages: open one for an incident, post to its timeline (newlines and markup kept as text),
move it through its lifecycle; every form carries the CSRF token; a viewer reads and changes nothing."""

from collections.abc import Callable

from tests.api.console.conftest import Browser
from tests.api.console.test_incident_pages import _create


def _open(browser: Browser, num: str, **fields: str) -> str:
    answer = browser.post("/console/warrooms", {"incident_number": num, "war_room_name": "checkout down", **fields})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].rsplit("/", 1)[1]


def test_open_post_and_close_a_war_room_from_the_console(browser: Browser) -> None:
    num = _create(browser)
    war_room = _open(browser, num, participant="u-ann, u-bob")
    listing = browser.get("/console/warrooms").text
    assert war_room in listing and 'href="/console/warrooms"' in listing and "1 running, 0 closed" in listing
    posted = browser.post(
        f"/console/warrooms/{war_room}/timeline", {"kind": "decision", "text": "roll back\n<b>now</b>"}
    )
    assert posted.status_code == 303, posted.text
    page = browser.get(f"/console/warrooms/{war_room}").text
    assert "roll back\n&lt;b&gt;now&lt;/b&gt;" in page and "u-ann" in page and "u-bob" in page
    forms = page.count('method="post"')
    assert forms >= 3 and page.count('name="csrf_token"') == forms, "every form carries the CSRF token"
    assert browser.post(f"/console/warrooms/{war_room}/status", {"status": "recovered"}).status_code == 303
    assert browser.post(f"/console/warrooms/{war_room}/status", {"status": "closed"}).status_code == 303
    page = browser.get(f"/console/warrooms/{war_room}").text
    assert ">closed</span>" in page and 'action="/console/warrooms/' + war_room + '/timeline"' not in page
    assert f'href="/console/warrooms/{war_room}"' in browser.get(f"/console/incidents/{num}").text


def test_refusals_are_shown_beside_the_field(browser: Browser) -> None:
    num = _create(browser)
    war_room = _open(browser, num)
    again = browser.post("/console/warrooms", {"incident_number": num, "war_room_name": "again"})
    assert "already has a war room" in again.text, again.text
    long = browser.post(f"/console/warrooms/{war_room}/timeline", {"kind": "note", "text": "x" * 2001})
    assert "text" in long.text and "2000" in long.text
    back = browser.post(f"/console/warrooms/{war_room}/status", {"status": "open"})
    assert "open -&gt; recovered -&gt; closed" in back.text


def test_a_form_without_the_csrf_token_is_refused(browser: Browser) -> None:
    num = _create(browser)
    answer = browser.post("/console/warrooms", {"incident_number": num, "war_room_name": "x"}, csrf=False)
    assert answer.status_code == 403, answer.text
    assert "No war rooms yet" in browser.get("/console/warrooms").text


def test_a_viewer_reads_but_may_not_open_post_or_move(browser: Browser, make_browser: Callable[..., Browser]) -> None:
    num = _create(browser)
    war_room = _open(browser, num)
    viewer = make_browser(tenant=browser.tenant, user="vera", role="viewer")
    assert viewer.sign_in().status_code == 303
    page = viewer.get(f"/console/warrooms/{war_room}").text
    assert "checkout down" in page and "Post</button>" not in page and "Mark recovered" not in page
    refused = viewer.post(f"/console/warrooms/{war_room}/timeline", {"kind": "note", "text": "hi"})
    assert refused.status_code == 403, refused.text
    assert "hi</p>" not in viewer.get(f"/console/warrooms/{war_room}").text


def test_the_console_shows_the_setting_admins_change_it_and_its_p1_create_opens_one(
    browser: Browser, make_browser: Callable[..., Browser]
) -> None:
    page = browser.get("/console/warrooms").text
    assert 'id="auto-state">off<' in page and 'action="/console/warrooms/settings"' in page
    assert browser.post("/console/warrooms/settings", {"auto_level_10": "true"}).status_code == 303
    assert 'id="auto-state">on<' in browser.get("/console/warrooms").text

    new = {"incident_title": "P1 from the console", "incident_description": "d", "incident_level": "level_10",
           "incident_type": "inc_type_p_security_issues", "incident_source": "incident_source_manual",
           "incident_assignee": "u-ann"}  # fmt: skip
    refused = browser.post("/console/incidents", new)
    assert refused.status_code == 200 and "region is mandatory" in refused.text
    created = browser.post("/console/incidents", {**new, "region": "cn-north-4"})
    assert created.status_code == 303, created.text
    detail = browser.get(created.headers["location"]).text
    assert 'href="/console/warrooms/WR' in detail

    operator = make_browser(tenant=browser.tenant, user="otto", role="operator")
    assert operator.sign_in().status_code == 303
    assert 'action="/console/warrooms/settings"' not in operator.get("/console/warrooms").text
    assert operator.post("/console/warrooms/settings", {"auto_level_10": "false"}).status_code == 403
    assert 'id="auto-state">on<' in browser.get("/console/warrooms").text


def test_the_timeline_fragment_and_the_live_events_are_the_tenants_own(
    browser: Browser, make_browser: Callable[..., Browser]
) -> None:
    num = _create(browser)
    war_room = _open(browser, num)
    browser.post(f"/console/warrooms/{war_room}/timeline", {"kind": "note", "text": "fragment me"})
    fragment = browser.get(f"/console/warrooms/{war_room}", headers={"HX-Request": "true"}).text
    assert fragment.startswith('<ol id="war-room-timeline"') and "fragment me" in fragment and "<html" not in fragment
    stranger = make_browser(role="admin")
    assert stranger.sign_in().status_code == 303
    assert stranger.get(f"/console/warrooms/{war_room}/events").status_code == 404
    assert "fragment me" not in stranger.get(f"/console/warrooms/{war_room}", headers={"HX-Request": "true"}).text
