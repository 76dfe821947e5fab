"""A viewer sees the alarm and settings pages and changes nothing: the forms are not offered, and a POST is a
403 page that writes nothing. The viewer is a real user of the tenant with the viewer role."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opencoc.alarms.models import Alarm, Integration
from opencoc.auth.models import AccessKey, Tenant, User
from opencoc.core.db import Database
from tests.api.console.conftest import PASSWORD, Browser
from tests.api.console.helpers import alarm_ids, new_integration, report


@pytest.fixture
def viewer(browser: Browser, make_browser: Callable[..., Browser]) -> Browser:
    """A viewer of the tenant `browser` (its admin) signed in to."""
    signed = make_browser(tenant=browser.tenant, user="vic", role="viewer")
    assert signed.sign_in().status_code == 303
    return signed


def _count(db: Database, model: type, *where: object) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0  # type: ignore[arg-type]


def test_a_viewer_reads_alarms_but_cannot_clear_or_convert_them(
    client: TestClient, browser: Browser, db: Database, viewer: Browser
) -> None:
    report(client, new_integration(browser), alarmLevel="Info")
    [alarm_id] = alarm_ids(browser.get("/console/alarms").text)
    page = viewer.get(f"/console/alarms/{alarm_id}").text
    assert "Raw payload" in page and ">Clear<" not in page and "Convert to incident" not in page
    assert viewer.post(f"/console/alarms/{alarm_id}/clear", {}).status_code == 403
    refused = viewer.post(f"/console/alarms/{alarm_id}/incident", {})
    assert refused.status_code == 403 and "Your role, viewer, may not convert alarms to incidents." in refused.text
    with db.read() as session:
        alarm = session.scalar(select(Alarm).where(Alarm.alarm_id == alarm_id))
    assert alarm is not None and (alarm.alarm_status, alarm.incident_num) == ("alarm", None)


def test_a_viewer_sees_the_settings_and_changes_nothing(browser: Browser, db: Database, viewer: Browser) -> None:
    page = viewer.get("/console/settings").text
    assert "you can see the settings but not change them" in page
    for offered in ("Create integration", "Create access key", "Create user", "Set role"):
        assert offered not in page
    assert viewer.post("/console/settings/integrations", {"name": "by-viewer", "type": "custom"}).status_code == 403
    assert viewer.post("/console/settings/keys", {}).status_code == 403
    assert viewer.post("/console/settings/users", {"name": "eve", "password": PASSWORD}).status_code == 403
    assert _count(db, Integration, Integration.name == "by-viewer") == 0
    assert _count(db, User, User.name == "eve") == 0
    mine = (
        select(AccessKey.access_key)
        .join(User, User.id == AccessKey.user_pk)
        .join(Tenant, Tenant.id == User.tenant_id)
        .where(Tenant.name == browser.tenant, User.name == "vic")
    )
    assert _count(db, AccessKey, AccessKey.access_key.in_(mine)) == 0
