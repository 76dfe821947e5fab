"""Script versions: one immutable row per create or modify; what executions run and record."""

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencoc.core.clock import now_ms
from opencoc.core.crypto import Cipher
from opencoc.core.errors import OpenCOCError
from opencoc.scripts import params as script_params
from opencoc.scripts.executable import ExecutableScript, ParamDef
from opencoc.scripts.models import Script, ScriptVersion

UUID_PATTERN = re.compile(r"SC[0-9A-Za-z]{23}")


def not_found(script_uuid: str) -> OpenCOCError:
    return OpenCOCError("COC.00040604", f"script[{script_uuid}] does not exist")


def load_script(session: Session, *, tenant_id: int, script_uuid: str, for_update: bool = False) -> Script:
    """The tenant's script; COC.00040601 for a malformed uuid, COC.00040604 when it is not theirs."""
    if not UUID_PATTERN.fullmatch(script_uuid):
        raise OpenCOCError(
            "COC.00040601", f"script_uuid[{script_uuid[:64]}] is invalid: expected SC and 23 letters or digits"
        )
    query = select(Script).where(Script.tenant_id == tenant_id, Script.script_uuid == script_uuid)
    script = session.scalar(query.with_for_update() if for_update else query)
    if script is None:
        raise not_found(script_uuid)
    return script


def add_version(
    session: Session,
    *,
    tenant_id: int,
    script_uuid: str,
    name: str,
    type: str,
    content: str,
    params: list[dict[str, Any]],
    properties: dict[str, Any],
    operator: str,
) -> ScriptVersion:
    """Record a new snapshot and return it (with its id)."""
    version = ScriptVersion(
        tenant_id=tenant_id,
        script_uuid=script_uuid,
        name=name,
        type=type,
        version=properties["version"],
        risk_level=properties["risk_level"],
        content=content,
        params=params,
        properties=properties,
        operator=operator,
        gmt_created=now_ms(),
    )
    session.add(version)
    session.flush()
    return version


def _executable(version: ScriptVersion, status: str, cipher: Cipher) -> ExecutableScript:
    return ExecutableScript(
        script_uuid=version.script_uuid,
        name=version.name,
        type=version.type,
        content=version.content,
        status=status,
        version_id=version.id,
        version_name=version.version,
        params=[
            ParamDef(
                name=p["param_name"],
                value=script_params.plain_value(p, cipher),
                description=p["param_description"],
                order=p["param_order"],
                sensitive=p["sensitive"],
            )
            for p in version.params
        ],
    )


def current_version(session: Session, script: Script) -> ScriptVersion:
    version = session.get(ScriptVersion, script.current_version_id)
    if version is None:  # the two rows are written in one transaction
        raise RuntimeError(f"script {script.script_uuid} has no version {script.current_version_id}")
    return version


def get_executable(session: Session, *, tenant_id: int, script_uuid: str, cipher: Cipher) -> ExecutableScript:
    """The script's current version, ready to run; check `.ensure_approved()` before executing."""
    script = load_script(session, tenant_id=tenant_id, script_uuid=script_uuid)
    return _executable(current_version(session, script), script.status, cipher)


def get_version(session: Session, *, tenant_id: int, version_id: int, cipher: Cipher) -> ExecutableScript:
    """A recorded version (even of a since modified or deleted script), to show or re-run it.

    `status` is the script's status now, or `DELETED` when the script no longer exists.
    """
    version = session.get(ScriptVersion, version_id)
    if version is None or version.tenant_id != tenant_id:
        raise OpenCOCError("COC.00040604", f"script version[{version_id}] does not exist")
    script = session.scalar(
        select(Script).where(Script.tenant_id == tenant_id, Script.script_uuid == version.script_uuid)
    )
    return _executable(version, script.status if script else "DELETED", cipher)


@dataclass(frozen=True)
class VersionView:
    """A recorded version as people read it (sensitive parameter values masked)."""

    id: int
    version: str
    risk_level: str
    content: str
    params: list[dict[str, Any]]
    operator: str
    gmt_created: int


def list_versions(session: Session, *, tenant_id: int, script_uuid: str) -> list[VersionView]:
    """The script's versions, newest first; COC.00040604 when the tenant has no such script."""
    load_script(session, tenant_id=tenant_id, script_uuid=script_uuid)
    rows = session.scalars(
        select(ScriptVersion)
        .where(ScriptVersion.tenant_id == tenant_id, ScriptVersion.script_uuid == script_uuid)
        .order_by(ScriptVersion.id.desc())
    )
    return [
        VersionView(v.id, v.version, v.risk_level, v.content, script_params.masked(v.params), v.operator, v.gmt_created)
        for v in rows
    ]
