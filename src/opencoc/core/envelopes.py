"""Response envelopes per endpoint family (sdk-wire.md §3.5).

- "coc" family (incidents, alarm webhooks, alarm management, IAM-free COC routes):
  `{provider_code, error_code, error_msg, data}`
- "job" family (scripts, orders, resources, agent API, our own `/opencoc/v1/...`): `{data}` on success and
  `{error_code, error_msg}` on error.

The same shapes as pydantic generics (`CocEnvelope[T]`, `JobEnvelope[T]`), so that each route
declares the envelope of its `data` and /openapi.json shows what the SDK receives.
"""

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict

Family = Literal["coc", "job"]
T = TypeVar("T")

PROVIDER_CODE = "049"
SUCCESS_CODE = "GOM.00000000"

_JOB_PREFIXES = (
    "/v1/job",
    "/v1/script/",
    "/v1/resources",
    "/v1/external/resources",
    "/opencoc/v1/",
    "/v3/",
)


class WireModel(BaseModel):
    """A response body or part of one: every key it may hold is declared, so an undeclared one fails loudly."""

    model_config = ConfigDict(extra="forbid")


class CocEnvelope(WireModel, Generic[T]):
    """The COC family's success body; `error_msg` is null, or "success" on the webhooks."""

    provider_code: str
    error_code: str
    error_msg: str | None
    data: T


class JobEnvelope(WireModel, Generic[T]):
    """The job family's success body."""

    data: T


class CocError(WireModel):
    """The COC family's error body (and every 401's): the message names the field and the rule."""

    provider_code: str
    error_code: str
    error_msg: str
    data: None


class JobError(WireModel):
    """The job family's error body: the message names the field and the rule."""

    error_code: str
    error_msg: str


# Our own alarm API answers in the COC envelope, like COC's alarm-mgmt routes beside it.
_COC_PREFIXES = ("/opencoc/v1/alarm-mgmt/",)


def family_for_path(path: str) -> Family:
    """The envelope family a path belongs to."""
    return "job" if path.startswith(_JOB_PREFIXES) and not path.startswith(_COC_PREFIXES) else "coc"


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
