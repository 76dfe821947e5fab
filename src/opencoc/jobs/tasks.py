"""The agent's side of an instance: which tasks and cancels are due, handing them out, results.

These run on every poll and every result, so they are prebuilt Core statements rather than ORM
queries, and each serves many agents at once (jobs/groups.py): one UPDATE ... RETURNING hands
out the due tasks of every poll woken together, and the results that arrive together are applied
in one transaction, each order moving on once. An order is loaded as objects only when its last
running instance ended and it must move on.
"""

import functools
import re
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, and_, bindparam, case, insert, or_, select, update
from sqlalchemy.orm import Session

from opencoc.core.crypto import Cipher
from opencoc.core.errors import OpenCOCError
from opencoc.jobs import dispatcher, per_row, wake
from opencoc.jobs import statuses as st
from opencoc.jobs.models import InstanceOutput, ScriptInstance, ScriptOrder
from opencoc.jobs.order_specs import OrderSpecs
from opencoc.jobs.schemas import MAX_ERROR, TaskResult
from opencoc.scripts import service as scripts_service

CANCEL_RESEND_MS = 5000  # a cancel not yet answered is sent again after this long
TASK_ID = re.compile(r"[0-9a-f]{32}")  # dispatcher.py: secrets.token_hex(16)

_I = cast(Table, ScriptInstance.__table__)
_O = cast(Table, ScriptOrder.__table__)

