"""HTTP routes of attachments (/opencoc/v1/attachments, signed like every route).

Upload: `POST /opencoc/v1/attachments?name=report.pdf` with the file as the raw body and its
`Content-Type` (signed with the body, as every request is); optional `subject_kind` and
`subject_id` link it to what it belongs to. Download: `GET .../{id}/content`, always as an
attachment with `X-Content-Type-Options: nosniff`, so a file never renders as a page.
"""

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import Response

from opencoc.attachments import service
from opencoc.attachments.deps import UploadBody
from opencoc.attachments.schemas import ATTACHMENT_ID_PATTERN, MAX_NAME, AttachmentResponse, DeletedResponse
from opencoc.auth.deps import CurrentCaller
from opencoc.config import Settings
from opencoc.core.deps import AppSettings, Db
from opencoc.core.envelopes import job_ok

PREFIX = "/opencoc/v1/attachments"
router = APIRouter(prefix=PREFIX, tags=["attachments"])
AttachmentId = Annotated[str, Path(pattern=ATTACHMENT_ID_PATTERN)]
# No control characters, slashes or quotes: the name goes into a Content-Disposition header.
FileName = Annotated[str, Query(min_length=1, max_length=MAX_NAME, pattern=r'^[^\x00-\x1f\x7f/\\"]+$')]
SubjectKind = Annotated[str | None, Query(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")]
SubjectId = Annotated[str | None, Query(min_length=1, max_length=64, pattern=r"^[\x21-\x7e]+$")]


def body_limit(settings: Settings) -> tuple[str, int]:
    """This route's entry in the body caps: an upload may be as large as an attachment may be."""
    return PREFIX, settings.attachment_max_bytes


def _disposition(name: str) -> str:
    fallback = name.encode("ascii", "replace").decode().replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@router.post("", response_model=AttachmentResponse)
async def upload(
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    data: UploadBody,
    name: FileName,
    content_type: Annotated[str | None, Header()] = None,
    subject_kind: SubjectKind = None,
    subject_id: SubjectId = None,
) -> Any:
    """Store the body as a file of the caller's tenant -> its metadata (with size and sha256)."""
    subject = service.subject_link(subject_kind, subject_id)
    stored = await db.run_write(
        lambda s: service.store(
            s,
            caller=caller,
            name=name,
            content_type=content_type,
            data=data,
            max_bytes=settings.attachment_max_bytes,
            subject=subject,
        )
    )
    return job_ok(stored)


@router.get("/{attachment_id}", response_model=AttachmentResponse)
async def show(caller: CurrentCaller, db: Db, attachment_id: AttachmentId) -> Any:
    """An attachment's metadata."""
    return job_ok(await db.run_read(lambda s: service.get(s, tenant_id=caller.tenant_id, attachment_id=attachment_id)))


@router.get("/{attachment_id}/content", response_class=Response, responses={200: {"content": {"*/*": {}}}})
async def download(caller: CurrentCaller, db: Db, attachment_id: AttachmentId) -> Response:
    """The file itself, as a download that is never rendered or sniffed."""
    meta, data = await db.run_read(
        lambda s: service.get_content(s, tenant_id=caller.tenant_id, attachment_id=attachment_id)
    )
    media = f"{meta.content_type}; charset=utf-8" if meta.content_type.startswith("text/") else meta.content_type
    headers = {
        "Content-Disposition": _disposition(meta.name),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "X-Checksum-Sha256": meta.sha256,
    }
    return Response(data, media_type=media, headers=headers)


@router.delete("/{attachment_id}", response_model=DeletedResponse)
async def delete(caller: CurrentCaller, db: Db, attachment_id: AttachmentId) -> Any:
    """Delete an attachment -> its id."""
    return job_ok(
        await db.run_write(lambda s: service.delete(s, caller=caller, attachment_id=attachment_id))
    )
