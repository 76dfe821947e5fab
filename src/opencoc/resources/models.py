"""Tables of the resources domain: the tenant's inventory of hosts and other cloud resources."""

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencoc.core.models import Base


class Resource(Base):
    """One inventory item; `agent_sn` links an enrolled host to its agent (NULL when imported)."""

    __tablename__ = "resources"
    __table_args__ = (UniqueConstraint("tenant_id", "provider", "type", "resource_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    resource_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))
    provider: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(64))
    project_id: Mapped[str | None] = mapped_column(String(64))
    region_id: Mapped[str | None] = mapped_column(String(64))
    zone_id: Mapped[str | None] = mapped_column(String(64))
    ep_id: Mapped[str | None] = mapped_column(String(64))
    inner_ip: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON)
    agent_sn: Mapped[str | None] = mapped_column(String(32), index=True)
    create_time: Mapped[int] = mapped_column(BigInteger)
    update_time: Mapped[int] = mapped_column(BigInteger)
