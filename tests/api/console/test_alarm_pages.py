"""The alarm pages over HTTP: filters and pages, the detail with its escaped payload, Clear and Convert with
the signed-in user as actor, CSRF, other tenants."""

import re
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from opencoc.alarms.models import Alarm
from opencoc.core.db import Database
from opencoc.incidents.models import Incident
from tests.api.console.conftest import Browser
from tests.api.console.helpers import alarm_ids, new_integration, report


def _alarm(db: Database, alarm_id: str) -> Alarm:
    with db.read() as session:
        found = session.scalar(select(Alarm).where(Alarm.alarm_id == alarm_id))
    assert found is not None
    return found


def _one_alarm(client: TestClient, browser: Browser, **overrides: object) -> str:
    report(client, new_integration(browser), **overrides)
    ids = alarm_ids(browser.get("/console/alarms").text)
    assert len(ids) == 1
    return ids[0]


def test_the_detail_shows_the_occurrences_and_the_raw_payload_escaped(client: TestClient, browser: Browser) -> None:
    webhook = new_integration(browser)
    payload = {"note": "<script>alert(1)</script>", "disk": {"used": 95}}
    report(client, webhook, additional=payload)
    report(client, webhook, additional=payload)
    [alarm_id] = alarm_ids(browser.get("/console/alarms").text)
    page = browser.get(f"/console/alarms/{alarm_id}").text
    assert "<dt>Occurrences</dt><dd>2</dd>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    assert "&#34;used&#34;: 95" in page, "pretty JSON, its quotes escaped"


def test_the_list_filters_by_status_level_integration_and_time(client: TestClient, browser: Browser) -> None:
    zabbix, prom = new_integration(browser, "zabbix"), new_integration(browser, "prom")
    report(client, zabbix, alarmId="a1", alarmLevel="Critical", time=1_709_118_444_540)  # 2024-02-28 11:07 UTC
    report(client, zabbix, alarmId="a2", alarmLevel="Minor", time=1_709_218_444_540)  # 2024-02-29 14:54 UTC
    report(client, prom, alarmId="a3", alarmLevel="Critical", time=1_709_318_444_540)  # 2024-03-01 18:40 UTC
    report(client, prom, alarmId="a3", alarmStatus="ok", time=1_709_318_444_999)
    page = browser.get("/console/alarms").text
    everything = alarm_ids(page)
    assert len(everything) == 3
    found = re.search(r'<a href="/console/alarms\?integration=(\w+)">prom</a>', browser.get("/console/settings").text)
    assert found, "the settings page lists the integration"

    def count(query: str) -> int:
        return len(alarm_ids(browser.get(f"/console/alarms?{query}").text))

    assert count("level=Critical") == 2
    assert count("status=ok") == 1 and count("status=alarm") == 2
    assert count(f"integration={found[1]}") == 1
    assert count("from=2024-02-29T00:00&to=2024-03-01T00:00") == 1
    assert count("from=2024-02-29T00:00") == 2
    assert count("level=Bogus&from=not-a-time") == 3, "values outside the choices mean any"
    assert count("integration=%00&source=a%00b") == 3, "so does text PostgreSQL cannot compare"


def test_the_list_pages_by_fifty(client: TestClient, browser: Browser) -> None:
    webhook = new_integration(browser)
    for n in range(51):
        report(client, webhook, alarmId=f"p{n}")
    first = browser.get("/console/alarms").text
    assert len(alarm_ids(first)) == 50 and "page 1 of 2" in first and "Next page" in first
    assert len(alarm_ids(browser.get("/console/alarms?page=2").text)) == 1


def test_htmx_gets_the_alarm_table_without_the_layout(client: TestClient, browser: Browser) -> None:
    fragment = browser.get("/console/alarms", headers={"HX-Request": "true"}).text
    assert fragment.lstrip().startswith('<div id="alarm-table"') and "<html" not in fragment


def test_clear_records_the_signed_in_user_and_needs_the_csrf_token(
    client: TestClient, browser: Browser, db: Database
) -> None:
    alarm_id = _one_alarm(client, browser)
    assert browser.post(f"/console/alarms/{alarm_id}/clear", {}, csrf=False).status_code == 403
    assert _alarm(db, alarm_id).alarm_status == "alarm"
    answer = browser.post(f"/console/alarms/{alarm_id}/clear", {"remarks": "fixed the disk"})
    assert answer.status_code == 303
    cleared = _alarm(db, alarm_id)
    assert (cleared.alarm_status, cleared.cleared_by, cleared.clear_remarks) == ("ok", "alice", "fixed the disk")
    assert "This alarm is cleared." in browser.get(f"/console/alarms/{alarm_id}").text


def test_convert_opens_an_incident_linked_to_the_alarm(client: TestClient, browser: Browser, db: Database) -> None:
    alarm_id = _one_alarm(client, browser, alarmName="Disk full on db-1", alarmLevel="Info")
    assert browser.post(f"/console/alarms/{alarm_id}/incident", {}, csrf=False).status_code == 403
    assert _alarm(db, alarm_id).incident_num is None
    answer = browser.post(f"/console/alarms/{alarm_id}/incident", {})
    assert answer.status_code == 303
    incident_num = answer.headers["location"].rsplit("/", 1)[1]
    with db.read() as session:
        incident = session.scalar(select(Incident).where(Incident.incident_num == incident_num))
    assert incident is not None and incident.incident_title == "Disk full on db-1"
    assert _alarm(db, alarm_id).incident_num == incident_num
    page = browser.get(f"/console/alarms/{alarm_id}").text
    assert f'<a href="/console/incidents/{incident_num}">{incident_num}</a>' in page
    assert "Convert to incident" not in page
    again = browser.post(f"/console/alarms/{alarm_id}/incident", {})
    assert again.status_code == 200 and "is already linked to incident" in again.text, "the API's 409, on the page"


def test_another_tenants_alarm_is_a_404_page_and_cannot_be_changed(
    client: TestClient, make_browser: Callable[..., Browser], browser: Browser, db: Database
) -> None:
    alarm_id = _one_alarm(client, browser, alarmName="Secret alarm name", alarmLevel="Info")
    stranger = make_browser()
    assert stranger.sign_in().status_code == 303
    page = stranger.get(f"/console/alarms/{alarm_id}")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "Secret alarm name" not in page.text
    assert stranger.post(f"/console/alarms/{alarm_id}/clear", {}).status_code == 404
    assert stranger.post(f"/console/alarms/{alarm_id}/incident", {}).status_code == 404
    alarm = _alarm(db, alarm_id)
    assert (alarm.alarm_status, alarm.incident_num) == ("alarm", None)
    assert alarm_ids(stranger.get("/console/alarms").text) == []
