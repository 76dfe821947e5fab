"""Agents announced since their poll last looked: only they need a look at the database.

An agent's work is always announced on its key (`agent:<sn>`): by the write that made it, after
the commit (on every replica, through the relay), and again by every replica's jobs sweep once a
second for as long as it stays due (background.py). A poll waiting on the key wakes and claims; an
announcement that comes while the agent is between two polls is kept here, and its next poll
claims at once. A poll that starts with nothing kept therefore reads nothing: an idle fleet costs
the database nothing, and work is handed out at the latest one sweep after it became due.
A kept announcement expires after KEEP_S (the sweep makes it again while the work is due).
"""

from cachetools import TTLCache

KEEP_S = 120.0
MAX_KEPT = 200_000  # announcements for agents polling another replica come here too (the relay)


class Announced:
    """Kept on the event loop only (the wake-up subscribers and the polls run there)."""

    def __init__(self) -> None:
        self._kept: TTLCache[str, bool] = TTLCache(maxsize=MAX_KEPT, ttl=KEEP_S)

    def note(self, agent_sn: str) -> None:
        """The agent's key was announced (subscribed to the agents' key prefix by app.py)."""
        self._kept[agent_sn] = True

    def take(self, agent_sn: str) -> bool:
        """Whether the agent was announced since the last take."""
        return self._kept.pop(agent_sn, False)
