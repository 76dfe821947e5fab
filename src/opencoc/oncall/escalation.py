"""The notice rows' side of escalation: claim due rows, find who is on call at a level, advance a row.

Claims are safe across replicas: on PostgreSQL the due rows are selected `FOR UPDATE SKIP LOCKED`
and stay locked until the transaction that notifies, writes the history and advances them commits;
on SQLite every write runs in the one writer (and the file lock across processes). A process killed
mid-step rolls the whole step back, and the next claim does it again: each step happens once.
"""

from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from opencoc.core.clock import now_ms
from opencoc.oncall import schedule
from opencoc.oncall.models import OncallEscalation, OncallRole, OncallScene
from opencoc.oncall.service import rotation_of
from opencoc.oncall.statuses import DONE, PENDING, STOPPED

_OVERRIDE_AT = text(
    "SELECT user_id FROM oncall_overrides WHERE role_id = :role_id AND start_ms <= :at AND end_ms > :at"
    " ORDER BY id DESC LIMIT 1"
)


@dataclass(frozen=True)
class Level:
    """A scene's role at a level and who holds it now (None: nobody)."""

    scene: str
    channel: str
    delay_seconds: int | None
    role: str | None
    level: int
    user_id: str | None


def any_due(session: Session) -> bool:
    """Whether a row is due (a read, so an idle server takes no write lock)."""
    due = select(OncallEscalation.id).where(OncallEscalation.status == PENDING, OncallEscalation.next_at <= now_ms())
    return session.scalar(due.limit(1)) is not None


def claim_due(session: Session, limit: int = 20) -> list[OncallEscalation]:
    """Due rows, locked for this transaction (other replicas skip them)."""
    return list(
        session.scalars(
            select(OncallEscalation)
            .where(OncallEscalation.status == PENDING, OncallEscalation.next_at <= now_ms())
            .order_by(OncallEscalation.next_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        ).all()
    )


def level_of(session: Session, row: OncallEscalation, at_ms: int) -> Level | None:
    """The row's scene at the row's level, with who is on call there at `at_ms`; None when the scene is gone."""
    scene = session.get(OncallScene, row.scene_id)
    if scene is None:
        return None
    role = session.scalar(select(OncallRole).where(OncallRole.scene_id == scene.id, OncallRole.level == row.level))
    user = None
    if role is not None:
        user = session.execute(_OVERRIDE_AT, {"role_id": role.id, "at": at_ms}).scalar()
        if user is None:
            user = schedule.on_call(rotation_of(role.rotation), (), at_ms)
    name = role.name if role is not None else None
    return Level(scene.name, scene.channel, scene.escalation_delay_seconds, name, row.level, user)


def next_level(session: Session, scene_id: int, level: int) -> int | None:
    found = session.scalar(
        select(OncallRole.level)
        .where(OncallRole.scene_id == scene_id, OncallRole.level > level)
        .order_by(OncallRole.level)
        .limit(1)
    )
    return found


def advance(session: Session, row: OncallEscalation, *, escalates: bool, delay_seconds: int | None) -> None:
    """After a step: wait for the next level, or finish."""
    row.steps += 1
    upper = next_level(session, row.scene_id, row.level) if escalates and delay_seconds else None
    if upper is None or delay_seconds is None:
        row.status = DONE
        return
    row.level = upper
    row.next_at = now_ms() + delay_seconds * 1000


def stop(row: OncallEscalation, why: str) -> None:
    row.status = STOPPED
    row.last_error = why[:1024] if why else None
