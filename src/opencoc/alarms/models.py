"""Tables of the alarms domain: integrations, alarms and the alarms' handling history.

Deduplication lives in the database: `active_key` holds the reporter's alarm id (or the
Alertmanager fingerprint) while the alarm is active and NULL once it is cleared, so the unique
key (integration_id, active_key) admits one active alarm per original id; cleared alarms stay as
history and a later report of the same id opens a new alarm.
"""

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencoc.core.models import Base


class Integration(Base):
    """A monitoring system's entry point; the key in its URL is the credential, stored as a hash."""

    __tablename__ = "alarm_integrations"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    integration_id: Mapped[str] = mapped_column(String(32), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(16))
    enabled: Mapped[bool] = mapped_column(Boolean)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(String(8))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    create_time: Mapped[int] = mapped_column(BigInteger)
    update_time: Mapped[int] = mapped_column(BigInteger)


class Alarm(Base):
    __tablename__ = "alarms"
    __table_args__ = (
        UniqueConstraint("integration_id", "active_key"),
        Index("ix_alarms_tenant_id_id", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    alarm_id: Mapped[str] = mapped_column(String(32), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("alarm_integrations.id", ondelete="SET NULL"))
    active_key: Mapped[str | None] = mapped_column(String(255))
    original_alarm_id: Mapped[str] = mapped_column(String(255))
    alarm_name: Mapped[str] = mapped_column(String(255))
    alarm_level: Mapped[str] = mapped_column(String(16))
    alarm_status: Mapped[str] = mapped_column(String(16))
    name_space: Mapped[str] = mapped_column(String(255))
    region_id: Mapped[str | None] = mapped_column(String(255))
    application_id: Mapped[str | None] = mapped_column(String(255))
    resource_name: Mapped[str | None] = mapped_column(String(255))
    resource_id: Mapped[str | None] = mapped_column(String(255))
    alarm_desc: Mapped[str] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(String(255))
    alarm_source: Mapped[str] = mapped_column(String(255))
    additional: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    count: Mapped[int] = mapped_column(Integer)
    first_time: Mapped[int] = mapped_column(BigInteger)
    last_time: Mapped[int] = mapped_column(BigInteger)
    incident_num: Mapped[str | None] = mapped_column(String(32))
    cleared_by: Mapped[str | None] = mapped_column(String(255))
    clear_remarks: Mapped[str | None] = mapped_column(String(1024))
    clear_time: Mapped[int | None] = mapped_column(BigInteger)
    create_time: Mapped[int] = mapped_column(BigInteger)
    update_time: Mapped[int] = mapped_column(BigInteger)


class AlarmHistory(Base):
    """One row per handling of an alarm (incident created or linked, cleared, auto-processed)."""

    __tablename__ = "alarm_histories"
    __table_args__ = (Index("ix_alarm_histories_tenant_id_alarm_id", "tenant_id", "alarm_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    alarm_id: Mapped[str] = mapped_column(String(32))
    work_order_id: Mapped[str] = mapped_column(String(32))
    task_type: Mapped[str] = mapped_column(String(64))
    create_name: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32))
    associated_task_id: Mapped[str | None] = mapped_column(String(255))
    associated_task_type: Mapped[str | None] = mapped_column(String(64))
    associated_task_name: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    start_time: Mapped[int] = mapped_column(BigInteger)
    end_time: Mapped[int | None] = mapped_column(BigInteger)
