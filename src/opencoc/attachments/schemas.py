"""Wire models of the attachments API (/opencoc/v1/attachments)."""

from pydantic import BaseModel

ATTACHMENT_ID_PATTERN = r"^[0-9a-f]{32}$"  # pydantic-core regex: `$` is the very end
MAX_NAME = 255


class SubjectLink(BaseModel):
    """What an attachment belongs to (e.g. kind "incident", id its number); None when it stands alone."""

    kind: str
    id: str


class Attachment(BaseModel):
    attachment_id: str
    name: str
    content_type: str
    size: int
    sha256: str
    subject: SubjectLink | None
    uploader_id: str
    uploader_name: str
    gmt_created: int


class AttachmentResponse(BaseModel):
    data: Attachment


class DeletedResponse(BaseModel):
    data: str
