"""Custom scripts: create, list, show, modify, delete, tags; every call scoped to one tenant.

Status: a script without reviewers is APPROVED; with reviewers it is PENDING_APPROVE until one
of them decides (`review.py`, on the approvals domain: one approval request per reviewed version).
Every modify writes a new version and, when the script has reviewers, sends it back to
PENDING_APPROVE, opens a new request (cancelling the previous one) and notifies them again.
"""

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.core import enterprise_projects, ids
from opencoc.core.clock import now_ms
from opencoc.core.crypto import Cipher
from opencoc.core.errors import OpenCOCError
from opencoc.scripts import notice, placement, review, risk
from opencoc.scripts import params as script_params
from opencoc.scripts.executable import ExecutableScript, ParamDef
from opencoc.scripts.models import Script
from opencoc.scripts.placement import runnable
from opencoc.scripts.python_params import PlacementError
from opencoc.scripts.schemas import AddScriptModel, EditScriptModel, ResourceTag, ScriptParamDefine, ScriptProperties
from opencoc.scripts.statuses import APPROVED, PENDING_APPROVE
from opencoc.scripts.versions import (
    VersionView,
    add_version,
    current_version,
    get_executable,
    get_version,
    list_versions,
    load_script,
)

__all__ = [
    "ExecutableScript",
    "ParamDef",
    "PlacementError",
    "check_tag_resource_type",
    "create_script",
    "delete_script",
    "get_executable",
    "get_script",
    "get_version",
    "list_scripts",
    "list_tags",
    "record_use",
    "review",
    "risk",
    "VersionView",
    "list_versions",
    "runnable",
    "update_script",
    "update_tags",
]

TAG_RESOURCE_TYPE = "coc:script"


def _duplicate_name(name: str) -> OpenCOCError:
    return OpenCOCError("COC.00040601", f"Exist script with same name: {name}.")


def _check_risk(declared: str, content: str) -> None:
    """Refuse a declared risk level below what the content does (see risk.py)."""
    found = risk.analyze(content)
    if risk.LEVELS[declared] < risk.LEVELS[found.risk_level]:
        raise OpenCOCError(
            "COC.00040601",
            f"properties.risk_level {declared} is below the risk of the content ({found.risk_level}:"
            f" {found.reasons()}); declare it as {found.risk_level}",
        )


def _check_placement(script_type: str, content: str, params: list[ScriptParamDefine]) -> None:
    placement.check(script_type, content, [p.param_name for p in params], error_code="COC.00040601")


def _properties(props: ScriptProperties) -> dict[str, Any]:
    return {
        "risk_level": props.risk_level,
        "version": props.version,
        "reviewers": [r.model_dump() for r in props.reviewers or []],
        "protocol": props.protocol,
    }


def _apply_properties(script: Script, props: dict[str, Any]) -> None:
    script.risk_level = props["risk_level"]
    script.version = props["version"]
    script.reviewers = props["reviewers"]
    script.protocol = props["protocol"]
    script.status = PENDING_APPROVE if props["reviewers"] else APPROVED


def create_script(session: Session, *, caller: Caller, cipher: Cipher, body: AddScriptModel) -> Script:
    """A new script and its first version; reviewers are notified when it needs review."""
    require(caller, "scripts.create")
    checked = script_params.check(body.script_params or [])
    _check_placement(body.type, body.content, checked)
    _check_risk(body.properties.risk_level, body.content)
    if session.scalar(select(Script.id).where(Script.tenant_id == caller.tenant_id, Script.name == body.name)):
        raise _duplicate_name(body.name)
    uuid, props, now = ids.script_uuid(), _properties(body.properties), now_ms()
    version = add_version(
        session,
        tenant_id=caller.tenant_id,
        script_uuid=uuid,
        name=body.name,
        type=body.type,
        content=body.content,
        params=script_params.stored(checked, cipher),
        properties=props,
        operator=caller.user_name,
    )
    script = Script(
        tenant_id=caller.tenant_id,
        script_uuid=uuid,
        name=body.name,
        type=body.type,
        description=body.description,
        enterprise_project_id=body.enterprise_project_id or None,
        tags=[],
        usage_count=0,
        current_version_id=version.id,
        creator=caller.user_name,
        creator_id=caller.user_id,
        operator=caller.user_name,
        gmt_created=now,
        gmt_modified=now,
    )
    _apply_properties(script, props)
    session.add(script)
    try:
        session.flush()
    except IntegrityError as exc:  # a concurrent create took the name first
        raise _duplicate_name(body.name) from exc
    review.open_review(session, caller=caller, script=script)
    notice.request_review(session, script)
    return script


def update_script(
    session: Session, *, caller: Caller, cipher: Cipher, script_uuid: str, body: EditScriptModel
) -> Script:
    """Modify description, content, params and properties; name and type cannot change."""
    require(caller, "scripts.update")
    script = load_script(session, tenant_id=caller.tenant_id, script_uuid=script_uuid, for_update=True)
    if body.name is not None and body.name != script.name:
        raise OpenCOCError("COC.00040601", f"name cannot be changed (script name is {script.name})")
    if body.type is not None and body.type != script.type:
        raise OpenCOCError("COC.00040601", f"type cannot be changed (script type is {script.type})")
    checked = script_params.check(body.script_params or [])
    _check_placement(script.type, body.content, checked)
    previous = current_version(session, script)
    props = _properties(body.properties) if body.properties else dict(previous.properties)
    _check_risk(props["risk_level"], body.content)
    version = add_version(
        session,
        tenant_id=caller.tenant_id,
        script_uuid=script.script_uuid,
        name=script.name,
        type=script.type,
        content=body.content,
        params=script_params.stored(checked, cipher, previous.params),
        properties=props,
        operator=caller.user_name,
    )
    script.description = body.description
    script.current_version_id = version.id
    script.operator = caller.user_name
    script.gmt_modified = max(now_ms(), script.gmt_modified + 1)
    _apply_properties(script, props)
    review.open_review(session, caller=caller, script=script)
    notice.request_review(session, script)
    return script


