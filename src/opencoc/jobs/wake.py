"""Wake-ups of the jobs domain: agents' long-polls (jobs/feed.py) and live views of an order.

Agents are woken by the route once their work is committed (`wake_agents`); a change to an
order or its instances announces `order_key` after its commit (`changed`), so every open view of
that order (console/pages/orders.py) shares one wake-up and none polls the database.
"""

from collections.abc import Iterable

from sqlalchemy.orm import Session

from opencoc.core.db import wake_after_commit
from opencoc.core.wakeups import Wakeups

AGENT_PREFIX = "agent:"


def agent_key(agent_sn: str) -> str:
    return AGENT_PREFIX + agent_sn


def wake_agents(wakeups: Wakeups, agent_sns: Iterable[str]) -> None:
    """Wake the agents' polls here and, through the relay, on the other replicas."""
    for agent_sn in agent_sns:
        wakeups.notify(agent_key(agent_sn))


def order_key(order_id: int) -> str:
    return f"order:{order_id}"


def changed(session: Session, order_id: int) -> None:
    """Announce, once the transaction commits, that the order or one of its instances changed."""
    wake_after_commit(session, order_key(order_id))
