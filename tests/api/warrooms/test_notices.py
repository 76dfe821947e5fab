"""Opening a war room notifies its members through the tenant's channel, with a link to the war room."""

from collections.abc import Callable, Iterator
from email.message import Message

import pytest
from fastapi.testclient import TestClient

from harness.server import free_port
from tests.api.incidents.helpers import create, define_scene
from tests.api.notifications.conftest import TARGETS, mail_url
from tests.api.warrooms.helpers import open_war_room
from tests.support.mailbox import Mailbox
from tests.support.signing import TenantKey


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox(free_port()).start()
    yield box
    box.stop()


def _text(message: Message) -> str:
    parts = [p.get_payload(decode=True) for p in message.walk() if p.get_content_maintype() == "text"]
    return "".join(p.decode() for p in parts if isinstance(p, bytes))


def test_the_participants_and_the_person_on_call_get_a_notice(
    client: TestClient, make_tenant: Callable[..., TenantKey], make_user: Callable[..., TenantKey], mailbox: Mailbox
) -> None:
    admin = make_tenant(user="root", role="admin")
    channel = {"name": "EMAIL", "url": mail_url(mailbox.port)}
    assert client.post("/opencoc/v1/notifications/channels", json=channel, auth=admin.auth).status_code == 200
    ann, bob = make_user(admin, "ann"), make_user(admin, "bob")
    for key, name in ((ann, "ann"), (bob, "bob")):
        added = client.post(TARGETS, json={"url": f"mailto:{name}@example.org"}, auth=key.auth)
        assert added.status_code == 200, added.text
    define_scene(client, admin, "payments", {"primary": [bob.user_id]})
    num = create(client, admin)
    war_room = open_war_room(
        client, admin, num, participant=[ann.user_id], schedule_group=[{"scene_id": "payments", "role_id": "primary"}]
    )
    messages = mailbox.wait_for(2)
    for message in messages:
        text = _text(message)
        assert num in str(message["Subject"]) and f"/console/warrooms/{war_room}" in text, text
    reached = {address.strip() for m in messages for address in str(m["To"]).split(",")}
    assert {"ann@example.org", "bob@example.org"} <= reached, reached
