"""A browser-like client of the console on the session's app: its own cookie jar, forms with the CSRF token."""

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient

from opencoc.auth import service as auth_service
from opencoc.core.db import Database

PASSWORD = "correct horse battery"
_names = itertools.count(1)


def hidden(html: str, name: str) -> str:
    """The value of the page's first hidden input `name`."""
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} in the page"
    return found[1]


@dataclass
class Browser:
    client: TestClient
    tenant: str
    user: str

    def get(self, path: str, **kw: object) -> httpx.Response:
        return self.client.get(path, **kw)  # type: ignore[arg-type]

    def sign_in(self, password: str = PASSWORD, user: str | None = None, tenant: str | None = None) -> httpx.Response:
        form = self.client.get("/console/sign-in").text
        data = {
            "tenant": tenant or self.tenant,
            "user": user or self.user,
            "password": password,
            "sign_in_token": hidden(form, "sign_in_token"),
        }
        return self.client.post("/console/sign-in", data=data)

    def csrf(self) -> str:
        return hidden(self.client.get("/console/incidents").text, "csrf_token")

    def post(self, path: str, data: dict[str, str], csrf: bool = True) -> httpx.Response:
        return self.client.post(path, data={**data, "csrf_token": self.csrf()} if csrf else data)


@pytest.fixture
def make_browser(client: TestClient, db: Database) -> Callable[..., Browser]:
    """A fresh tenant with a user that has a password, and a client with its own cookies (not yet signed in)."""

    def make(tenant: str | None = None, user: str = "alice", role: str = "operator") -> Browser:
        name = tenant or f"c{next(_names)}-{id(db) % 10_000}"
        with db.write() as session:
            if not auth_service.tenant_exists(session, name):
                auth_service.create_tenant(session, name=name)
            auth_service.create_user(session, tenant_name=name, name=user, password=PASSWORD, role=role)
        fresh = TestClient(client.app, raise_server_exceptions=False, follow_redirects=False)
        # On the app's own event loop, as under uvicorn: without it each request runs on a loop of its own, and
        # what a commit schedules on the app's loop (a cache's forget, incidents/counts.py) may come after the
        # response, so the next page could still show the counts from before the change.
        fresh.portal = client.portal
        return Browser(fresh, name, user)

    return make


@pytest.fixture
def browser(make_browser: Callable[..., Browser]) -> Browser:
    signed = make_browser(role="admin")
    assert signed.sign_in().status_code == 303
    return signed
