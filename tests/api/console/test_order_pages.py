"""Running a script from the console and the order view over HTTP: the run form, operations with only the
valid buttons, host logs with the agent's truncation, CSRF, other tenants, and the shared live feed."""

import asyncio
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, func, select

from opencoc.console.pages import orders as order_pages
from opencoc.core.db import Database
from opencoc.core.wakeups import Wakeups
from opencoc.jobs.models import ScriptOrder
from tests.api.agents.helpers import Enrolled, enroll, enroll_token
from tests.api.console.conftest import Browser
from tests.api.console.test_script_pages import SECRET, create

TASKS = "/opencoc/v1/agent/tasks"


@dataclass
class Setup:
    browser: Browser
    hosts: list[Enrolled]
    script_uuid: str


@pytest.fixture
def setup(browser: Browser, client: TestClient, db: Database) -> Setup:
    @dataclass(frozen=True)
    class _Tenant:
        name: str

    token = enroll_token(db, _Tenant(browser.tenant))  # type: ignore[arg-type]
    hosts = [enroll(client, token, hostname=f"web-{i}", fixed_ip=f"10.1.0.{i}", region_id="eu-1") for i in (1, 2)]
    return Setup(browser, hosts, create(browser, name=f"run_me_{id(hosts) % 100000}"))


def run(setup: Setup, csrf: bool = True, **fields: str) -> Any:
    data: dict[str, Any] = {
        "hosts": [h.resource_id for h in setup.hosts],
        "batch_size": "1",
        "success_rate": "100",
        "timeout": "60",
        "execute_user": "root",
        "param_SERVICE": "httpd",
        "pause": "true",
        **fields,
    }
    if csrf:
        data["csrf_token"] = setup.browser.csrf()
    return setup.browser.client.post(f"/console/scripts/{setup.script_uuid}/run", data=data)


def start(setup: Setup, **fields: str) -> str:
    answer = run(setup, **fields)
    assert answer.status_code == 303, answer.text
    return str(answer.headers["location"].rsplit("/", 1)[1])


def orders(db: Database, script_uuid: str) -> int:
    with db.read() as session:
        return (
            session.scalar(select(func.count()).select_from(ScriptOrder).where(ScriptOrder.script_uuid == script_uuid))
            or 0
        )


def buttons(html: str) -> dict[str, bool]:
    """Operation button -> enabled."""
    found = re.findall(r'<button type="submit" name="operation" value="(\w+)"( disabled)?', html)
    return {op: not disabled for op, disabled in found}


def agent_runs(client: TestClient, host: Enrolled, output: str, status: str = "FINISHED") -> None:
    tasks = client.get(TASKS, params={"wait": 0}, headers=host.headers).json()["tasks"]
    assert len(tasks) == 1
    assert tasks[0]["params"][1]["value"] == SECRET  # the agent gets the stored secret; pages never do
    answer = client.post(
        f"{TASKS}/{tasks[0]['task_id']}/result",
        json={"status": status, "exit_code": 0, "output": output},
        headers=host.headers,
    )
    assert answer.json() == {"accepted": True}


def test_a_two_batch_order_pauses_continues_and_shows_only_valid_operations(
    setup: Setup, client: TestClient, db: Database
) -> None:
    uuid = start(setup)
    listed = setup.browser.get("/console/orders?status=PROCESSING")
    assert listed.status_code == 200 and f"/console/orders/{uuid}" in listed.text
    assert f"/console/orders/{uuid}" not in setup.browser.get("/console/orders?status=FINISHED").text
    view = setup.browser.get(f"/console/orders/{uuid}").text
    assert "web-1" in view and "web-2" in view and "Batch 2" in view
    assert SECRET not in view
    assert buttons(view) == {
        "PAUSE_ORDER": True,
        "CONTINUE_ORDER": False,
        "CANCEL_ORDER": True,
        "SKIP_BATCH": True,
        "RETRY_FAILED": False,
    }
    agent_runs(client, setup.hosts[0], "starting\nrestarted httpd\n")
    paused = setup.browser.get(f"/console/orders/{uuid}").text  # batch 1 pauses before batch 2
    assert 'data-status="PAUSED"' in paused and "restarted httpd" in paused
    assert buttons(paused)["CONTINUE_ORDER"] and not buttons(paused)["PAUSE_ORDER"]
    assert setup.browser.post(f"/console/orders/{uuid}/operation", {"operation": "CONTINUE_ORDER"}).status_code == 303
    agent_runs(client, setup.hosts[1], "done\n")
    finished = setup.browser.get(f"/console/orders/{uuid}").text
    assert 'data-status="FINISHED"' in finished
    assert not any(buttons(finished).values())


