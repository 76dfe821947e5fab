"""Tables of the notifications domain: channels, users' targets and the outbox.

URLs hold tokens and passwords, so they are stored encrypted (`core.crypto.Cipher`) and shown
only masked. An outbox row names its destination (a channel or a target) instead of copying the
URL, so a changed URL is used by pending rows and a removed one fails them.
"""

from typing import Literal

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencoc.core.models import Base

TargetKind = Literal["url", "address"]


class NotificationChannel(Base):
    """A tenant's named Apprise URL (e.g. "EMAIL", "ops-slack")."""

    __tablename__ = "notification_channels"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    url_encrypted: Mapped[str] = mapped_column(String(4096))
    gmt_created: Mapped[int] = mapped_column(BigInteger)
    gmt_modified: Mapped[int] = mapped_column(BigInteger)


class NotificationTarget(Base):
    """Where one user is reached: an Apprise URL of their own ("url"), or an address ("address",
    `mailto:me@example.com`) that the tenant's channels deliver to."""

    __tablename__ = "notification_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    url_encrypted: Mapped[str] = mapped_column(String(4096))
    gmt_created: Mapped[int] = mapped_column(BigInteger)


class NotificationOutbox(Base):
    """One notification to one destination, written in the transaction of the change it reports.

    A channel row carries the recipients' user ids (their addresses are looked up when it is sent);
    a target row is one user's own URL. `next_attempt_at` is also the claim: a sender moves it a
    lease ahead, and only that sender's mark (matching the lease) counts.
    """

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    event: Mapped[str] = mapped_column(String(64))
    destination: Mapped[str] = mapped_column(String(128))
    channel_id: Mapped[int | None] = mapped_column(Integer)
    target_id: Mapped[int | None] = mapped_column(Integer)
    recipients: Mapped[list[str]] = mapped_column(JSON)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))
    attempts: Mapped[int] = mapped_column(Integer)
    next_attempt_at: Mapped[int] = mapped_column(BigInteger)
    last_error: Mapped[str | None] = mapped_column(String(1024))
    gmt_created: Mapped[int] = mapped_column(BigInteger)
    gmt_sent: Mapped[int | None] = mapped_column(BigInteger)
