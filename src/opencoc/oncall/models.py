"""Tables of the on-call domain: scenes, their roles (each with a rotation), overrides, escalations.

A role's rotation is one JSON document (kind, users, hand-off time and zone, start date, or an
explicit list of shifts): it is read whole by every "who is on call" and never queried inside.
"""

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencoc.core.models import Base


class OncallScene(Base):
    """A tenant's scene ("payments"); `escalation_delay_seconds` None: no escalation."""

    __tablename__ = "oncall_scenes"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    escalation_delay_seconds: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(64))
    gmt_created: Mapped[int] = mapped_column(BigInteger)
    gmt_modified: Mapped[int] = mapped_column(BigInteger)


class OncallRole(Base):
    """A role of a scene at an escalation level (1 primary, 2 secondary, 3 commander ...)."""

    __tablename__ = "oncall_roles"
    __table_args__ = (UniqueConstraint("scene_id", "name"), UniqueConstraint("scene_id", "level"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    scene_id: Mapped[int] = mapped_column(ForeignKey("oncall_scenes.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)
    rotation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    gmt_created: Mapped[int] = mapped_column(BigInteger)
    gmt_modified: Mapped[int] = mapped_column(BigInteger)


class OncallOverride(Base):
    """`user_id` is on call for the role over [start_ms, end_ms), whatever the rotation says."""

    __tablename__ = "oncall_overrides"
    __table_args__ = (Index("ix_oncall_overrides_role_end", "role_id", "end_ms"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("oncall_roles.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    start_ms: Mapped[int] = mapped_column(BigInteger)
    end_ms: Mapped[int] = mapped_column(BigInteger)
    gmt_created: Mapped[int] = mapped_column(BigInteger)


class OncallEscalation(Base):
    """A P1/P2 incident's escalation: at `next_at`, notify who is on call at `level` (then the next level).

    The notice at creation is queued with the incident; this row holds the steps after it. Each step
    advances the row in the same transaction as its notice and history entry, so it happens exactly
    once; `status` PENDING until no level is left (DONE) or the incident was accepted (STOPPED).
    `steps` counts the notices sent (the first at creation).
    """

    __tablename__ = "oncall_escalations"
    __table_args__ = (Index("ix_oncall_escalations_due", "status", "next_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    incident_num: Mapped[str] = mapped_column(String(32), index=True)
    scene_id: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    steps: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8))
    next_at: Mapped[int] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(1024))
    gmt_created: Mapped[int] = mapped_column(BigInteger)
