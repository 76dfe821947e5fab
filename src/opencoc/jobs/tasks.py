"""The agent's side of an instance: which tasks and cancels are due, handing them out, results.

These run on every poll and every result, so they are prebuilt Core statements rather than ORM
queries, and each serves many agents at once (jobs/groups.py): one UPDATE ... RETURNING hands
out the due tasks of every poll woken together, and the results that arrive together are applied
in one transaction, each order moving on once. An order is loaded as objects only when its last
running instance ended and it must move on.
"""

import re
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, or_, select, update
from sqlalchemy.orm import Session

from opencoc.core.crypto import Cipher
from opencoc.core.errors import OpenCOCError
from opencoc.jobs import dispatcher, wake
from opencoc.jobs import statuses as st
from opencoc.jobs.models import InstanceOutput, ScriptInstance, ScriptOrder
from opencoc.jobs.schemas import MAX_ERROR, TaskResult
from opencoc.scripts import service as scripts_service

CANCEL_RESEND_MS = 5000  # a cancel not yet answered is sent again after this long
TASK_ID = re.compile(r"[0-9a-f]{32}")  # dispatcher.py: secrets.token_hex(16)

_I = cast(Table, ScriptInstance.__table__)
_O = cast(Table, ScriptOrder.__table__)

_HAND_OUT = (
    update(_I)
    .where(_I.c.agent_sn.in_(bindparam("sns", expanding=True)), _I.c.status == st.READY, _I.c.queued_at.is_not(None))
    .values(status=st.PROCESSING, started_at=bindparam("now"))
    .returning(_I.c.agent_sn, _I.c.task_id, _I.c.order_id)
)
_SEND_CANCELS = (
    update(_I)
    .where(
        _I.c.agent_sn.in_(bindparam("sns", expanding=True)),
        _I.c.status == st.PROCESSING,
        _I.c.cancel_requested.is_(True),
        or_(_I.c.cancel_sent_at.is_(None), _I.c.cancel_sent_at < bindparam("resend_before")),
    )
    .values(cancel_sent_at=bindparam("now"))
    .returning(_I.c.agent_sn, _I.c.task_id)
)
_ORDER_SPEC = select(_O.c.id, _O.c.script_type, _O.c.content, _O.c.params, _O.c.execute_user, _O.c.timeout).where(
    _O.c.id.in_(bindparam("ids", expanding=True))
)
_FIND_TASKS = select(_I.c.task_id, _I.c.agent_sn, _I.c.id, _I.c.order_id).where(
    _I.c.task_id.in_(bindparam("task_ids", expanding=True))
)
# Ascending ids: two transactions locking the same orders take them in the same order (PostgreSQL).
_LOCK_ORDERS = (
    select(_O.c.id, _O.c.status)
    .where(_O.c.id.in_(bindparam("ids", expanding=True)))
    .order_by(_O.c.id)
    .with_for_update()
)
_END_RUN = (
    update(_I)
    .where(_I.c.id == bindparam("inst_id"), _I.c.status == st.PROCESSING, _I.c.task_id == bindparam("run_id"))
    .values(
        status=bindparam("new_status"),
        exit_code=bindparam("code"),
        error=bindparam("reason"),
        gmt_finished=bindparam("now"),
        cancel_requested=False,
    )
)
_SAVE_OUTPUTS = insert(cast(Table, InstanceOutput.__table__))


@dataclass
class Feed:
    tasks: list[dict[str, Any]] = field(default_factory=list)
    cancel: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.tasks or self.cancel)


@dataclass(frozen=True, slots=True)
class Reported:
    """A result as an agent posted it."""

    agent_sn: str
    task_id: str
    result: TaskResult


def not_found(task_id: str) -> OpenCOCError:
    return OpenCOCError("COC.00000404", f"task {task_id[:64]} not found", status=404)


