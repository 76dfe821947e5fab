"""Tables of the jobs domain: script orders, their batches, instances and instance outputs.

An order snapshots the script version it runs (type, content, parameters with sensitive values
encrypted), so a later edit of the script never changes what an order does. An instance is one
host of one batch; `task_id` is what the agent sees, new on every (re-)run, so a late result of
an earlier run can never be applied to the next one. Outputs (up to 1 MB each) live in their own
table so that listing instances stays cheap.
"""

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencoc.core.models import Base


class ScriptOrder(Base):
    """One execution of a script (`execute_uuid`); `id` is the wire's `order_id`."""

    __tablename__ = "script_orders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    execute_uuid: Mapped[str] = mapped_column(String(26), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    script_uuid: Mapped[str] = mapped_column(String(25))
    script_name: Mapped[str] = mapped_column(String(64))
    script_version_id: Mapped[int] = mapped_column(Integer)
    script_version_name: Mapped[str] = mapped_column(String(32))
    script_type: Mapped[str] = mapped_column(String(8))
    content: Mapped[str] = mapped_column(Text)
    params: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    timeout: Mapped[int] = mapped_column(Integer)
    success_rate: Mapped[float] = mapped_column(Float)
    execute_user: Mapped[str] = mapped_column(String(32))
    resourceful: Mapped[bool | None] = mapped_column(Boolean)
    region_ids: Mapped[str | None] = mapped_column(String(512))
    total_batches: Mapped[int] = mapped_column(Integer)
    current_batch_index: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str | None] = mapped_column(String(512))
    creator: Mapped[str] = mapped_column(String(64))
    creator_id: Mapped[str] = mapped_column(String(64))
    gmt_created: Mapped[int] = mapped_column(BigInteger)
    gmt_finished: Mapped[int | None] = mapped_column(BigInteger)


class ScriptBatch(Base):
    """A batch of an order; started when its tasks are queued, finished when all its instances end."""

    __tablename__ = "script_batches"
    __table_args__ = (UniqueConstraint("order_id", "batch_index"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("script_orders.id"))
    batch_index: Mapped[int] = mapped_column(Integer)
    rotation_strategy: Mapped[str] = mapped_column(String(16))
    total_instances: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[int | None] = mapped_column(BigInteger)
    finished_at: Mapped[int | None] = mapped_column(BigInteger)


class ScriptInstance(Base):
    """One target host of a batch; READY with `queued_at` set means its task is due to the agent."""

    __tablename__ = "script_instances"
    __table_args__ = (
        Index("ix_script_instances_order_batch_status", "order_id", "batch_index", "status"),
        Index("ix_script_instances_agent_status", "agent_sn", "status"),
        Index("ix_script_instances_status", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("script_orders.id"))
    batch_index: Mapped[int] = mapped_column(Integer)
    resource_id: Mapped[str] = mapped_column(String(64))
    agent_sn: Mapped[str] = mapped_column(String(32))
    region_id: Mapped[str | None] = mapped_column(String(64))
    project_id: Mapped[str | None] = mapped_column(String(64))
    provider: Mapped[str | None] = mapped_column(String(32))
    type: Mapped[str | None] = mapped_column(String(32))
    custom_attributes: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    task_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[int | None] = mapped_column(BigInteger)
    started_at: Mapped[int | None] = mapped_column(BigInteger)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_sent_at: Mapped[int | None] = mapped_column(BigInteger)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(String(1024))
    gmt_created: Mapped[int] = mapped_column(BigInteger)
    gmt_finished: Mapped[int | None] = mapped_column(BigInteger)


class InstanceOutput(Base):
    """The captured output of an instance's last run (capped at 1 MB by the agent)."""

    __tablename__ = "instance_outputs"

    instance_id: Mapped[int] = mapped_column(ForeignKey("script_instances.id"), primary_key=True)
    output: Mapped[str] = mapped_column(Text)
