"""Wake-ups: in-process, and relayed between replicas through PostgreSQL NOTIFY."""

import asyncio

import psycopg
import pytest
from sqlalchemy import create_engine, text

from harness.polling import wait_for
from harness.postgres import PgServer
from opencoc.core.pg_relay import CHANNEL, PAYLOAD_MAX, PgRelay, keys_of, payloads
from opencoc.core.wakeups import Wakeups


def test_notify_wakes_only_the_waiters_of_that_key() -> None:
    async def scenario() -> tuple[bool, bool]:
        wakeups = Wakeups()
        wakeups.bind(asyncio.get_running_loop())
        woken = asyncio.create_task(wakeups.wait("agent:a", 30))
        other = asyncio.create_task(wakeups.wait("agent:b", 30))
        await asyncio.sleep(0)  # one turn of the loop: both tasks are now waiting
        wakeups.notify("agent:a")
        first = await asyncio.wait_for(woken, 5)
        still_waiting = not other.done()
        other.cancel()
        return first, still_waiting

    assert asyncio.run(scenario()) == (True, True)


def test_a_waiter_nobody_notifies_is_told_so_at_its_timeout() -> None:
    async def scenario() -> bool:
        wakeups = Wakeups()
        wakeups.bind(asyncio.get_running_loop())
        return await wakeups.wait("agent:a", 0.01)

    assert asyncio.run(scenario()) is False


def test_a_listener_hears_any_of_its_keys_and_keeps_what_came_while_it_was_busy() -> None:
    async def scenario() -> tuple[bool, bool, bool, int]:
        wakeups = Wakeups()
        wakeups.bind(asyncio.get_running_loop())
        with wakeups.listening(("warrooms:1", "incidents:1")) as changes:
            wakeups.notify("incidents:1")  # nobody waits yet: kept for the next wait
            kept = await changes.wait(5)
            quiet = await changes.wait(0.01)
            wakeups.notify("warrooms:2")  # another key: not heard
            other = await changes.wait(0.01)
        return kept, quiet, other, len(wakeups._waiters)

    assert asyncio.run(scenario()) == (True, False, False, 0)


