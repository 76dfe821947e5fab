"""HTTP routes of the v2 incident API and the incident attachment upload, in the COC envelope.

`{incident_id}` is the incident's number (`incident_num`), as the Terraform resources pass it.
"""

from typing import Annotated, NamedTuple

from fastapi import APIRouter, Depends, Path, Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException

from opencoc.attachments import service as attachments
from opencoc.auth.deps import CurrentCaller
from opencoc.config import Settings
from opencoc.core.deps import AppSettings, Db, JsonObjectBody
from opencoc.core.envelopes import PROVIDER_CODE, SUCCESS_CODE, CocEnvelope, coc_ok
from opencoc.core.errors import OpenCOCError
from opencoc.core.openapi import ERRORS, json_body, returns
from opencoc.core.responses import FastJSONResponse
from opencoc.incidents import enums, schemas, v2_schemas, v2_service

router = APIRouter(tags=["incidents"], responses=ERRORS["coc"])
IncidentId = Annotated[str, Path(min_length=1, max_length=255)]
ATTACHMENTS = "/v1/external/incident/attachments"
# multipart framing around the file: boundaries, part headers
_MULTIPART_SLACK = 64 * 1024


def body_limit(settings: Settings) -> tuple[str, int]:
    """The upload's entry in the body caps: an attachment and its multipart framing."""
    return ATTACHMENTS, settings.attachment_max_bytes + _MULTIPART_SLACK


@router.get(
    "/v2/incidents/{incident_id}/tasks",
    response_model=None,
    responses=returns(CocEnvelope[list[v2_schemas.TaskNode]]),
)
async def show_incident_task(incident_id: IncidentId, caller: CurrentCaller, db: Db) -> FastJSONResponse:
    """The workflow's nodes; the first is where the incident is, with the operations valid now."""
    data = await db.run_read(lambda s: v2_service.tasks(s, tenant_id=caller.tenant_id, incident_num=incident_id))
    return FastJSONResponse(coc_ok(data))


@router.post(
    "/v2/incidents/{incident_id}/actions",
    response_model=None,
    responses=returns(CocEnvelope[None]),
    openapi_extra=json_body(v2_schemas.ExecuteActionRequest),
)
async def handle_incident(
    incident_id: IncidentId, caller: CurrentCaller, db: Db, payload: JsonObjectBody
) -> FastJSONResponse:
    """Do one of the operations of the incident's open task (`task_id`, `action`, `params`)."""
    body = schemas.parse(v2_schemas.ExecuteActionRequest, payload)
    await db.run_write(lambda s: v2_service.handle_action(s, caller=caller, incident_num=incident_id, body=body))
    return FastJSONResponse(coc_ok(None))


@router.post(
    "/v2/incidents/list",
    response_model=None,
    responses=returns(CocEnvelope[v2_schemas.IncidentListV2]),
    openapi_extra=json_body(v2_schemas.ListPageParamsV2),
)
async def list_incidents(caller: CurrentCaller, db: Db, payload: JsonObjectBody) -> FastJSONResponse:
    """The tenant's incidents that the filters and condition select: a page, its total, counts, groups."""
    params = schemas.parse(v2_schemas.ListPageParamsV2, payload)
    data = await db.run_read(lambda s: v2_service.list_incidents(s, tenant_id=caller.tenant_id, params=params))
    return FastJSONResponse(coc_ok(data))


@router.post(
    "/v2/incidents/{incident_id}/histories",
    response_model=None,
    responses=returns(CocEnvelope[v2_schemas.HistoryPageV2]),
    openapi_extra=json_body(v2_schemas.ListParamsV2),
)
async def list_incidents_histories(
    incident_id: IncidentId, caller: CurrentCaller, db: Db, payload: JsonObjectBody
) -> FastJSONResponse:
    """Every operation on the incident, v1's and v2's, with what each changed."""
    params = schemas.parse(v2_schemas.ListParamsV2, payload)
    data = await db.run_read(
        lambda s: v2_service.list_histories(s, tenant_id=caller.tenant_id, incident_num=incident_id, params=params)
    )
    return FastJSONResponse(coc_ok(data))


class _File(NamedTuple):
    name: str
    content_type: str | None
    data: bytes


async def _upload(request: Request) -> _File:
    """The multipart body's `file` part (the SDK's CreateExternalCocAttachmentRequestBody), read whole."""
    try:
        form = await request.form(max_files=2, max_fields=4)
    except (HTTPException, MultiPartException) as exc:
        detail = getattr(exc, "detail", exc)
        raise OpenCOCError(
            enums.INVALID_CODE, f"the body must be multipart/form-data with a file part: {detail}"
        ) from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise OpenCOCError(enums.INVALID_CODE, "file must not be null: send the file as the multipart part `file`")
        return _File((upload.filename or "attachment")[:255], upload.content_type, await upload.read())
    finally:
        await form.close()


Upload = Annotated[_File, Depends(_upload)]


@router.post(ATTACHMENTS, response_model=None, responses=returns(v2_schemas.AttachmentEnvelope))
async def create_external_coc_attachment(
    caller: CurrentCaller, db: Db, settings: AppSettings, upload: Upload
) -> FastJSONResponse:
    """Store a file in the attachments store; `data.doc_id` is what actions' `attachments` params name."""
    stored = await db.run_write(
        lambda s: attachments.store(
            s,
            caller=caller,
            name=upload.name,
            content_type=upload.content_type,
            data=upload.data,
            max_bytes=settings.attachment_max_bytes,
        )
    )
    body = {
        "code": SUCCESS_CODE,
        "provider_code": PROVIDER_CODE,
        "msg": None,
        "data": {"doc_id": stored.attachment_id, "doc_name": stored.name},
    }
    return FastJSONResponse(body)