_TASK_DUE = and_(_I.c.status == st.READY, _I.c.queued_at.is_not(None))
_CANCEL_DUE = and_(
    _I.c.status == st.PROCESSING,
    _I.c.cancel_requested.is_(True),
    or_(_I.c.cancel_sent_at.is_(None), _I.c.cancel_sent_at < bindparam("resend_before")),
)
# One statement hands out the agents' due tasks (READY -> PROCESSING, started now) and marks their due cancels
# sent; the SET expressions read the row as it was. A returned row with cancel_requested is a cancel: a task
# is due only after queue() cleared that flag, and only a running instance's cancel is requested.
_CLAIM = (
    update(_I)
    .where(_I.c.agent_sn.in_(bindparam("sns", expanding=True)), or_(_TASK_DUE, _CANCEL_DUE))
    .values(
        status=st.PROCESSING,
        started_at=case((_I.c.status == st.READY, bindparam("now")), else_=_I.c.started_at),
        cancel_sent_at=case((_I.c.status == st.PROCESSING, bindparam("now")), else_=_I.c.cancel_sent_at),
    )
    .returning(_I.c.agent_sn, _I.c.task_id, _I.c.order_id, _I.c.cancel_requested)
)
# The reported tasks and their orders' statuses, the orders locked (FOR UPDATE OF on PostgreSQL; SQLite's
# writers are serialised anyway) in ascending id order, so two transactions take the same orders in the same order.
_FIND_AND_LOCK = (
    select(_I.c.task_id, _I.c.agent_sn, _I.c.id, _I.c.order_id, _O.c.status)
    .join(_O, _O.c.id == _I.c.order_id)
    .where(_I.c.task_id.in_(bindparam("task_ids", expanding=True)))
    .order_by(_I.c.order_id)
    .with_for_update(of=_O)
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


def build(task_id: str, spec: Any, cipher: Cipher) -> dict[str, Any]:
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


def claim(
    session: Session, *, agent_sns: list[str], specs: OrderSpecs, cipher: Cipher, now: int
) -> tuple[dict[str, Feed], list[Reported]]:
    """Hand out these agents' due tasks (READY -> PROCESSING, each exactly once) and their cancels, with one
    statement for all of them (it may commit by itself: `Database.run_statement`): the feeds of the agents with
    something, and the tasks that could not be built, to be ended ABNORMAL with `report`."""
    feeds: dict[str, Feed] = {}
    handed: list[tuple[str, str, int]] = []
    rows = session.execute(_CLAIM, {"sns": agent_sns, "now": now, "resend_before": now - CANCEL_RESEND_MS})
    for agent_sn, task_id, order_id, is_cancel in rows:
        if is_cancel:
            feeds.setdefault(agent_sn, Feed()).cancel.append(task_id)
        else:
            handed.append((agent_sn, task_id, order_id))
    if not handed:
        return feeds, []
    for order_id in {o for _, _, o in handed}:  # their instances are now running
        wake.changed(session, order_id)
    spec_of = specs.get(session, {o for _, _, o in handed})
    unbuilt: list[Reported] = []
    for agent_sn, task_id, order_id in handed:
        try:
            task = build(task_id, spec_of[order_id], cipher)
        except ValueError as exc:
            # Create, modify and execute refuse scripts whose parameters cannot be placed; a retry of an
            # order made before that rule gets here, as does a secret stored under another key. The
            # hand-out is committed: the task ends instead, as a result (jobs/groups.py).
            where = "content " if isinstance(exc, scripts_service.PlacementError) else ""
            failed = TaskResult(status="ABNORMAL", error=f"parameters not placed: {where}{exc}"[:MAX_ERROR])
            unbuilt.append(Reported(agent_sn, task_id, failed))
            continue
        feeds.setdefault(agent_sn, Feed()).tasks.append(task)
    return feeds, unbuilt


@functools.cache
def _end_runs_statement(size: int) -> Any:
    """The UPDATE that ends `size` runs (jobs/per_row.py; jobs/groups.py caps a group at 500), built once."""
    ids = per_row.ids(size)
    return (
        update(_I)
        .where(_I.c.id.in_(ids), _I.c.status == st.PROCESSING, _I.c.task_id == per_row.by_id(ids, "task", _I.c.task_id))
        .values(
            status=per_row.by_id(ids, "status", _I.c.status),
            exit_code=per_row.by_id(ids, "code", _I.c.exit_code),
            error=per_row.by_id(ids, "error", _I.c.error),
            gmt_finished=bindparam("now"),
            cancel_requested=False,
        )
        .returning(_I.c.id)
    )


def _end_runs(session: Session, runs: dict[int, tuple[str, TaskResult]], now: int) -> set[int]:
    """End these instances' runs (id -> (task id, result)), each only if that task is still running it, in one
    statement: the ids it ended."""
    rows = [
        {"id": inst_id, "task": task_id, "status": result.status, "code": result.exit_code, "error": result.error}
        for inst_id, (task_id, result) in runs.items()
    ]
    statement = _end_runs_statement(per_row.padded(len(rows)))
    return set(session.scalars(statement, per_row.params(rows) | {"now": now}))


def report(
    session: Session,
    reports: list[Reported],
    *,
    now: int,
    offline_after_s: float,
    hand: dispatcher.HandOut | None = None,
) -> tuple[list[bool | OpenCOCError], set[str]]:
    """Apply agents' results exactly once, in one go: per result, accepted (False for a repeat) or a 404 for a
    task unknown to its agent; and the agents to wake. Each order moves on once, after all its results; the
    batches it starts are handed out by `hand` where it can (jobs/handout.py)."""
    wanted = sorted({r.task_id for r in reports if TASK_ID.fullmatch(r.task_id)})
    known: dict[tuple[str, str], int] = {}
    order_of: dict[int, int] = {}
    statuses: dict[int, str] = {}
    for task_id, sn, inst_id, order_id, status in (
        session.execute(_FIND_AND_LOCK, {"task_ids": wanted}) if wanted else ()
    ):
        known[(task_id, sn)] = inst_id
        order_of[inst_id] = order_id
        statuses[order_id] = status
    first: dict[int, int] = {}  # instance id -> its first result in the group (a repeat within it is a repeat)
    for n, r in enumerate(reports):
        inst_id = known.get((r.task_id, r.agent_sn))
        if inst_id is not None:
            first.setdefault(inst_id, n)
    runs = {inst_id: (reports[n].task_id, reports[n].result) for inst_id, n in first.items()}
    ended = _end_runs(session, runs, now) if runs else set()
    outcomes: list[bool | OpenCOCError] = []
    outputs: list[dict[str, Any]] = []
    for n, r in enumerate(reports):
        inst_id = known.get((r.task_id, r.agent_sn))
        if inst_id is None:
            outcomes.append(not_found(r.task_id))
            continue
        accepted = inst_id in ended and first[inst_id] == n
        if accepted:
            outputs.append({"instance_id": inst_id, "output": r.result.output})
        outcomes.append(accepted)
    if outputs:
        session.execute(_SAVE_OUTPUTS, outputs)
    woken: set[str] = set()
    for order_id in sorted({order_of[o["instance_id"]] for o in outputs}):
        wake.changed(session, order_id)
        if statuses[order_id] != st.PROCESSING or dispatcher.active_count(session, order_id):
            continue
        order = dispatcher.lock_order(session, order_id)
        woken |= dispatcher.advance(session, order, now, offline_after_s, idle=True, hand=hand)
    return outcomes, woken
