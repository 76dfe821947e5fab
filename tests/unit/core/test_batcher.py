"""Calls that arrive while a run is under way share the next run; each caller gets its own outcome."""

import asyncio

from opencoc.core.batcher import Batcher


class Boom(Exception):
    pass


def test_calls_arriving_during_a_run_share_the_next_and_each_gets_its_own_outcome() -> None:
    runs: list[list[int]] = []
    release = asyncio.Event()

    async def run(items: list[int]) -> list[int | BaseException]:
        runs.append(items)
        if len(runs) == 1:
            await release.wait()
        return [ValueError(n) if n < 0 else n * 10 for n in items]

    async def main() -> list[object]:
        batcher: Batcher[int, int] = Batcher(run)
        first = asyncio.ensure_future(batcher.submit(1))
        await asyncio.sleep(0)  # the first run has started and waits
        later = [asyncio.ensure_future(batcher.submit(n)) for n in (2, -3, 4)]
        await asyncio.sleep(0)
        release.set()
        return list(await asyncio.gather(first, *later, return_exceptions=True))

    outcomes = asyncio.run(main())
    assert runs == [[1], [2, -3, 4]]
    assert outcomes[0] == 10 and outcomes[1] == 20 and outcomes[3] == 40
    assert isinstance(outcomes[2], ValueError), "an item's own error goes to its caller only"


def test_a_failing_run_fails_its_callers_and_the_next_run_still_happens() -> None:
    async def run(items: list[int]) -> list[int | BaseException]:
        if 0 in items:
            raise Boom()
        return items

    async def main() -> tuple[object, int]:
        batcher: Batcher[int, int] = Batcher(run)
        failed = await asyncio.gather(batcher.submit(0), return_exceptions=True)
        return failed[0], await batcher.submit(5)

    failed, ok = asyncio.run(main())
    assert isinstance(failed, Boom)
    assert ok == 5


def test_a_run_takes_at_most_max_items() -> None:
    sizes: list[int] = []

    async def run(items: list[int]) -> list[int | BaseException]:
        sizes.append(len(items))
        await asyncio.sleep(0)
        return items

    async def main() -> list[int]:
        batcher: Batcher[int, int] = Batcher(run, max_items=2)
        return list(await asyncio.gather(*(batcher.submit(n) for n in range(5))))

    assert asyncio.run(main()) == [0, 1, 2, 3, 4]
    assert max(sizes) == 2 and sum(sizes) == 5


async def settle() -> None:
    """Let the tasks started so far run until they wait."""
    for _ in range(5):
        await asyncio.sleep(0)


def test_with_two_runs_at_once_a_call_during_a_run_starts_a_second_and_a_third_waits_for_either() -> None:
    started: list[list[int]] = []
    gates = {n: asyncio.Event() for n in (1, 2)}

    async def run(items: list[int]) -> list[int | BaseException]:
        started.append(items)
        if items[0] in gates:
            await gates[items[0]].wait()
        return [n * 10 for n in items]

    async def main() -> list[int]:
        batcher: Batcher[int, int] = Batcher(run, runs_at_once=2)
        first = asyncio.ensure_future(batcher.submit(1))
        await settle()
        second = asyncio.ensure_future(batcher.submit(2))
        await settle()
        assert started == [[1], [2]], "the second call did not wait for the first run"
        rest = [asyncio.ensure_future(batcher.submit(n)) for n in (3, 4)]
        await settle()
        assert started == [[1], [2]], "two runs are under way: the others wait"
        gates[2].set()
        outcomes = await asyncio.gather(second, *rest)
        assert started == [[1], [2], [3, 4]], "the run that ended took the waiting calls, the first still runs"
        gates[1].set()
        return [await first, *outcomes]

    assert asyncio.run(main()) == [10, 20, 30, 40]
