"""Wire models of the incident API (§4.4.1), with COC's validation messages.

Messages follow COC's backend (core/validation.py, COC wording): `The field[operate_key]
value[acceptedIncident 111] invalid` for a value outside its enumeration or of the wrong type,
`incidentNum size must be between 0 and 255` for a length (the field in camelCase, as COC's bean
validation names it).
"""

from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from opencoc.core import validation
from opencoc.core.envelopes import WireModel
from opencoc.core.errors import OpenCOCError
from opencoc.core.json_bounds import Bounds, checker, preview
from opencoc.core.limits import MAX_MS
from opencoc.incidents import enums

# A solution's cause and solution hold 10,000 characters each, which JSON escaping can double.
PARAMETER_BOUNDS = Bounds(chars=64 * 1024)


def _flag(value: Any) -> Any:
    """A JSON bool, or "true"/"false" as the SDK's create model and Terraform's maps send it."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise PydanticCustomError("coc_invalid", "invalid")


def _ms(value: Any) -> Any:
    """Milliseconds as a JSON integer or a string of digits ("1700000000000")."""
    if isinstance(value, bool):
        raise PydanticCustomError("coc_invalid", "invalid")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise PydanticCustomError("coc_invalid", "invalid")


def _one_of(choices: dict[str, tuple[str, str]]) -> BeforeValidator:
    def check(value: Any) -> Any:
        if not isinstance(value, str) or value not in choices:
            raise PydanticCustomError("coc_invalid", "invalid")
        return value

    return BeforeValidator(check)


def _string(value: Any) -> Any:
    if not isinstance(value, str):
        raise PydanticCustomError("coc_invalid", "invalid")
    return value


Flag = Annotated[bool, BeforeValidator(_flag)]
Ms = Annotated[int, BeforeValidator(_ms), Field(ge=0, le=MAX_MS)]
Str255 = Annotated[str, BeforeValidator(_string), Field(max_length=255)]
Required255 = Annotated[str, BeforeValidator(_string), Field(min_length=1, max_length=255)]
OneItem = Annotated[list[Str255] | None, Field(max_length=1)]
Level = Annotated[str, _one_of(enums.LEVELS)]
IncidentType = Annotated[str, _one_of(enums.TYPES)]
Source = Annotated[str, _one_of(enums.SOURCES)]


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore")


class CreateIncidentRequest(_Wire):
    """Body of POST /v1/external/incident/create (CreateExternalIncidentRequest)."""

    region: OneItem = None
    enterprise_project: OneItem = None
    current_cloud_service: OneItem = None
    incident_level: Level
    is_service_interrupt: Flag
    incident_type: IncidentType
    incident_title: Annotated[str, BeforeValidator(_string), Field(max_length=200)]
    incident_description: Annotated[str, BeforeValidator(_string), Field(max_length=600)] = ""
    incident_source: Source
    incident_assignee: OneItem = None
    assignee_scene: Str255 | None = None
    assignee_role: Str255 | None = None
    creator: Required255
    incident_ownership: Str255 | None = None
    start_time: Ms | None = None

    @model_validator(mode="before")
    @classmethod
    def _scenario_spelling(cls, data: Any) -> Any:
        """The seed's table spells the field `assignee_scenario`; the SDK and its example `assignee_scene`."""
        if isinstance(data, dict) and data.get("assignee_scene") is None and "assignee_scenario" in data:
            data = {**data, "assignee_scene": data["assignee_scenario"]}
        return data

    @model_validator(mode="after")
    def _someone_assigned(self) -> "CreateIncidentRequest":
        if not self.incident_assignee and not (self.assignee_scene and self.assignee_role):
            raise PydanticCustomError(
                "coc_rule", "incident_assignee, or both assignee_scene and assignee_role, must be set"
            )
        return self


class HandleIncidentRequest(_Wire):
    """Body of POST /v1/external/incident/handle (HandleExternalIncidentRequest)."""

    incident_num: Str255
    operator: Required255
    operate_key: Annotated[str, BeforeValidator(_string)]
    parameter: Annotated[dict[str, Any], AfterValidator(checker(PARAMETER_BOUNDS))] | None = None

    @model_validator(mode="after")
    def _known_key(self) -> "HandleIncidentRequest":
        if self.operate_key not in enums.OPERATE_KEYS:
            raise PydanticCustomError("coc_rule", f"The field[operate_key] value[{preview(self.operate_key)}] invalid")
        return self


