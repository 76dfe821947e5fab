"""Waking agents' long-polls (jobs/feed.py) once work for them is committed."""

from collections.abc import Iterable

from opencoc.core.wakeups import Wakeups


def agent_key(agent_sn: str) -> str:
    return f"agent:{agent_sn}"


def wake_agents(wakeups: Wakeups, agent_sns: Iterable[str]) -> None:
    """Wake the agents' polls here and, through the relay, on the other replicas."""
    for agent_sn in agent_sns:
        wakeups.notify(agent_key(agent_sn))
