"""The registry: throttled last-seen times, and presence for as long as a request is open."""

from opencoc.agents.models import Agent
from opencoc.agents.registry import AgentRegistry, KnownAgent, facts_digest, present_refresh_ms, write_interval_ms


def _agent(last_seen: int) -> KnownAgent:
    return KnownAgent.of(Agent(id=7, agent_sn="sn-7", secret_hash="0" * 64, last_seen_at=last_seen, facts={}))


def test_touch_writes_at_most_once_per_interval() -> None:
    registry, agent = AgentRegistry(), _agent(0)
    registry.touch(agent, 10_000, 2000)
    registry.touch(agent, 11_000, 2000)
    assert registry.drain() == {7: 10_000}
    registry.touch(agent, 12_500, 2000)
    assert registry.drain() == {7: 12_500} and registry.drain() == {}


def test_an_open_request_keeps_the_agent_alive_until_it_ends() -> None:
    registry = AgentRegistry()
    agent = registry.put(
        Agent(id=7, agent_sn="sn-7", secret_hash="0" * 64, last_seen_at=0, facts={}), registry.forgotten
    )
    first, second = registry.present(agent), registry.present(agent)
    registry.refresh_present(10_000, 5000)
    assert registry.drain() == {7: 10_000}
    first.end()
    first.end()  # ending twice does not end the other request
    registry.refresh_present(20_000, 5000)
    assert registry.drain() == {7: 20_000}
    second.end()
    registry.refresh_present(30_000, 5000)
    assert registry.drain() == {}


def test_intervals_are_a_quarter_of_the_offline_threshold() -> None:
    assert (write_interval_ms(60), present_refresh_ms(60)) == (15_000, 15_000)  # the default: OFFLINE after 60 s
    assert (write_interval_ms(2), present_refresh_ms(2)) == (500, 500)


def test_it_keeps_a_digest_of_the_facts_that_ignores_key_order() -> None:
    registry = AgentRegistry()
    known = registry.put(
        Agent(id=7, agent_sn="sn-7", secret_hash="0" * 64, last_seen_at=0, facts={"a": 1, "b": [2]}), registry.forgotten
    )
    assert registry.get("sn-7") is known and not hasattr(known, "__dict__"), "a slotted record, not the row"
    assert known.facts_digest == facts_digest({"b": [2], "a": 1}) != facts_digest({"a": 1, "b": [3]})


def test_rows_read_before_a_revocation_are_not_kept_but_rows_read_after_are() -> None:
    registry = AgentRegistry()
    registry.put_all([_agent(5)], registry.forgotten)  # an enrolment batch's new agents
    assert registry.get("sn-7") == _agent(5)
    before = registry.forgotten  # taken before a read (a request's, a heartbeat's write, the warm-up's)
    registry.forget("sn-7")  # a revocation's wake-up while that read runs
    row = Agent(id=7, agent_sn="sn-7", secret_hash="0" * 64, last_seen_at=9, facts={})
    assert registry.put(row, before) == _agent(9), "the request still gets what it read"
    registry.put_all([_agent(9)], before)
    registry.keep_all([_agent(9)], before)
    assert registry.get("sn-7") is None, "its next request reads its row (and a revoked one is refused)"
    registry.keep_all([_agent(9)], registry.forgotten)
    registry.keep_all([_agent(11)], registry.forgotten)  # the warm-up does not replace a fresher row
    assert registry.get("sn-7") == _agent(9)
    registry.put(Agent(id=7, agent_sn="sn-7", secret_hash="0" * 64, last_seen_at=12, facts={}), registry.forgotten)
    assert registry.get("sn-7") == _agent(12)