def _task(task_id: str, spec: Any, cipher: Cipher) -> dict[str, Any]:
    """What the agent runs. A PYTHON script's placeholders are placed here, by the server, so that
    the agent gets text it runs as is (SHELL parameters are exported to the environment by the agent)."""
    params = [
        {
            "name": p["param_name"],
            "value": cipher.decrypt(p["param_value"]) if p["sensitive"] else p["param_value"],
            "sensitive": p["sensitive"],
        }
        for p in spec.params
    ]
    content = scripts_service.runnable(spec.script_type, spec.content, {p["name"]: p["value"] for p in params})
    return {
        "task_id": task_id,
        "script_type": spec.script_type,
        "content": content,
        "params": params,
        "execute_user": spec.execute_user,
        "timeout": spec.timeout,
    }


def claim(session: Session, *, agent_sns: list[str], cipher: Cipher, now: int, grace: float) -> dict[str, Feed]:
    """Hand out these agents' due tasks (READY -> PROCESSING, each exactly once) and their cancels, with one
    statement each for all of them; agents with nothing get no entry."""
    feeds: dict[str, Feed] = {}
    handed = session.execute(_HAND_OUT, {"sns": agent_sns, "now": now}).all()
    cancels = session.execute(_SEND_CANCELS, {"sns": agent_sns, "now": now, "resend_before": now - CANCEL_RESEND_MS})
    for agent_sn, task_id in cancels:
        feeds.setdefault(agent_sn, Feed()).cancel.append(task_id)
    if not handed:
        return feeds
    for order_id in {o for _, _, o in handed}:  # their instances are now running
        wake.changed(session, order_id)
    specs = {row.id: row for row in session.execute(_ORDER_SPEC, {"ids": sorted({o for _, _, o in handed})})}
    unplaced: list[Reported] = []
    for agent_sn, task_id, order_id in handed:
        try:
            task = _task(task_id, specs[order_id], cipher)
        except scripts_service.PlacementError as exc:
            # Create, modify and execute refuse such scripts; a retry of an order made before
            # that rule gets here. It ends now (agents it wakes are found by the jobs sweep).
            failed = TaskResult(status="ABNORMAL", error=f"parameters not placed: content {exc}"[:MAX_ERROR])
            unplaced.append(Reported(agent_sn, task_id, failed))
            continue
        feeds.setdefault(agent_sn, Feed()).tasks.append(task)
    if unplaced:
        report(session, unplaced, now=now, offline_after_s=grace)
    return feeds


def report(
    session: Session, reports: list[Reported], *, now: int, offline_after_s: float
) -> tuple[list[bool | OpenCOCError], set[str]]:
    """Apply agents' results exactly once, in one go: per result, accepted (False for a repeat) or a 404 for a
    task unknown to its agent; and the agents to wake. Each order moves on once, after all its results."""
    wanted = [r.task_id for r in reports if TASK_ID.fullmatch(r.task_id)]
    known = (
        {
            (task_id, sn): (inst_id, order_id)
            for task_id, sn, inst_id, order_id in session.execute(_FIND_TASKS, {"task_ids": sorted(set(wanted))})
        }
        if wanted
        else {}
    )
    order_ids = sorted({order_id for _, order_id in known.values()})
    statuses = dict(session.execute(_LOCK_ORDERS, {"ids": order_ids}).all()) if order_ids else {}
    outcomes: list[bool | OpenCOCError] = []
    outputs: list[dict[str, Any]] = []
    ended: set[int] = set()
    for r in reports:
        found = known.get((r.task_id, r.agent_sn))
        if found is None:
            outcomes.append(not_found(r.task_id))
            continue
        inst_id, order_id = found
        res = r.result
        values = {"new_status": res.status, "code": res.exit_code, "reason": res.error, "now": now}
        done = session.execute(_END_RUN, {"inst_id": inst_id, "run_id": r.task_id, **values})
        accepted = done.rowcount == 1  # type: ignore[attr-defined]
        outcomes.append(accepted)
        if accepted:
            outputs.append({"instance_id": inst_id, "output": res.output})
            ended.add(order_id)
    if outputs:
        session.execute(_SAVE_OUTPUTS, outputs)
    woken: set[str] = set()
    for order_id in sorted(ended):
        wake.changed(session, order_id)
        if statuses[order_id] != st.PROCESSING or dispatcher.active_count(session, order_id):
            continue
        woken |= dispatcher.advance(session, dispatcher.lock_order(session, order_id), now, offline_after_s)
    return outcomes, woken
