"""Attachments: store a checked file in the database, read its metadata or content, delete it; per tenant."""

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session, undefer

from opencoc.attachments import content
from opencoc.attachments.models import Attachment as Row
from opencoc.attachments.schemas import Attachment, SubjectLink
from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.core import ids
from opencoc.core.clock import now_ms
from opencoc.core.errors import OpenCOCError

__all__ = [
    "Attachment",
    "delete",
    "get",
    "get_content",
    "list_for_subject",
    "store",
    "subject_link",
    "too_large",
    "unknown",
]

NOT_FOUND = "OPENCOC.ATTACHMENT.NOT_FOUND"
INVALID = "OPENCOC.ATTACHMENT.INVALID"
TOO_LARGE = "COC.00000413"  # the code the body cap answers with (core/middleware.py)


def too_large(limit: int) -> OpenCOCError:
    return OpenCOCError(TOO_LARGE, f"request body must be at most {limit} bytes", status=413)


def subject_link(kind: str | None, subject_id: str | None) -> SubjectLink | None:
    """The link given as two query parameters: both or neither."""
    if kind is None and subject_id is None:
        return None
    if kind is None or subject_id is None:
        raise OpenCOCError(INVALID, "subject_kind and subject_id go together: give both or neither")
    return SubjectLink(kind=kind, id=subject_id)


def _view(row: Row) -> Attachment:
    subject = SubjectLink(kind=row.subject_kind, id=row.subject_id) if row.subject_kind and row.subject_id else None
    return Attachment(
        attachment_id=row.attachment_id,
        name=row.name,
        content_type=row.content_type,
        size=row.size,
        sha256=row.sha256,
        subject=subject,
        uploader_id=row.uploader_id,
        uploader_name=row.uploader_name,
        gmt_created=row.gmt_created,
    )


def store(
    session: Session,
    *,
    caller: Caller,
    name: str,
    content_type: str | None,
    data: bytes,
    max_bytes: int,
    subject: SubjectLink | None = None,
) -> Attachment:
    """Keep the file when its size and type pass (413 over `max_bytes`, 415 for a type refused)."""
    require(caller, "attachments.write")
    if len(data) > max_bytes:
        raise too_large(max_bytes)
    if not data:
        raise OpenCOCError(INVALID, "the request body (the file) must not be empty")
    media = content.check(content.media_type(content_type), data)
    row = Row(
        attachment_id=ids.hex_id(),
        tenant_id=caller.tenant_id,
        name=name,
        content_type=media,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        subject_kind=subject.kind if subject else None,
        subject_id=subject.id if subject else None,
        uploader_id=caller.user_id,
        uploader_name=caller.user_name,
        gmt_created=now_ms(),
        content=data,
    )
    session.add(row)
    session.flush()
    return _view(row)


def _load(session: Session, tenant_id: int, attachment_id: str, *, with_content: bool = False) -> Row:
    query = select(Row).where(Row.tenant_id == tenant_id, Row.attachment_id == attachment_id)
    row = session.scalar(query.options(undefer(Row.content)) if with_content else query)
    if row is None:
        raise OpenCOCError(NOT_FOUND, f"attachment[{attachment_id}] does not exist", status=404)
    return row


def unknown(session: Session, *, tenant_id: int, attachment_ids: list[str]) -> list[str]:
    """Those of `attachment_ids` that are not the tenant's attachments, in the order given (one query)."""
    if not attachment_ids:
        return []
    known = set(
        session.scalars(
            select(Row.attachment_id).where(Row.tenant_id == tenant_id, Row.attachment_id.in_(set(attachment_ids)))
        )
    )
    return [a for a in attachment_ids if a not in known]


def get(session: Session, *, tenant_id: int, attachment_id: str) -> Attachment:
    """The metadata; not found for another tenant's attachment."""
    return _view(_load(session, tenant_id, attachment_id))


def get_content(session: Session, *, tenant_id: int, attachment_id: str) -> tuple[Attachment, bytes]:
    """The metadata and the bytes."""
    row = _load(session, tenant_id, attachment_id, with_content=True)
    return _view(row), row.content


def list_for_subject(session: Session, *, tenant_id: int, subject: SubjectLink) -> list[Attachment]:
    """A subject's attachments, oldest first (for the domains that attach files: incidents, war rooms)."""
    rows = session.scalars(
        select(Row)
        .where(Row.tenant_id == tenant_id, Row.subject_kind == subject.kind, Row.subject_id == subject.id)
        .order_by(Row.id)
    )
    return [_view(r) for r in rows]


def delete(session: Session, *, caller: Caller, attachment_id: str) -> str:
    require(caller, "attachments.write")
    session.delete(_load(session, caller.tenant_id, attachment_id))
    return attachment_id
