"""A starting batch's tasks handed out in the write that starts it, to the polls waiting on this replica.

One `HandOut` serves one write that may start batches (`TaskGroups.write`: results, an order's start,
an operation): the dispatcher gives it each batch it starts (`take`), and it reserves the waiting
polls of that batch's agents (jobs/parked.py), builds their tasks from the locked order and writes
them PROCESSING, started now (`dispatcher.new_runs`). After the commit the writer `deliver`s the
feeds; if the write fails it `release`s the polls. A task that cannot be built, and
an agent with no poll waiting here, get a due task instead, which their claim hands out (and ends,
with its reason, when it cannot be built).
"""

import secrets

from sqlalchemy.orm import Session

from opencoc.core.crypto import Cipher
from opencoc.jobs import dispatcher, tasks
from opencoc.jobs import statuses as st
from opencoc.jobs.models import ScriptOrder
from opencoc.jobs.parked import ParkedPolls, Spot


class HandOut:
    def __init__(self, parked: ParkedPolls, cipher: Cipher) -> None:
        self.parked = parked
        self.cipher = cipher
        self.held: dict[str, Spot] = {}  # the polls reserved, by agent
        self.feeds: dict[str, tasks.Feed] = {}  # what they get once the write has committed

    def take(self, session: Session, order: ScriptOrder, instances: list[tuple[int, str]], now: int) -> set[int]:
        """Hand out what it can of these (id, agent_sn) instances' new tasks: the ids it handed."""
        self.held |= self.parked.reserve({sn for _, sn in instances if sn not in self.held})
        handed: dict[int, str] = {}  # instance id -> its new task id
        for inst_id, agent_sn in instances:
            if agent_sn not in self.held:
                continue  # due instead: no poll of it waits here
            task_id = secrets.token_hex(16)
            try:
                task = tasks.build(task_id, order, self.cipher)
            except ValueError:
                continue  # due instead: the claim ends it with its reason
            handed[inst_id] = task_id
            self.feeds.setdefault(agent_sn, tasks.Feed()).tasks.append(task)
        if handed:
            dispatcher.new_runs(session, handed, st.PROCESSING, now)
        return set(handed)

    def deliver(self) -> None:
        """The write committed: the held polls get their feeds."""
        self.parked.deliver(self.held, self.feeds)

    def release(self) -> None:
        """The write failed: the held polls wait on, handed nothing."""
        self.parked.release(self.held)
