"""The script pages over HTTP: create/edit with sensitive parameters, risk check, review by a second user,
versions diff, CSRF, other tenants, validation messages at the field."""

import re
from collections.abc import Callable

from sqlalchemy import func, select

from opencoc.core.db import Database
from opencoc.scripts.models import Script, ScriptReview, ScriptVersion
from opencoc.scripts.params import plain_value
from tests.api.console.conftest import Browser

SECRET = "hunter2-TopSecret"
NEW = {
    "name": "restart_web",
    "description": "Restart the web tier",
    "type": "SHELL",
    "content": "echo restarting $SERVICE",
    "risk_level": "LOW",
    "version": "1.0.0",
    "param_name_1": "SERVICE",
    "param_value_1": "nginx",
    "param_description_1": "the unit",
    "param_name_2": "TOKEN",
    "param_value_2": SECRET,
    "param_description_2": "api token",
    "param_sensitive_2": "true",
}


def create(browser: Browser, **fields: str) -> str:
    answer = browser.post("/console/scripts", {**NEW, **fields})
    assert answer.status_code == 303, answer.text
    return answer.headers["location"].rsplit("/", 1)[1]


def user_id(browser: Browser, name: str) -> str:
    found = re.search(
        rf'name="reviewers" value="(\w+)"[^>]*><label for="reviewer-\w+">{name}<',
        browser.get("/console/scripts/new").text,
    )
    assert found, f"{name} is offered as a reviewer"
    return found[1]


def test_a_sensitive_value_never_appears_in_any_page(browser: Browser) -> None:
    uuid = create(browser)
    pages = [
        "/console/scripts",
        f"/console/scripts/{uuid}",
        f"/console/scripts/{uuid}/edit",
        f"/console/scripts/{uuid}/run",
    ]
    for path in pages:
        answer = browser.get(path)
        assert answer.status_code == 200, path
        assert SECRET not in answer.text, path
    detail = browser.get(f"/console/scripts/{uuid}").text
    assert "nginx" in detail and "*****************" in detail


def test_editing_with_the_mask_keeps_the_stored_sensitive_value(browser: Browser, db: Database) -> None:
    uuid = create(browser)
    edit = browser.get(f"/console/scripts/{uuid}/edit").text
    mask = re.search(r'name="param_value_2" value="([^"]*)"', edit)
    assert mask and mask[1] == "*" * 17
    answer = browser.post(
        f"/console/scripts/{uuid}",
        {**NEW, "content": "echo restarting $SERVICE now", "version": "1.0.1", "param_value_2": mask[1]},
    )
    assert answer.status_code == 303, answer.text
    with db.read() as session:
        versions = session.scalars(select(ScriptVersion).where(ScriptVersion.script_uuid == uuid)).all()
    assert len(versions) == 2
    # the sensitive value is stored encrypted, and the same secret in both versions
    cipher = browser.client.app.state.cipher  # type: ignore[attr-defined]
    assert {plain_value(v.params[1], cipher) for v in versions} == {SECRET}
    diff = browser.get(f"/console/scripts/{uuid}/diff?old={versions[0].id}&new={versions[1].id}").text
    assert "restarting $SERVICE now" in diff and SECRET not in diff


def test_a_refused_create_shows_the_message_at_the_field_and_not_the_typed_secret(
    browser: Browser, db: Database
) -> None:
    answer = browser.post("/console/scripts", {**NEW, "name": "bad name!"})
    assert answer.status_code == 200
    assert re.search(r'id="name-error">[^<]*name', answer.text), answer.text
    assert SECRET not in answer.text
    risky = browser.post("/console/scripts", {**NEW, "name": "risky", "content": "rm -rf /"})
    assert risky.status_code == 200
    assert re.search(r'class="(field-error|alert)"[^>]*>[^<]*risk_level LOW is below', risky.text)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Script).where(Script.name == "risky")) == 0


def test_the_risk_check_answers_what_the_api_analysis_finds(browser: Browser) -> None:
    answer = browser.client.post(
        "/console/scripts/risk",
        data={"content": "echo hi\nreboot", "risk_level": "LOW"},
        headers={"HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert "risk-HIGH" in answer.text and "reboot" in answer.text and "too low" in answer.text


def test_a_post_without_the_csrf_token_changes_nothing(browser: Browser, db: Database) -> None:
    assert browser.post("/console/scripts", {**NEW, "name": "no_csrf"}, csrf=False).status_code == 403
    uuid = create(browser, name="has_csrf")
    assert browser.post(f"/console/scripts/{uuid}", {**NEW, "content": "echo changed"}, csrf=False).status_code == 403
    assert browser.post(f"/console/scripts/{uuid}/review", {"status": "APPROVED"}, csrf=False).status_code == 403
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Script).where(Script.name == "no_csrf")) == 0
        assert (
            session.scalar(select(func.count()).select_from(ScriptVersion).where(ScriptVersion.script_uuid == uuid))
            == 1
        )


def test_a_second_user_approves_through_the_review_queue(make_browser: Callable[..., Browser], db: Database) -> None:
    author = make_browser()
    assert author.sign_in().status_code == 303
    reviewer = make_browser(tenant=author.tenant, user="bob")
    assert reviewer.sign_in().status_code == 303
    uuid = create(author, reviewers=user_id(author, "bob"))
    assert "Needs approval" in author.get("/console/scripts").text
    # the author is not a reviewer: the service refuses, the page says so
    refused = author.post(f"/console/scripts/{uuid}/review", {"status": "APPROVED"})
    assert refused.status_code == 200 and "not a reviewer" in refused.text
    queue = reviewer.get("/console/scripts/review").text
    assert f"/console/scripts/{uuid}" in queue
    assert reviewer.post(f"/console/scripts/{uuid}/review", {"status": "APPROVED", "comments": "ok"}).status_code == 303
    with db.read() as session:
        review = session.scalars(select(ScriptReview).where(ScriptReview.script_uuid == uuid)).one()
        assert (review.reviewer_name, review.status, review.comments) == ("bob", "APPROVED", "ok")
        assert session.scalar(select(Script.status).where(Script.script_uuid == uuid)) == "APPROVED"
    assert "bob</b> approved" in author.get(f"/console/scripts/{uuid}").text


def test_another_tenants_script_is_a_404_page(make_browser: Callable[..., Browser], browser: Browser) -> None:
    uuid = create(browser)
    other = make_browser()
    assert other.sign_in().status_code == 303
    for path in ("", "/edit", "/run", "/diff?old=1&new=1"):
        answer = other.get(f"/console/scripts/{uuid}{path}")
        assert answer.status_code == 404, path
        assert "text/html" in answer.headers["content-type"]
    assert other.post(f"/console/scripts/{uuid}", {**NEW, "content": "echo mine"}).status_code == 404
    assert other.get("/console/scripts/not-a-uuid").status_code == 404


def test_every_parameter_row_masks_its_value_once_marked_sensitive(browser: Browser) -> None:
    form = browser.get("/console/scripts/new").text
    boxes = re.findall(r'<input type="checkbox" id="param_sensitive_(\d+)"[^>]*data-masks="([^"]+)"', form)
    assert boxes, "the sensitive boxes name the value they mask (console.js masks it as it is checked)"
    for n, masked in boxes:
        assert masked == f"param_value_{n}"
        assert f'id="param_value_{n}"' in form
    again = browser.post("/console/scripts", {**NEW, "name": ""}).text  # refused: the form comes back
    assert re.search(r'<input id="param_value_2" name="param_value_2"[^>]*type="password"', again)
    assert not re.search(r'<input id="param_value_1" name="param_value_1"[^>]*type="password"', again)
