"""Each server process keeps a signed-in session for a few seconds (auth/session_cache.py): page views do not
read its row, and what ends a session or changes its role still reaches it, through a revocation."""

from sqlalchemy import event

from harness.polling import wait_for
from opencoc.auth import service as auth_service
from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from tests.api.console.conftest import Browser

REVOCATION_REACH_S = 2.0  # the rule for every credential cache (auth/revocations.py)


def test_page_views_of_a_kept_session_do_not_read_its_row(browser: Browser, db: Database) -> None:
    assert browser.get("/console/incidents").status_code == 200  # the session is kept from here
    reads: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if "console_sessions" in statement:
            reads.append(statement)

    event.listen(db.read_engine, "before_cursor_execute", seen)
    try:
        assert [browser.get("/console/incidents").status_code for _ in range(5)] == [200] * 5
    finally:
        event.remove(db.read_engine, "before_cursor_execute", seen)
    assert reads == []


def test_a_new_password_set_by_the_admin_cli_ends_a_kept_session(browser: Browser, db: Database) -> None:
    assert browser.get("/console/incidents").status_code == 200
    with db.write() as session:  # as `opencoc admin set-password` does, outside the server
        auth_service.set_password(session, tenant_name=browser.tenant, name="alice", password="another one")
    wait_for(
        lambda: browser.get("/console/incidents").headers.get("location") == "/console/sign-in",
        "the kept session to be signed out",
        timeout=REVOCATION_REACH_S,
    )


def test_a_role_change_reaches_a_kept_session(browser: Browser, db: Database) -> None:
    assert "Create user" in browser.get("/console/settings").text  # an admin's page, kept
    with db.write() as session:
        auth_service.set_role(session, tenant_name=browser.tenant, name="alice", role="viewer", now=now_ms())
    wait_for(
        lambda: "you can see the settings but not change them" in browser.get("/console/settings").text,
        "the kept session to act as a viewer",
        timeout=REVOCATION_REACH_S,
    )
