"""Tables of the scripts domain: scripts, their versions and reviews.

A script row holds what is current (metadata, properties, status, tags); its content and
parameters live in `script_versions`, one row per create or modify, kept after the script is
deleted so that an execution can always say (and re-run) exactly which version ran.
Sensitive parameter defaults are stored encrypted (`core.crypto.Cipher`).
"""

from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencoc.core.models import Base

# The wire's `id` is a Long (the list marker goes up to 2^63 - 1); SQLite autoincrements INTEGER.
LONG_ID = BigInteger().with_variant(Integer, "sqlite")


class Script(Base):
    """A tenant's custom script; `id` is the list marker, `script_uuid` its public id.

    `enterprise_project_id` is kept as the creator gave it (None when not given; lists show "0").
    `usage_count` counts the orders that executed the script.
    """

    __tablename__ = "scripts"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    id: Mapped[int] = mapped_column(LONG_ID, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    script_uuid: Mapped[str] = mapped_column(String(25), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(8))
    description: Mapped[str] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16))
    risk_level: Mapped[str] = mapped_column(String(8))
    version: Mapped[str] = mapped_column(String(10))
    protocol: Mapped[str | None] = mapped_column(String(16))
    reviewers: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    enterprise_project_id: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    usage_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    current_version_id: Mapped[int] = mapped_column(Integer)
    creator: Mapped[str] = mapped_column(String(64))
    creator_id: Mapped[str] = mapped_column(String(64))
    operator: Mapped[str] = mapped_column(String(64))
    gmt_created: Mapped[int] = mapped_column(BigInteger)
    gmt_modified: Mapped[int] = mapped_column(BigInteger)


class ScriptVersion(Base):
    """An immutable snapshot of a script as created or modified; `params` hold encrypted secrets."""

    __tablename__ = "script_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    script_uuid: Mapped[str] = mapped_column(String(25), index=True)
    name: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(8))
    version: Mapped[str] = mapped_column(String(10))
    risk_level: Mapped[str] = mapped_column(String(8))
    content: Mapped[str] = mapped_column(Text)
    params: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON)
    operator: Mapped[str] = mapped_column(String(64))
    gmt_created: Mapped[int] = mapped_column(BigInteger)


class ScriptReview(Base):
    """One reviewer decision (APPROVED or REJECTED) with its comments."""

    __tablename__ = "script_reviews"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), index=True)
    script_uuid: Mapped[str] = mapped_column(String(25), index=True)
    version_id: Mapped[int] = mapped_column(Integer)
    reviewer_id: Mapped[str] = mapped_column(String(64))
    reviewer_name: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    comments: Mapped[str | None] = mapped_column(String(1024))
    gmt_created: Mapped[int] = mapped_column(BigInteger)
