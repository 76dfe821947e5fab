"""What the jobs domain runs: one script version with its parameters' decrypted defaults."""

from dataclasses import dataclass

from opencoc.core.errors import OpenCOCError
from opencoc.scripts import placement
from opencoc.scripts.statuses import APPROVED


@dataclass(frozen=True)
class ParamDef:
    """A declared parameter; `value` is the default, decrypted when the parameter is sensitive."""

    name: str
    value: str
    description: str
    order: int
    sensitive: bool


@dataclass(frozen=True)
class ExecutableScript:
    """A script version as it runs: `version_id` is the `script_versions` row to record."""

    script_uuid: str
    name: str
    type: str
    content: str
    status: str
    version_id: int
    version_name: str
    params: list[ParamDef]

    def ensure_approved(self) -> None:
        """Raise the client error for a script that is not APPROVED (only those may execute)."""
        if self.status != APPROVED:
            raise OpenCOCError(
                "COC.00040605",
                f"script[{self.script_uuid}] status is {self.status}: only APPROVED scripts may be executed",
            )

    def check_placement(self, *, error_code: str) -> None:
        """A 400 when a parameter cannot reach this version safely (versions stored before placement.py)."""
        placement.check(self.type, self.content, [p.name for p in self.params], error_code=error_code)