class AcceptParameter(_Wire):
    """acceptedIncident1 takes no parameter (Terraform sends `{}`)."""


class CommitSolutionParameter(_Wire):
    mtm_type: IncidentType
    is_service_interrupt: Flag
    cause: Annotated[str, BeforeValidator(_string), Field(max_length=10000)]
    solution: Annotated[str, BeforeValidator(_string), Field(max_length=10000)]
    start_time: Ms | None = None
    fault_recovery_time: Ms | None = None
    fault_delineation_time: Ms | None = None


class ConfirmParameter(_Wire):
    virtual_confirm_result: Flag = True
    virtual_confirm_comment: Annotated[str, BeforeValidator(_string), Field(max_length=300)] = ""


PARAMETERS: dict[str, type[_Wire]] = {
    enums.ACCEPT: AcceptParameter,
    enums.COMMIT_SOLUTION: CommitSolutionParameter,
    enums.CONFIRM: ConfirmParameter,
}

M = TypeVar("M", bound=BaseModel)


def parse(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate `data` as `model`; a 400 in COC's words (every failing field named) otherwise."""
    return validation.parse(model, data, code=enums.INVALID_CODE, wording=validation.COC, prefix=prefix)


def check_incident_num(incident_num: str) -> None:
    """The path parameter of GET /v1/external/incident/{incident_num}."""
    if len(incident_num) > 255:
        raise OpenCOCError(enums.INVALID_CODE, "incidentNum size must be between 0 and 255")


# Responses: the `data` of each route (incident detail and history add keys of ours beside COC's).


class CreatedIncident(WireModel):
    incident_num: str


class EnumData(WireModel):
    """The names of one enumerated value or person (TicketInfoEnumData)."""

    filed_key: str
    enum_key: str
    name_zh: str
    name_en: str


class SolutionView(WireModel):
    """The latest committed solution (ours; see service.solution_view)."""

    mtm_type: str | None
    is_service_interrupt: bool | None
    start_time: int | None
    fault_recovery_time: int | None
    fault_delineation_time: int | None
    cause: str | None
    solution: str | None


class IncidentDetail(WireModel):
    """`data` of GET /v1/external/incident/{incident_num}: COC's fields, and our `acceptor` and `solution`."""

    incident_num: str
    region: list[str]
    enterprise_project: list[str]
    current_cloud_service: list[str]
    incident_level: str
    is_service_interrupt: bool
    start_time: int | None
    fault_recovery_time: int | None
    fault_delineation_time: int | None
    incident_ownership: str | None
    incident_type: str
    incident_title: str
    incident_description: str
    incident_source: str
    incident_assignee: list[str]
    assignee_scene: str
    assignee_role: str
    warroom_id: str | None
    handle_time: int | None
    status: str
    create_time: int
    creator: str
    enum_data_list: list[EnumData]
    acceptor: str | None
    oncall_assignee: str | None = Field(description="who the scene and role put on call at creation (OpenCOC's)")
    solution: SolutionView | None


class IncidentTicket(WireModel):
    """One incident of GET /v1/incident-tickets."""

    title: str
    ticket_id: str
    description: str
    status: str
    level: str
    enterprise_project: str
    source: str
    creator: str
    assignee: list[str]


class IncidentTicketPage(WireModel):
    total: int
    items: list[IncidentTicket] = Field(alias="list")


class HistoryEntry(WireModel):
    """One operation on an incident, as the Terraform data source reads `data.info[]`, and its `parameter`."""

    id: str
    action_id: str
    ticket_id: str
    action: str
    sub_action: str | None
    final_sub_action: str | None
    operator: str
    comment: str | None
    start_time: int
    stop_time: int
    update_time: int
    target_type: str | None
    target_value: str | None
    is_deleted: bool
    status: str | None
    action_name_en: str
    action_name_zh: str
    action_template_en: str
    action_template_zh: str
    enum_data_list: list[EnumData]
    parameter: dict[str, Any]


class HistoryPage(WireModel):
    total: int
    info: list[HistoryEntry]
