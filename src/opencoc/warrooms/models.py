"""Tables of the war-room domain: war rooms (one per incident), their members, their timelines."""

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencoc.core.models import Base


class WarRoom(Base):
    """A tenant's war room for one incident; `war_room_num` is its public id ("WR..."), unique."""

    __tablename__ = "war_rooms"
    __table_args__ = (
        UniqueConstraint("war_room_num"),
        UniqueConstraint("tenant_id", "incident_num"),
        Index("ix_war_rooms_tenant_id_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    war_room_num: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(String(1024))
    status: Mapped[str] = mapped_column(String(16))
    incident_num: Mapped[str] = mapped_column(String(32))
    incident_level: Mapped[str] = mapped_column(String(32))
    regions: Mapped[list[Any]] = mapped_column(JSON)
    applications: Mapped[list[Any]] = mapped_column(JSON)
    admin: Mapped[str] = mapped_column(String(64))
    enterprise_project_id: Mapped[str] = mapped_column(String(64))
    notification_type: Mapped[str | None] = mapped_column(String(64))
    recover_time: Mapped[int | None] = mapped_column(BigInteger)
    gmt_created: Mapped[int] = mapped_column(BigInteger)
    gmt_modified: Mapped[int] = mapped_column(BigInteger)


class WarRoomMember(Base):
    """A user in a war room and how they joined: `participant`, `admin`, or `oncall` for scene/role."""

    __tablename__ = "war_room_members"
    __table_args__ = (UniqueConstraint("war_room_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    war_room_id: Mapped[int] = mapped_column(ForeignKey("war_rooms.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(64))
    joined_as: Mapped[str] = mapped_column(String(16))
    scene: Mapped[str | None] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(64))
    gmt_created: Mapped[int] = mapped_column(BigInteger)


class WarRoomEntry(Base):
    """One line of a war room's timeline: a status update, decision, note, or an event of the server."""

    __tablename__ = "war_room_entries"
    __table_args__ = (Index("ix_war_room_entries_room", "war_room_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    war_room_id: Mapped[int] = mapped_column(ForeignKey("war_rooms.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(2000))
    gmt_created: Mapped[int] = mapped_column(BigInteger)


class WarRoomSettings(Base):
    """A tenant's war-room settings (no row: every setting off); changed by admins only."""

    __tablename__ = "war_room_settings"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    auto_level_10: Mapped[bool] = mapped_column(Boolean)
    modified_by: Mapped[str] = mapped_column(String(64))
    gmt_modified: Mapped[int] = mapped_column(BigInteger)
