"""Response envelopes per endpoint family (sdk-wire.md §3.5).

- "coc" family (incidents, alarm webhooks, alarm management, IAM-free COC routes):
  `{provider_code, error_code, error_msg, data}`
- "job" family (scripts, orders, resources, agent API): `{data}` on success and
  `{error_code, error_msg}` on error.
"""

from typing import Any, Literal

Family = Literal["coc", "job"]

PROVIDER_CODE = "049"
SUCCESS_CODE = "GOM.00000000"

_JOB_PREFIXES = ("/v1/job", "/v1/script/", "/v1/resources", "/v1/external/resources", "/opencoc/v1/agent", "/v3/")


def family_for_path(path: str) -> Family:
    """The envelope family a path belongs to."""
    return "job" if path.startswith(_JOB_PREFIXES) else "coc"


def coc_ok(data: Any = None, error_code: str = SUCCESS_CODE, error_msg: str | None = None) -> dict[str, Any]:
    return {"provider_code": PROVIDER_CODE, "error_code": error_code, "error_msg": error_msg, "data": data}


def job_ok(data: Any) -> dict[str, Any]:
    return {"data": data}


def error_body(family: Family, error_code: str, error_msg: str) -> dict[str, Any]:
    if family == "coc":
        return {"provider_code": PROVIDER_CODE, "error_code": error_code, "error_msg": error_msg, "data": None}
    return {"error_code": error_code, "error_msg": error_msg}


def default_validation_code(family: Family) -> str:
    """The error code of a request that fails schema validation."""
    return "COC.00000001" if family == "coc" else "COC.00040701"