def delete_script(session: Session, *, caller: Caller, script_uuid: str) -> str:
    """Delete the script; its versions stay, so executions keep naming what they ran."""
    require(caller, "scripts.delete")
    script = load_script(session, tenant_id=caller.tenant_id, script_uuid=script_uuid, for_update=True)
    review.withdraw_review(session, script=script)
    session.delete(script)
    return script_uuid


def _properties_wire(script: Script) -> dict[str, Any]:
    return {
        "risk_level": script.risk_level,
        "version": script.version,
        "reviewers": script.reviewers,
        "protocol": script.protocol,
    }


def _list_item(script: Script) -> dict[str, Any]:
    return {
        "id": script.id,
        "script_uuid": script.script_uuid,
        "enterprise_project_id": enterprise_projects.or_default(script.enterprise_project_id),
        "name": script.name,
        "type": script.type,
        "status": script.status,
        "gmt_created": script.gmt_created,
        "gmt_modified": script.gmt_modified,
        "creator": script.creator,
        "creator_id": script.creator_id,
        "operator": script.operator,
        "properties": _properties_wire(script),
        "resource_tags": script.tags,
        "usage_count": script.usage_count,
    }


def get_script(session: Session, *, tenant_id: int, script_uuid: str) -> dict[str, Any]:
    """The script's details as get_script returns them; sensitive values masked.

    `enterprise_project_id` reads back as given (null when not given): the Terraform resource
    `huaweicloud_coc_script` manages it and may not see it change.
    """
    script = load_script(session, tenant_id=tenant_id, script_uuid=script_uuid)
    version = current_version(session, script)
    detail = _list_item(script)
    del detail["id"]
    detail.update(
        enterprise_project_id=script.enterprise_project_id,
        version=script.version,
        description=script.description,
        content=version.content,
        script_params=script_params.masked(version.params),
    )
    return detail


def list_scripts(
    session: Session,
    *,
    tenant_id: int,
    limit: int,
    marker: int | None = None,
    name_like: str | None = None,
    creator: str | None = None,
    risk_level: str | None = None,
    type: str | None = None,
    enterprise_project_id: str | None = None,
) -> dict[str, Any]:
    """Newest first; `marker` is the `id` of the last item of the previous page (0 = start).

    Every filter narrows the list; `enterprise_project_id` "0" also matches scripts created without one.
    """
    conditions = [Script.tenant_id == tenant_id]
    if name_like:
        conditions.append(func.lower(Script.name).contains(name_like.lower(), autoescape=True))
    if creator:
        conditions.append(Script.creator == creator)
    if risk_level:
        conditions.append(Script.risk_level == risk_level)
    if type:
        conditions.append(Script.type == type)
    if enterprise_project_id:
        conditions.append(enterprise_projects.matches(Script.enterprise_project_id, enterprise_project_id))
    total = session.scalar(select(func.count()).select_from(Script).where(*conditions)) or 0
    if marker:
        conditions.append(Script.id < marker)
    rows = session.scalars(select(Script).where(*conditions).order_by(Script.id.desc()).limit(limit))
    return {"total": total, "data": [_list_item(s) for s in rows]}


def record_use(session: Session, *, tenant_id: int, script_uuid: str) -> None:
    """Count one more order executing the script (the list's `usage_count`)."""
    session.execute(
        update(Script)
        .where(Script.tenant_id == tenant_id, Script.script_uuid == script_uuid)
        .values(usage_count=Script.usage_count + 1)
    )


def check_tag_resource_type(resource_type: str) -> None:
    """The `{resource_type}` of the tag routes: scripts are `coc:script`."""
    if resource_type != TAG_RESOURCE_TYPE:
        raise OpenCOCError("COC.00040701", f"resource_type[{resource_type[:64]}] invalid, expected coc:script")


def update_tags(session: Session, *, caller: Caller, script_uuid: str, tags: list[ResourceTag]) -> str:
    """Replace the script's whole tag set."""
    require(caller, "scripts.tags")
    keys = [t.key for t in tags]
    duplicated = sorted({k for k in keys if keys.count(k) > 1})
    if duplicated:
        raise OpenCOCError("COC.00040701", f"tags.key {duplicated[0]} is duplicated")
    script = load_script(session, tenant_id=caller.tenant_id, script_uuid=script_uuid, for_update=True)
    script.tags = [t.model_dump() for t in tags]
    script.gmt_modified = max(now_ms(), script.gmt_modified + 1)
    return script_uuid


def list_tags(session: Session, *, tenant_id: int, limit: int, offset: int) -> dict[str, Any]:
    """Every tag key used on the tenant's scripts with its values (list_script_resource_tags)."""
    values: dict[str, set[str]] = {}
    for tags in session.scalars(select(Script.tags).where(Script.tenant_id == tenant_id)):
        for tag in tags:
            values.setdefault(tag["key"], set()).add(tag["value"])
    keys = sorted(values)
    page = keys[offset : offset + limit]
    return {"tags": [{"key": k, "values": sorted(values[k])} for k in page], "total": len(keys)}
