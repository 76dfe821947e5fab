"""Wake-ups: in-process, and relayed between replicas through PostgreSQL NOTIFY."""

import asyncio

import pytest

from harness.postgres import PgServer
from opencoc.core.pg_relay import PgRelay
from opencoc.core.wakeups import Wakeups


def test_notify_wakes_only_the_waiters_of_that_key() -> None:
    async def scenario() -> tuple[bool, bool]:
        wakeups = Wakeups()
        wakeups.bind(asyncio.get_running_loop())
        woken = asyncio.create_task(wakeups.wait("agent:a", 5))
        other = asyncio.create_task(wakeups.wait("agent:b", 0.2))
        await asyncio.sleep(0.05)
        wakeups.notify("agent:a")
        return await woken, await other

    assert asyncio.run(scenario()) == (True, False)


def test_relay_wakes_a_waiter_of_another_replica(pg_server: PgServer | None) -> None:
    if pg_server is None:
        pytest.skip("PostgreSQL is not available")
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
            while not waiting.done():  # the listener may still be connecting: keep notifying
                here.notify("agent:x")
                await asyncio.sleep(0.2)
            return await waiting
        finally:
            for relay in relays:
                relay.stop()

    assert asyncio.run(scenario()) is True


def test_subscriber_gets_the_rest_of_each_key_with_its_prefix() -> None:
    async def scenario() -> list[str]:
        wakeups = Wakeups()
        wakeups.bind(asyncio.get_running_loop())
        seen: list[str] = []
        wakeups.subscribe("revoked:key:", seen.append)
        wakeups.notify("revoked:key:AK1")
        wakeups.notify("revoked:agent:sn1")
        wakeups.notify("agent:sn1")
        await asyncio.sleep(0)
        return seen

    assert asyncio.run(scenario()) == ["AK1"]