def test_a_refused_operation_is_shown_on_the_page(setup: Setup) -> None:
    uuid = start(setup)
    answer = setup.browser.post(f"/console/orders/{uuid}/operation", {"operation": "CONTINUE_ORDER"})
    assert answer.status_code == 200
    assert "CONTINUE_ORDER is not allowed: order status is PROCESSING" in answer.text


def test_the_run_form_shows_the_apis_message_at_the_field(setup: Setup, db: Database) -> None:
    no_hosts = run(setup, hosts=[])  # type: ignore[arg-type]
    assert no_hosts.status_code == 200 and re.search(r'id="hosts-error">hosts: choose at least one host', no_hosts.text)
    short = run(setup, timeout="1")
    assert short.status_code == 200 and re.search(r'id="timeout-error">[^<]*timeout', short.text)
    big = run(setup, batch_size="11")
    assert big.status_code == 200 and re.search(r'id="batch_size-error">batch_size must be', big.text)
    assert SECRET not in no_hosts.text + short.text + big.text
    assert orders(db, setup.script_uuid) == 0


def test_the_host_filter_keeps_the_chosen_hosts(setup: Setup) -> None:
    answer = run(setup, action="filter", f_name="web-2", hosts=[setup.hosts[0].resource_id])  # type: ignore[arg-type]
    assert answer.status_code == 200
    assert "web-2" in answer.text and ">web-1<" not in answer.text
    assert f'<input type="hidden" name="hosts" value="{setup.hosts[0].resource_id}">' in answer.text


def test_posts_without_the_csrf_token_change_nothing(setup: Setup, db: Database) -> None:
    assert run(setup, csrf=False).status_code == 403
    assert orders(db, setup.script_uuid) == 0
    uuid = start(setup)
    refused = setup.browser.post(f"/console/orders/{uuid}/operation", {"operation": "CANCEL_ORDER"}, csrf=False)
    assert refused.status_code == 403
    with db.read() as session:
        assert session.scalar(select(ScriptOrder.status).where(ScriptOrder.execute_uuid == uuid)) == "PROCESSING"


def test_the_host_log_says_when_the_agent_cut_the_output(setup: Setup, client: TestClient) -> None:
    uuid = start(setup, hosts=[setup.hosts[0].resource_id])  # type: ignore[arg-type]
    agent_runs(client, setup.hosts[0], "head\n\n...[123456 bytes truncated]...\ntail line\n")
    view = setup.browser.get(f"/console/orders/{uuid}").text
    log_path = re.search(rf'href="(/console/orders/{uuid}/hosts/\d+)">Log of web-1', view)
    assert log_path
    log = setup.browser.get(log_path[1]).text
    assert "123,456 bytes in the middle were dropped" in log and "tail line" in log


def test_another_tenants_order_is_a_404_page(setup: Setup, make_browser: Callable[..., Browser]) -> None:
    uuid = start(setup)
    view = setup.browser.get(f"/console/orders/{uuid}").text
    log_path = re.search(r'href="(/console/orders/\w+/hosts/\d+)"', view)
    assert log_path
    other = make_browser()
    assert other.sign_in().status_code == 303
    for path in (f"/console/orders/{uuid}", f"/console/orders/{uuid}/events", log_path[1]):
        assert other.get(path).status_code == 404, path
    assert other.post(f"/console/orders/{uuid}/operation", {"operation": "CANCEL_ORDER"}).status_code == 404
    assert other.get(f"/console/scripts/{setup.script_uuid}/run").status_code == 404
    assert "PROCESSING" in setup.browser.get(f"/console/orders/{uuid}").text