def _listeners(url: str) -> int:
    """Connections to this database that hold a LISTEN on the wake-up channel."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            query = text("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = :q")
            return int(conn.scalar(query, {"q": f"LISTEN {CHANNEL}"}) or 0)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_relay_wakes_a_waiter_of_another_replica(pg_server: PgServer | None) -> None:
    if pg_server is None:
        pytest.skip("PostgreSQL is not available (set OPENCOC_TEST_POSTGRES=required to insist)")
    url = pg_server.create_database("wakeup_relay")

    async def scenario() -> bool:
        loop = asyncio.get_running_loop()
        here, there = Wakeups(), Wakeups()
        here.bind(loop)
        there.bind(loop)
        relays = [PgRelay(url, here), PgRelay(url, there)]
        here.relay, there.relay = relays
        for relay in relays:
            relay.start()
        try:
            waiting = asyncio.create_task(there.wait("agent:x", 10))
            await asyncio.to_thread(wait_for, lambda: _listeners(url) == 2, "both relays to LISTEN")
            here.notify("agent:x")
            return await waiting
        finally:
            for relay in relays:
                relay.stop()

    assert asyncio.run(scenario()) is True


@pytest.mark.postgres
def test_a_replica_gets_each_key_once_its_own_not_echoed_back_and_other_sessions_keys_relayed(
    pg_server: PgServer | None,
) -> None:
    if pg_server is None:
        pytest.skip("PostgreSQL is not available (set OPENCOC_TEST_POSTGRES=required to insist)")
    url = pg_server.create_database("wakeup_echo")
    engine = create_engine(url)

    def send_from_another_session(key: str) -> None:  # as a revocation's transaction or the admin CLI does
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_notify(:channel, :key)"), {"channel": CHANNEL, "key": key})

    async def scenario() -> tuple[list[str], list[str]]:
        loop = asyncio.get_running_loop()
        here, there = Wakeups(), Wakeups()
        seen: dict[str, list[str]] = {"here": [], "there": []}
        for name, wakeups in (("here", here), ("there", there)):
            wakeups.bind(loop)
            wakeups.subscribe("k:", seen[name].append)
        relays = [PgRelay(url, here), PgRelay(url, there)]
        here.relay, there.relay = relays
        for relay in relays:
            relay.start()
        try:
            await asyncio.to_thread(wait_for, lambda: _listeners(url) == 2, "both relays to LISTEN")
            here.notify("k:1")
            await asyncio.to_thread(wait_for, lambda: seen["there"] == ["1"], "the key at the other replica")
            # sent after k:1 was committed, so each listener gets it after any echo of k:1
            await asyncio.to_thread(send_from_another_session, "k:2")
            await asyncio.to_thread(wait_for, lambda: "2" in seen["here"] and "2" in seen["there"], "k:2 at both")
            return seen["here"], seen["there"]
        finally:
            for relay in relays:
                relay.stop()

    try:
        assert asyncio.run(scenario()) == (["1", "2"], ["1", "2"])
    finally:
        engine.dispose()


def test_keys_go_in_json_arrays_under_the_payload_limit_and_come_back_the_same() -> None:
    keys = [f"agent:{n:04d}-" + "x" * 60 for n in range(500)] + ['k:"quoted"', "k:[bracket", "k:new\nline"]
    sent = list(payloads(keys))
    assert len(sent) > 1
    assert all(len(payload.encode()) <= PAYLOAD_MAX for payload in sent)
    assert [key for payload in sent for key in keys_of(payload)] == keys


def test_a_payload_that_is_not_an_array_of_keys_is_one_key() -> None:
    assert keys_of("revoked:agent:abc") == ["revoked:agent:abc"]
    assert keys_of("[not json") == ["[not json"]
    assert keys_of("[1, 2]") == ["[1, 2]"]
    assert keys_of('["a", "b"]') == ["a", "b"]


def test_a_send_that_fails_unexpectedly_does_not_stop_the_keys_published_after_it() -> None:
    relay = PgRelay("postgresql+psycopg://nobody@127.0.0.1:1/none", Wakeups())
    sent: list[list[str]] = []

    def send(keys: list[str]) -> None:  # stands in for the PostgreSQL round trip
        sent.append(keys)
        if len(sent) == 1:
            raise RuntimeError("unexpected")

    relay._send = send  # type: ignore[method-assign]
    try:
        relay.publish("k:1")
        wait_for(lambda: sent == [["k:1"]] and not relay._sending, "the failed send to end")
        relay.publish("k:2")
        wait_for(lambda: len(sent) == 2, "the next key to be sent")
    finally:
        relay.stop()
    assert sent == [["k:1"], ["k:2"]]


@pytest.mark.postgres
def test_keys_published_together_share_notifications_and_each_reaches_the_other_replica_once(
    pg_server: PgServer | None,
) -> None:
    if pg_server is None:
        pytest.skip("PostgreSQL is not available (set OPENCOC_TEST_POSTGRES=required to insist)")
    url = pg_server.create_database("wakeup_burst")
    keys = [f"k:{n}" for n in range(300)] + ['k:"quoted"', "k:[bracket", "k:new\nline"]

    async def scenario() -> tuple[list[str], int]:
        loop = asyncio.get_running_loop()
        here, there = Wakeups(), Wakeups()
        seen: list[str] = []
        for wakeups in (here, there):
            wakeups.bind(loop)
        there.subscribe("k:", seen.append)
        relays = [PgRelay(url, here), PgRelay(url, there)]
        here.relay, there.relay = relays
        counter = await psycopg.AsyncConnection.connect(url.replace("+psycopg", ""), autocommit=True)
        await counter.execute(f"LISTEN {CHANNEL}")
        for relay in relays:
            relay.start()
        try:
            await asyncio.to_thread(wait_for, lambda: _listeners(url) == 3, "both relays and the counter to LISTEN")
            for key in keys:
                here.notify(key)
            await asyncio.to_thread(wait_for, lambda: len(seen) >= len(keys), "every key at the other replica")
            notifications = 0
            async for _note in counter.notifies(timeout=0.5):
                notifications += 1
            return seen, notifications
        finally:
            for relay in relays:
                relay.stop()
            await counter.close()

    seen, notifications = asyncio.run(scenario())
    assert seen == [key.removeprefix("k:") for key in keys]
    assert 1 <= notifications <= 10


def test_subscriber_gets_the_rest_of_each_key_with_its_prefix() -> None:
    async def scenario() -> list[str]:
        wakeups = Wakeups()
        wakeups.bind(asyncio.get_running_loop())
        seen: list[str] = []
        wakeups.subscribe("revoked:key:", seen.append)
        wakeups.notify("revoked:key:AK1")
        wakeups.notify("revoked:agent:sn1")
        wakeups.notify("agent:sn1")
        return seen

    assert asyncio.run(scenario()) == ["AK1"]


def test_listeners_sharing_a_key_are_each_woken_and_each_forgotten_alone() -> None:
    async def scenario() -> tuple[bool, bool, bool, bool]:
        wakeups = Wakeups()
        wakeups.bind(asyncio.get_running_loop())
        with wakeups.listening(["agent:a"]) as first:
            with wakeups.listening(["agent:a"]) as second:
                wakeups.notify("agent:a")
                both = await first.wait(1) and await second.wait(1)
            wakeups.notify("agent:a")  # `second` left: `first` alone still hears the key
            first_alone = await first.wait(1)
            second_deaf = await second.wait(0.01) is False
        wakeups.notify("agent:a")  # nobody listens any more: nothing is kept for the key
        return both, first_alone, second_deaf, wakeups._listeners("agent:a") == ()

    assert asyncio.run(scenario()) == (True, True, True, True)
