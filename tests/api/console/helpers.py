"""Set-up through the console's own pages: an integration and its webhook, alarms reported to it."""

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.api.alarms.helpers import alarm_body
from tests.api.console.conftest import Browser


def new_integration(browser: Browser, name: str = "monitor", type_: str = "custom") -> str:
    """Create an integration on the settings page; its webhook URL's path (shown once)."""
    answer = browser.post("/console/settings/integrations", {"name": name, "type": type_})
    assert answer.status_code == 200, answer.text
    found = re.search(r'id="new-integration-url" readonly value="http://[^/]+(/v1/event/[^"]+)"', answer.text)
    assert found, "the new integration's webhook URL is on the page"
    return found[1]


def report(client: TestClient, webhook: str, **overrides: Any) -> None:
    """Report an alarm to the webhook through the session's client: the alarm writer runs on its event loop."""
    answer = client.post(webhook, json=alarm_body(**overrides))
    assert answer.status_code == 200, answer.text


def alarm_ids(html: str) -> list[str]:
    """The alarm ids a list page links to, in order."""
    return re.findall(r'<a href="/console/alarms/(\w+)">', html)