def test_order_changes_are_announced_on_the_orders_wake_up_key(setup: Setup, db: Database) -> None:
    announced: list[str] = []
    before = db.on_commit
    db.on_commit = lambda key: (announced.append(key), before and before(key))  # type: ignore[func-returns-value]
    try:
        uuid = start(setup)
        with db.read() as session:
            order_id = session.scalar(select(ScriptOrder.id).where(ScriptOrder.execute_uuid == uuid))
        assert f"order:{order_id}" in announced
        announced.clear()
        assert setup.browser.post(f"/console/orders/{uuid}/operation", {"operation": "PAUSE_ORDER"}).status_code == 303
        assert f"order:{order_id}" in announced
    finally:
        db.on_commit = before


@dataclass(frozen=True)
class _Caller:
    tenant_id: int


@dataclass(frozen=True)
class _Me:
    caller: _Caller


@pytest.fixture
def statements(db: Database) -> Iterator[list[str]]:
    """Every SQL statement the database runs while the test does."""
    seen: list[str] = []
    engines = {db.read_engine, db.write_engine}

    def count(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    for engine in engines:
        event.listen(engine, "before_cursor_execute", count)
    yield seen
    for engine in engines:
        event.remove(engine, "before_cursor_execute", count)


def test_many_viewers_of_an_order_share_one_feed_and_poll_nothing(
    setup: Setup, db: Database, statements: list[str]
) -> None:
    uuid = start(setup)
    with db.read() as session:
        order = session.scalars(select(ScriptOrder).where(ScriptOrder.execute_uuid == uuid)).one()
    viewers, events = 8, 3

    async def watch() -> tuple[int, list[list[str]]]:
        wakeups = Wakeups()
        wakeups.bind(asyncio.get_running_loop())
        me = _Me(_Caller(order.tenant_id))
        streams = []
        for _ in range(viewers):
            answer = await order_pages.order_events(None, uuid, me, db, wakeups)  # type: ignore[arg-type]
            streams.append(answer.body_iterator)  # type: ignore[union-attr]
        for s in streams:
            assert await anext(s) == "retry: 3000\n\nevent: changed\ndata: {}\n\n"  # catch up once
        statements.clear()  # each viewer found the order once; from here on nothing may touch the database
        got: list[list[str]] = [[] for _ in streams]
        for _ in range(events):
            pending = [asyncio.ensure_future(anext(s)) for s in streams]
            await asyncio.sleep(0)
            assert wakeups._waiters[f"order:{order.id}"], "the viewers wait on the order's key"
            wakeups.notify(f"order:{order.id}")
            for i, task in enumerate(pending):
                got[i].append(await task)
        wakeups.close()
        return len(statements), got

    queries, got = asyncio.run(watch())
    assert got == [["event: changed\ndata: {}\n\n"] * events] * viewers
    assert queries == 0


def host_reads(statements: list[str]) -> list[str]:
    """The order view's reads of its hosts and their logs (the jobs sweep's reads of script_instances run beside)."""
    return [s for s in statements if "FROM script_instances LEFT OUTER JOIN instance_outputs" in s]


def test_views_of_an_unchanged_order_read_it_once_and_a_change_shows_at_once(
    setup: Setup, client: TestClient, statements: list[str]
) -> None:
    uuid = start(setup)
    assert "web-1" in setup.browser.get(f"/console/orders/{uuid}").text
    statements.clear()
    for _ in range(5):
        assert 'data-status="PROCESSING"' in setup.browser.get(f"/console/orders/{uuid}").text
    assert not host_reads(statements), "the unchanged order's hosts were read again"
    agent_runs(client, setup.hosts[0], "restarted httpd\n")
    changed = setup.browser.get(f"/console/orders/{uuid}").text
    assert 'data-status="PAUSED"' in changed and "restarted httpd" in changed
    assert host_reads(statements)
