"""Enterprise projects: one not given is COC's default project, `"0"`.

Objects keep the enterprise project as their creator gave it (None when not given), because a
Terraform resource that manages the field reads it back from the object's detail and must find
what it sent. Lists and filters, which no resource manages, show and match the default `"0"`.
"""

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import InstrumentedAttribute

DEFAULT = "0"


def or_default(enterprise_project_id: str | None) -> str:
    """The enterprise project to show: as given, or the default one."""
    return enterprise_project_id or DEFAULT


def matches(column: InstrumentedAttribute[str | None], enterprise_project_id: str) -> ColumnElement[bool]:
    """A filter on `column` where a row without an enterprise project counts as the default one."""
    return func.coalesce(func.nullif(column, ""), DEFAULT) == enterprise_project_id
